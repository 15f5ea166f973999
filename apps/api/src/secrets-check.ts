import { Client } from 'pg';
import { pepperHash, Secrets } from '@app/config';
import { unwrapDataKey } from '@app/collections';

/**
 * Refuses to start when this instance's secrets differ from those the database was
 * set up with: two instances with different peppers or signing keys (say, separate
 * DATA_DIRs with generated secrets) would otherwise reject each other's keys, refresh
 * tokens and JWTs without a word. The first instance records the fingerprints (never
 * the secrets); a signing key rotated the documented way (the old public key in
 * JWT_PREVIOUS_PUBLIC_KEYS) moves the record on. Runs on a connection of its own
 * before the application opens any, so a refusal leaves nothing behind.
 */
export async function checkDeploymentSecrets(databaseUrl: string, secrets: Secrets): Promise<void> {
  const pepper = pepperHash(secrets, 'portico:pepper-fingerprint').toString('base64url').slice(0, 22);
  const signing = secrets.signingKey.kid;
  const previous = new Set(secrets.verifyKeys.map((k) => k.kid));
  const client = new Client({ connectionString: databaseUrl, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    await client.query('begin');
    await client.query(
      `insert into deployment_secrets (name, fingerprint) values ('pepper', $1), ('signing_key', $2) on conflict (name) do nothing`,
      [pepper, signing],
    );
    const { rows } = await client.query<{ name: string; fingerprint: string }>(
      `select name, fingerprint from deployment_secrets for update`,
    );
    const stored = Object.fromEntries(rows.map((r) => [r.name, r.fingerprint]));
    if (stored.pepper !== pepper) {
      throw new Error(
        'API_KEY_PEPPER differs from the one this database was set up with; every instance on one database needs the same API_KEY_PEPPER and JWT_PRIVATE_KEY (or the same DATA_DIR).',
      );
    }
    if (stored.signing_key !== signing) {
      if (!previous.has(stored.signing_key)) {
        throw new Error(
          'JWT_PRIVATE_KEY differs from the signing key this database was set up with; share it between instances, or rotate by listing the old public key in JWT_PREVIOUS_PUBLIC_KEYS.',
        );
      }
      await client.query(
        `update deployment_secrets set fingerprint = $1, updated_at = now() where name = 'signing_key'`,
        [signing],
      );
    }
    await checkDataKeys(client, secrets);
    await client.query('commit');
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    if ((error as { code?: string }).code === '42P01') {
      throw new Error(
        'The database schema is behind this version: run `npm run migrate` (or start with MIGRATE_ON_START=true).',
        {
          cause: error,
        },
      );
    }
    throw error;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Encrypted fields' data keys must open with a configured master key (ENCRYPTION_KEY or
 * ENCRYPTION_PREVIOUS_KEYS): one key per master version is unwrapped here, so a missing
 * or wrong key stops the start with one line instead of serving undecryptable records.
 */
async function checkDataKeys(client: Client, secrets: Secrets): Promise<void> {
  const { rows } = await client.query<{
    space_id: string;
    collection_id: string;
    wrapped: Buffer;
    master_version: string;
  }>(
    `select distinct on (master_version) space_id, collection_id, wrapped, master_version
       from collection_keys order by master_version`,
  );
  const masters = [secrets.encryption.current, ...secrets.encryption.previous];
  for (const row of rows) {
    try {
      unwrapDataKey(
        masters,
        { wrapped: row.wrapped, masterVersion: row.master_version },
        row.space_id,
        row.collection_id,
      );
    } catch {
      throw new Error(
        `ENCRYPTION_KEY: data keys wrapped by master key version ${row.master_version} cannot be opened with the configured keys; set ENCRYPTION_KEY (or ENCRYPTION_PREVIOUS_KEYS) to the key they were wrapped with.`,
      );
    }
  }
}
