import 'reflect-metadata';
import { migrateDatabase, openDatabase } from '@app/database';
import { configOrExit } from './bootstrap-config';

/** `npm run migrate`: brings the configured database up to date and exits. */
async function main(): Promise<void> {
  const { config } = configOrExit();
  const db = await openDatabase(config.database);
  try {
    const applied = await migrateDatabase(db.url);
    process.stdout.write(applied.length ? `Applied: ${applied.join(', ')}\n` : 'Schema is up to date.\n');
  } finally {
    await db.close();
  }
}

main().catch((error) => {
  process.stderr.write(`Migration failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
