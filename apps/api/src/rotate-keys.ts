import 'reflect-metadata';
import { Client } from 'pg';
import { openDatabase } from '@app/database';
import { rewrapDataKeys } from '@app/collections';
import { configOrExit } from './bootstrap-config';

/**
 * `npm run keys:rotate`: with the new master key in ENCRYPTION_KEY and the old one in
 * ENCRYPTION_PREVIOUS_KEYS, re-wraps every data key under the new one. Instances keep
 * serving meanwhile; once it reports nothing left, the old key can leave
 * ENCRYPTION_PREVIOUS_KEYS (startup refuses if a key still needed it).
 */
async function main(): Promise<void> {
  const { config, secrets } = configOrExit();
  const db = await openDatabase(config.database);
  const client = new Client({ connectionString: db.url });
  await client.connect();
  try {
    const report = await rewrapDataKeys(client, secrets);
    process.stdout.write(
      `Re-wrapped ${report.rewrapped} data key(s) under master key ${secrets.encryption.current.version}.\n`,
    );
    if (report.unopened.length) {
      process.stderr.write(
        `Data keys wrapped by master key version(s) ${[...new Set(report.unopened)].join(', ')} were left as they are: add that key to ENCRYPTION_PREVIOUS_KEYS and run again.\n`,
      );
      process.exitCode = 1;
    }
  } finally {
    await client.end();
    await db.close();
  }
}

main().catch((error) => {
  process.stderr.write(`Key rotation failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
