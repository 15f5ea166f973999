import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { DynamicModule, Type } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { EntityManager } from '@mikro-orm/postgresql';
import { loadConfig, loadSecrets, AppConfig, Secrets } from '@app/config';
import type { DatabaseHandle } from '@app/database';
import { createApp } from '../apps/api/src/configure-app';
import { createTestDatabase } from './test-database';

export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  secrets: Secrets;
  db: DatabaseHandle;
  /** Every JSON log line the app wrote. */
  logs: string[];
  /** Every SQL statement the ORM ran for requests, in order (timers' statements, marked background, left out). */
  queries: string[];
  /** Runs SQL on the app's own connection (the embedded database has only one). */
  sql<T = Record<string, unknown>>(query: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  /** Extra modules (test fixtures) mounted beside the real ones. */
  imports?: (Type | DynamicModule)[];
  /** Reuse another test app's database (two instances sharing one database). */
  db?: DatabaseHandle;
  /** Reuse another test app's secrets (two instances of one deployment). */
  secrets?: Secrets;
}

/** The real application on a database of the test file's own, with captured logs and SQL. */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'portico-test-'));
  const ownsDb = !options.db;
  const db = options.db ?? (await createTestDatabase());
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    DATA_DIR: dataDir,
    REDIS_URL: process.env.REDIS_URL ?? '',
    DATABASE_URL: db.kind === 'postgres' ? db.url : '',
    DATABASE_POOL_SIZE: '4',
    // Suites of other modules make hundreds of requests from one address; the
    // rate-limit suites turn limits on explicitly.
    RATE_LIMITS_ENABLED: 'false',
    ...options.env,
  };
  const config = loadConfig(env);
  const secrets = options.secrets ?? loadSecrets(env, dataDir, false);
  const logs: string[] = [];
  const queries: string[] = [];
  const logDestination = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  const app = await createApp({
    config,
    secrets,
    databaseUrl: db.url,
    databaseKind: db.kind,
    logDestination,
    onQuery: (sql) => {
      if (!sql.includes('/* background */')) queries.push(sql);
    },
    imports: options.imports,
  });
  const em = app.get(EntityManager);
  return {
    app,
    config,
    secrets,
    db,
    logs,
    queries,
    sql: (query, params) => em.getConnection().execute(query, params) as never,
    async close() {
      await app.close();
      if (ownsDb) await db.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
