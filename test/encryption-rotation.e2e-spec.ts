import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { loadSecrets, Secrets } from '@app/config';
import { rewrapDataKeys, unwrapDataKey } from '@app/collections';
import { createTestApp, TestApp } from './create-test-app';
import { bearer, createSpace, signup } from './factories';

const b64 = (key: Buffer) => key.toString('base64');
/** The master key as loadSecrets makes it (its version is a fingerprint of the key). */
const master = (key: Buffer) =>
  loadSecrets({ ENCRYPTION_KEY: b64(key) }, mkdtempSync(join(tmpdir(), 'k-')), false).encryption.current;

/** Master-key rotation (API.md, "Encrypted fields": rotated without downtime). */
describe('rotating the master key of encrypted fields', () => {
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);
  let a: TestApp;
  let base: string;
  let h: Record<string, string>;
  const ids: string[] = [];

  beforeAll(async () => {
    a = await createTestApp({ env: { ENCRYPTION_KEY: b64(oldKey) } });
    const owner = await signup(a.app);
    h = bearer(owner.access_token);
    const space = await createSpace(a.app, owner.access_token);
    for (const name of ['people', 'cards']) {
      const made = await a.app.inject({
        method: 'POST',
        url: `/api/spaces/${space.id}/collections`,
        headers: h,
        payload: { name, fields: [{ name: 'secret', type: 'text', encrypted: true }] },
      });
      expect(made.statusCode).toBe(201);
    }
    base = `/api/spaces/${space.id}/collections/people/records`;
    for (let i = 0; i < 3; i++)
      ids.push(
        (await a.app.inject({ method: 'POST', url: base, headers: h, payload: { secret: `s-${i}` } })).json<{
          id: string;
        }>().id,
      );
    await a.app.inject({
      method: 'POST',
      url: `/api/spaces/${space.id}/collections/cards/records`,
      headers: h,
      payload: { secret: 'c' },
    });
  });
  afterAll(() => a.close());

  it('re-wraps every data key with requests in flight, then runs without the old key', async () => {
    const rotated: Secrets = { ...a.secrets, encryption: { current: master(newKey), previous: [master(oldKey)] } };
    // Reads and writes keep going while the keys are re-wrapped.
    let stop = false;
    const statuses: number[] = [];
    const traffic = (async () => {
      for (let i = 0; !stop || i < 5; i++) {
        statuses.push((await a.app.inject({ method: 'GET', url: `${base}/${ids[i % 3]}`, headers: h })).statusCode);
        statuses.push(
          (await a.app.inject({ method: 'POST', url: base, headers: h, payload: { secret: `t-${i}` } })).statusCode,
        );
      }
    })();
    const client = new Client({ connectionString: a.db.url });
    await client.connect();
    try {
      const first = await rewrapDataKeys(client, rotated);
      expect(first).toEqual({ rewrapped: 2, unopened: [] });
      expect(await rewrapDataKeys(client, rotated)).toEqual({ rewrapped: 0, unopened: [] });
    } finally {
      await client.end();
    }
    stop = true;
    await traffic;
    expect(new Set(statuses)).toEqual(new Set([200, 201]));
    const versions = await a.sql<{ master_version: string }>('select distinct master_version from collection_keys');
    expect(versions).toEqual([{ master_version: master(newKey).version }]);

    // The old key can go: every data key opens with the new one alone.
    const rows = await a.sql<{ space_id: string; collection_id: string; wrapped: Buffer; master_version: string }>(
      'select space_id, collection_id, wrapped, master_version from collection_keys',
    );
    for (const r of rows)
      expect(
        unwrapDataKey(
          [master(newKey)],
          { wrapped: r.wrapped, masterVersion: r.master_version },
          r.space_id,
          r.collection_id,
        ),
      ).toHaveLength(32);
    // An instance with only the new key starts and reads everything (a second process on the
    // embedded database would share its one session, so real Postgres only).
    if (process.env.DATABASE_URL) {
      const next = await createTestApp({
        db: a.db,
        secrets: { ...a.secrets, encryption: { current: master(newKey), previous: [] } },
      });
      try {
        const res = await next.app.inject({ method: 'GET', url: `${base}/${ids[2]}`, headers: h });
        expect(res.json()).toMatchObject({ secret: 's-2' });
      } finally {
        await next.close();
      }
    }
    // And one that has only the old key refuses to start.
    await expect(
      createTestApp({ db: a.db, secrets: { ...a.secrets, encryption: { current: master(oldKey), previous: [] } } }),
    ).rejects.toThrow(/^ENCRYPTION_KEY: data keys wrapped by master key version/);
  });

  // The command itself, on a database it can reach from another process (real Postgres).
  (process.env.DATABASE_URL ? it : it.skip)('npm run keys:rotate reports what it did and is idempotent', () => {
    const env = {
      ...process.env,
      DATABASE_URL: a.db.url,
      DATA_DIR: mkdtempSync(join(tmpdir(), 'portico-rotate-')),
      ENCRYPTION_KEY: b64(randomBytes(32)),
      ENCRYPTION_PREVIOUS_KEYS: b64(newKey),
    };
    const run = () => spawnSync(process.execPath, ['dist/apps/api/src/rotate-keys.js'], { env, encoding: 'utf8' });
    const once = run();
    expect(once.status).toBe(0);
    expect(once.stdout).toMatch(/^Re-wrapped 2 data key\(s\) under master key /);
    expect(run().stdout).toMatch(/^Re-wrapped 0 data key\(s\)/);
  });
});
