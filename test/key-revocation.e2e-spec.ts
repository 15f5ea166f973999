import { createTestApp, TestApp } from './create-test-app';
import { canRunPrivateRedis, startPrivateRedis } from './private-redis';
import { bearer, createKey, createSpace, signup } from './factories';
import type { KeyTokenDto } from './json';

// Two instances share one database (and Redis when configured). The embedded
// database serves a single process by design, so there is nothing to broadcast to.
const me = (t: TestApp, headers: Record<string, string>) =>
  t.app.inject({ method: 'GET', url: '/api/auth/me', headers });

/** Deletes or regenerates a key through instance `t`; answers the status. */
async function change(
  t: TestApp,
  token: string,
  spaceId: string,
  keyId: string,
  how: 'delete' | 'regenerate',
): Promise<number> {
  const url = `/api/spaces/${spaceId}/api-keys/${keyId}`;
  const res = await t.app.inject(
    how === 'delete'
      ? { method: 'DELETE', url, headers: bearer(token) }
      : { method: 'POST', url: `${url}/regenerate`, headers: bearer(token) },
  );
  return res.statusCode;
}

async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > ms) throw new Error(`not seen within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return Date.now() - start;
}

const shared = process.env.DATABASE_URL || process.env.REDIS_URL ? describe : describe.skip;

shared('key revocation across instances', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    a = await createTestApp();
    b = await createTestApp({ db: a.db, secrets: a.secrets });
  });
  afterAll(async () => {
    await b.close();
    await a.close();
  });

  it('a deleted or regenerated key is rejected by the other instance within a second', async () => {
    const owner = await signup(a.app);
    const space = await createSpace(a.app, owner.access_token);
    const doomed = await createKey(a.app, bearer(owner.access_token), space.id);
    const rotated = await createKey(a.app, bearer(owner.access_token), space.id);
    const jwt = (
      await b.app.inject({ method: 'POST', url: '/api/auth/token', payload: { api_key: rotated.key } })
    ).json<KeyTokenDto>().token;
    // Both instances have both keys cached.
    for (const t of [a, b]) {
      expect((await me(t, { 'x-api-key': doomed.key })).statusCode).toBe(200);
      expect((await me(t, { 'x-api-key': rotated.key })).statusCode).toBe(200);
      expect((await me(t, bearer(jwt))).statusCode).toBe(200);
    }
    expect(await change(a, owner.access_token, space.id, doomed.id, 'delete')).toBe(204);
    expect((await me(a, { 'x-api-key': doomed.key })).statusCode).toBe(401);
    await within(1000, async () => (await me(b, { 'x-api-key': doomed.key })).statusCode === 401);

    expect(await change(a, owner.access_token, space.id, rotated.id, 'regenerate')).toBe(201);
    await within(1000, async () => (await me(b, { 'x-api-key': rotated.key })).statusCode === 401);
    expect((await me(b, bearer(jwt))).statusCode).toBe(401);
  });
});

// A private Redis that the test may kill; the instances share a real Postgres.
const withPrivateRedis = process.env.DATABASE_URL && canRunPrivateRedis() ? describe : describe.skip;

withPrivateRedis('key revocation while Redis is down', () => {
  it('a key deleted during the outage is refused by the other instance on its next request', async () => {
    const redis = await startPrivateRedis();
    const env = { REDIS_URL: redis.url };
    const a = await createTestApp({ env });
    const b = await createTestApp({ env, db: a.db, secrets: a.secrets });
    try {
      const owner = await signup(a.app);
      const space = await createSpace(a.app, owner.access_token);
      const doomed = await createKey(a.app, bearer(owner.access_token), space.id);
      const regenerated = await createKey(a.app, bearer(owner.access_token), space.id);
      for (const k of [doomed, regenerated]) expect((await me(b, { 'x-api-key': k.key })).statusCode).toBe(200);
      redis.kill();
      await new Promise((r) => setTimeout(r, 300));
      // B still serves its cached keys while Redis is gone.
      expect((await me(b, { 'x-api-key': regenerated.key })).statusCode).toBe(200);
      expect(await change(a, owner.access_token, space.id, doomed.id, 'delete')).toBe(204);
      const ms = await within(500, async () => (await me(b, { 'x-api-key': doomed.key })).statusCode === 401);
      expect(await change(a, owner.access_token, space.id, regenerated.id, 'regenerate')).toBe(201);
      await within(500, async () => (await me(b, { 'x-api-key': regenerated.key })).statusCode === 401);
      expect(ms).toBeLessThan(500);
    } finally {
      await b.close();
      await a.close();
      redis.kill();
    }
  });
});
