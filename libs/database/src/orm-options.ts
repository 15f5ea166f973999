import { Migrator } from '@mikro-orm/migrations';
import { defineConfig, PostgreSqlDriver } from '@mikro-orm/postgresql';
import type { Options } from '@mikro-orm/postgresql';
import { Logger } from '@nestjs/common';
import { migrations } from './migrations';

export interface OrmSettings {
  url: string;
  poolSize: number;
  debugSql?: boolean;
  entities: Options['entities'];
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
