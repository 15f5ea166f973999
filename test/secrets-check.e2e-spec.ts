import { createSecretKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { keyId, MasterKey, Secrets } from '@app/config';
import { newDataKey, wrapDataKey } from '@app/collections';
import { createTestApp, TestApp } from './create-test-app';
import { bearer, createCollection, createSpace, signup } from './factories';
import { adminQuery, withDatabase } from './test-database';

// Two instances on one database: only a real Postgres serves several processes.
const shared = process.env.DATABASE_URL ? describe : describe.skip;

shared('instances on one database must share their secrets', () => {
  let a: TestApp;
  beforeAll(async () => {
    a = await createTestApp();
    await signup(a.app);
  });
  afterAll(() => a.close());

  it('refuses to start with another pepper or signing key, with a one-line reason', async () => {
    // No `secrets`: the second instance generates its own in another DATA_DIR.
    await expect(createTestApp({ db: a.db })).rejects.toThrow(
      /^API_KEY_PEPPER differs from the one this database was set up with;[^\n]*$/,
    );
    const otherKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const foreign: Secrets = {
      ...a.secrets,
      signingKey: { kid: keyId(otherKey.publicKey), privateKey: otherKey.privateKey, publicKey: otherKey.publicKey },
      verifyKeys: [],
    };
    await expect(createTestApp({ db: a.db, secrets: foreign })).rejects.toThrow(/JWT_PRIVATE_KEY differs/);
  });

  it('starts with the same secrets, and follows a signing key rotated the documented way', async () => {
    const same = await createTestApp({ db: a.db, secrets: a.secrets });
    await same.close();
    const next = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const rotated: Secrets = {
      ...a.secrets,
      signingKey: { kid: keyId(next.publicKey), privateKey: next.privateKey, publicKey: next.publicKey },
      verifyKeys: [{ kid: a.secrets.signingKey.kid, publicKey: a.secrets.signingKey.publicKey }],
    };
    const r = await createTestApp({ db: a.db, secrets: rotated });
    await r.close();
    const stored = await a.sql<{ fingerprint: string }>(
      `select fingerprint from deployment_secrets where name = 'signing_key'`,
    );
    expect(stored[0].fingerprint).toBe(rotated.signingKey.kid);
    // Nothing secret is stored: only fingerprints.
    expect(JSON.stringify(await a.sql('select * from deployment_secrets'))).not.toContain(
      a.secrets.pepper.export().toString('utf8'),
    );
  });
});

shared('an unmigrated database', () => {
  it('refuses to start with one line saying to migrate', async () => {
    const name = `portico_unmigrated_${process.pid}`;
    const server = process.env.DATABASE_URL!;
    await adminQuery(server, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await adminQuery(server, `CREATE DATABASE ${name}`);
    try {
      const db = { url: withDatabase(server, name), kind: 'postgres' as const, close: () => Promise.resolve() };
      await expect(createTestApp({ db })).rejects.toThrow(
        /^The database schema is behind this version: run `npm run migrate`/,
      );
    } finally {
      await adminQuery(server, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    }
  });
});

describe('data keys of encrypted fields', () => {
  it('refuses to start when a data key opens with no configured master key, and starts with it', async () => {
    const a = await createTestApp();
    try {
      const owner = await signup(a.app);
      const space = await createSpace(a.app, owner.access_token);
      await createCollection(a.app, bearer(owner.access_token), space.id);
      const [{ id }] = await a.sql<{ id: string }>('select id from collections where space_id = ?', [space.id]);
      // A key wrapped by a master key this deployment does not have (say, ENCRYPTION_KEY was lost).
      const lost: MasterKey = { version: 'lost-key-v1', key: createSecretKey(randomBytes(32)) };
      const { wrapped, masterVersion } = wrapDataKey(lost, newDataKey(), space.id, id);
      await a.sql(
        'insert into collection_keys (space_id, collection_id, wrapped, master_version) values (?, ?, ?, ?)',
        [space.id, id, wrapped, masterVersion],
      );
      await expect(createTestApp({ db: a.db, secrets: a.secrets })).rejects.toThrow(
        /^ENCRYPTION_KEY: data keys wrapped by master key version lost-key-v1 cannot be opened[^\n]*$/,
      );
      // With the lost key among the previous ones (a rotation in progress), it starts.
      const found: Secrets = { ...a.secrets, encryption: { ...a.secrets.encryption, previous: [lost] } };
      const b = await createTestApp({ db: a.db, secrets: found });
      await b.close();
    } finally {
      await a.close();
    }
  });
});
