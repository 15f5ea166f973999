import { Migrator } from '@mikro-orm/migrations';
import { defineConfig, PostgreSqlDriver } from '@mikro-orm/postgresql';
import type { Options } from '@mikro-orm/postgresql';
import { Logger } from '@nestjs/common';
import { migrations } from './migrations';
import type { Pool } from 'pg';
import { armQueryDeadlines, releaseDeadConnections } from './query-deadline';

export interface OrmSettings {
  url: string;
  poolSize: number;
  debugSql?: boolean;
  entities: Options['entities'];
  /** Unset for migrations and tools, which may legitimately run long. */
  timeouts?: { statementMs: number; connectMs: number };
  /** Observes every SQL statement (tests count queries on the hot path with it). */
  onQuery?: (sql: string) => void;
}

const logger = new Logger('SQL');

export function ormOptions(settings: OrmSettings): Options {
  return defineConfig({
    driver: PostgreSqlDriver,
    clientUrl: settings.url,
    entities: settings.entities,
    pool: { min: 0, max: settings.poolSize, idleTimeoutMillis: 30_000 },
    // Bounded waits, so an outage or a frozen server answers 503 instead of hanging:
    // the server cancels long statements; the client gives up on a server that does
    // not answer at all (frozen, or a dead network path) a little later; opening a
    // connection is bounded too. pg-pool applies connectionTimeoutMillis to acquiring
    // a pooled connection as well.
    ...(settings.timeouts
      ? {
          driverOptions: {
            statement_timeout: settings.timeouts.statementMs,
            lock_timeout: settings.timeouts.statementMs,
            idle_in_transaction_session_timeout: settings.timeouts.statementMs * 6,
            connectionTimeoutMillis: settings.timeouts.connectMs,
            keepAlive: true,
            onPoolCreated: (pool: Pool) => {
              armQueryDeadlines(pool, settings.timeouts!.statementMs + 1000);
              releaseDeadConnections(pool);
            },
          },
        }
      : {}),
    discovery: { warnWhenNoEntities: false },
    extensions: [Migrator],
    migrations: {
      tableName: 'mikro_orm_migrations',
      migrationsList: migrations,
      transactional: true,
      allOrNothing: true,
      snapshot: false,
    },
    // Entities are plain row holders; identity-map tricks are not relied on across requests.
    allowGlobalContext: false,
    forceUtcTimezone: true,
    debug: settings.debugSql || !!settings.onQuery ? ['query'] : false,
    logger: (message: string) => {
      settings.onQuery?.(message);
      if (settings.debugSql) logger.debug(message);
    },
    colors: false,
  });
}
