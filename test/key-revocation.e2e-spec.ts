import { createTestApp, TestApp } from './create-test-app';
import { bearer, createKey, createSpace, signup } from './factories';

// Two instances share one database (and Redis when configured). The embedded
// database serves a single process by design, so there is nothing to broadcast to.
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

  const me = (t: TestApp, headers: Record<string, string>) => t.app.inject({ method: 'GET', url: '/api/auth/me', headers });

  async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
    const start = Date.now();
    while (!(await check())) {
      if (Date.now() - start > ms) throw new Error(`not seen within ${ms} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return Date.now() - start;
  }

  it('a deleted or regenerated key is rejected by the other instance within a second', async () => {
    const owner = await signup(a.app);
    const space = await createSpace(a.app, owner.access_token);
    const doomed = await createKey(a.app, bearer(owner.access_token), space.id);
    const rotated = await createKey(a.app, bearer(owner.access_token), space.id);
    const jwt = (await b.app.inject({ method: 'POST', url: '/api/auth/token', payload: { api_key: rotated.key } })).json().token;
    // Both instances have both keys cached.
    for (const t of [a, b]) {
      expect((await me(t, { 'x-api-key': doomed.key })).statusCode).toBe(200);
      expect((await me(t, { 'x-api-key': rotated.key })).statusCode).toBe(200);
      expect((await me(t, bearer(jwt))).statusCode).toBe(200);
    }
    expect((await a.app.inject({ method: 'DELETE', url: `/api/spaces/${space.id}/api-keys/${doomed.id}`, headers: bearer(owner.access_token) })).statusCode).toBe(204);
    expect((await me(a, { 'x-api-key': doomed.key })).statusCode).toBe(401);
    await within(1000, async () => (await me(b, { 'x-api-key': doomed.key })).statusCode === 401);

    expect((await a.app.inject({ method: 'POST', url: `/api/spaces/${space.id}/api-keys/${rotated.id}/regenerate`, headers: bearer(owner.access_token) })).statusCode).toBe(201);
    await within(1000, async () => (await me(b, { 'x-api-key': rotated.key })).statusCode === 401);
    expect((await me(b, bearer(jwt))).statusCode).toBe(401);
  });
});
