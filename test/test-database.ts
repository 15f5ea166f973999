import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DatabaseHandle, migrateDatabase, startEmbeddedPostgres } from '../libs/database/src';

/** The migrated template every test file's database is copied from (real Postgres only). */
export const TEMPLATE_DB = 'portico_test_template';
export const TEST_DB_PREFIX = 'portico_test_';

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * A fresh, migrated database of the test file's own: a copy of the template on the
 * real Postgres named by DATABASE_URL (cheap, so files run in parallel without
 * sharing data), or an in-memory PGlite when DATABASE_URL is unset.
 */
export async function createTestDatabase(): Promise<DatabaseHandle> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const db = await startEmbeddedPostgres();
    await migrateDatabase(db.url);
    return db;
  }
  const name = `${TEST_DB_PREFIX}${process.pid}_${randomBytes(4).toString('hex')}`;
  await adminQuery(serverUrl, `CREATE DATABASE ${name} TEMPLATE ${TEMPLATE_DB}`);
  return {
    url: withDatabase(serverUrl, name),
    kind: 'postgres',
    close: () => adminQuery(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}
