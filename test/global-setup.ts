import { migrateDatabase } from '../libs/database/src';
import { adminQuery, TEMPLATE_DB, withDatabase } from './test-database';

/** With a real Postgres, migrate one template database that each test file copies. */
export default async function globalSetup(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) return;
  await adminQuery(url, `DROP DATABASE IF EXISTS ${TEMPLATE_DB} WITH (FORCE)`);
  await adminQuery(url, `CREATE DATABASE ${TEMPLATE_DB}`);
  await migrateDatabase(withDatabase(url, TEMPLATE_DB));
}
