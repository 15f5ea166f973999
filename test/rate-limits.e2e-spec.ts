import { randomInt } from 'node:crypto';
import { createTestApp, TestApp } from './create-test-app';
import { canRunPrivateRedis, startPrivateRedis } from './private-redis';
import { bearer, createKey, createSpace, signup, uniqueEmail } from './factories';
import type { Problem } from './json';

const ON = { RATE_LIMITS_ENABLED: 'true' };
// Every test uses addresses of its own: budgets in a shared Redis outlive a test run.
const someIp = () => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;

describe('rate limits by tier', () => {
  let t: TestApp;
  const inject = (opts: Parameters<TestApp['app']['inject']>[0]) => t.app.inject(opts);
  beforeAll(async () => {
    t = await createTestApp({
      env: { ...ON, RATE_LIMIT_USER_PER_MINUTE: '5', RATE_LIMIT_BAD_CREDENTIAL_PER_MINUTE: '20' },
    });
  });
  afterAll(() => t.close());

  async function keyedSpace(keyBody: Record<string, unknown> = {}) {
    const owner = await signup(t.app);
    const space = await createSpace(t.app, owner.access_token);
    const key = await createKey(t.app, bearer(owner.access_token), space.id, { is_admin: true, ...keyBody });
    return { owner, space, key };
  }

  it("reads a member's role once per request, though the limit guard and the handler both need it", async () => {
    const { owner, space } = await keyedSpace();
    const before = t.queries.length;
    const res = await inject({
      method: 'GET',
      url: `/api/spaces/${space.id}/collections`,
      headers: bearer(owner.access_token),
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['ratelimit-policy']).toBe('"space";q=50;w=60');
    const memberships = t.queries.slice(before).filter((q) => q.includes('from space_members'));
    expect(memberships).toHaveLength(1);
  });

  it('gives a free space exactly 50 requests a minute, with headers on every response', async () => {
    const { space, key } = await keyedSpace();
    const url = `/api/spaces/${space.id}`;
    // Creating the key was the space's first request of the minute.
    for (let i = 1; i < 50; i++) {
      const res = await inject({ method: 'GET', url, headers: { 'x-api-key': key.key } });
      expect(res.statusCode).toBe(200);
      expect(res.headers['x-ratelimit-limit']).toBe('50');
      expect(res.headers['x-ratelimit-remaining']).toBe(String(49 - i));
      expect(Number(res.headers['x-ratelimit-reset'])).toBeGreaterThan(Date.now() / 1000);
      expect(res.headers['ratelimit-policy']).toBe('"space";q=50;w=60');
      expect(res.headers['ratelimit']).toBe(
        `"space";r=${49 - i};t=${res.headers['ratelimit']!.toString().split('t=')[1]}`,
      );
    }
    const limited = await inject({ method: 'GET', url, headers: { 'x-api-key': key.key } });
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['content-type']).toContain('application/problem+json');
    expect(limited.json()).toMatchObject({ status: 429, type: 'urn:portico:problem:rate-limited' });
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(121);
    expect(
      Math.abs(Number(limited.headers['x-ratelimit-reset']) - (Date.now() / 1000 + retryAfter)),
    ).toBeLessThanOrEqual(2);
    expect(limited.headers['x-ratelimit-remaining']).toBe('0');
  });

  it("applies a key's own lower cap, and keeps spaces' budgets apart", async () => {
    const a = await keyedSpace({ rate_limit_per_minute: 3 });
    const other = await createKey(t.app, bearer(a.owner.access_token), a.space.id, { is_admin: true });
    const b = await keyedSpace();
    const get = (key: string, spaceId: string) =>
      inject({ method: 'GET', url: `/api/spaces/${spaceId}`, headers: { 'x-api-key': key } });
    for (let i = 0; i < 3; i++)
      expect((await get(a.key.key, a.space.id)).headers['ratelimit-policy']).toBe('"key";q=3;w=60');
    const capped = await get(a.key.key, a.space.id);
    expect(capped.statusCode).toBe(429);
    expect(capped.json<Problem>().detail).toContain('key budget');
    // The space (2 key creations + 3 requests; the refused one spent nothing) still has room for its other key;
    // another space is untouched by all of it.
    expect((await get(other.key, a.space.id)).headers['x-ratelimit-remaining']).toBe('44');
    expect((await get(b.key.key, b.space.id)).headers['x-ratelimit-remaining']).toBe('48');
  });

  it("charges members on space routes to the space, and nobody else's requests", async () => {
    const { owner, space, key } = await keyedSpace();
    const stranger = await signup(t.app);
    for (let i = 0; i < 3; i++) {
      expect(
        (await inject({ method: 'GET', url: `/api/spaces/${space.id}`, headers: bearer(stranger.access_token) }))
          .statusCode,
      ).toBe(404);
    }
    const res = await inject({ method: 'GET', url: `/api/spaces/${space.id}`, headers: bearer(owner.access_token) });
    expect(res.headers['ratelimit-policy']).toBe('"space";q=50;w=60');
    // Key creation and this request; the stranger's three 404s spent the stranger's own budget.
    expect(res.headers['x-ratelimit-remaining']).toBe('48');
    expect(
      (await inject({ method: 'GET', url: `/api/spaces/${space.id}`, headers: { 'x-api-key': key.key } })).headers[
        'x-ratelimit-remaining'
      ],
    ).toBe('47');
  });

  it('limits requests not tied to a space per user', async () => {
    const u = await signup(t.app);
    for (let i = 0; i < 5; i++)
      expect(
        (await inject({ method: 'GET', url: '/api/auth/me', headers: bearer(u.access_token) })).headers[
          'ratelimit-policy'
        ],
      ).toBe('"user";q=5;w=60');
    expect((await inject({ method: 'GET', url: '/api/auth/me', headers: bearer(u.access_token) })).statusCode).toBe(
      429,
    );
    expect((await inject({ method: 'GET', url: '/health/live' })).headers['x-ratelimit-limit']).toBeUndefined();
  });

  it('limits login per address and per email, before checking the password', async () => {
    const u = await signup(t.app);
    const ip = someIp();
    for (let i = 0; i < 10; i++) {
      const res = await inject({
        method: 'POST',
        url: '/api/auth/login',
        remoteAddress: ip,
        payload: { email: uniqueEmail(), password: 'wrong password' },
      });
      expect(res.statusCode).toBe(401);
    }
    const right = await inject({
      method: 'POST',
      url: '/api/auth/login',
      remoteAddress: ip,
      payload: { email: u.email, password: u.password },
    });
    expect(right.statusCode).toBe(429);
    expect(right.json<Problem>().detail).toContain('auth budget');
    // The same email from ten other addresses: the eleventh attempt is refused by the email budget.
    const victim = await signup(t.app);
    for (let i = 0; i < 10; i++) {
      await inject({
        method: 'POST',
        url: '/api/auth/login',
        remoteAddress: someIp(),
        payload: { email: victim.email, password: 'guess' + i },
      });
    }
    const blocked = await inject({
      method: 'POST',
      url: '/api/auth/login',
      remoteAddress: someIp(),
      payload: { email: victim.email.toUpperCase(), password: victim.password },
    });
    expect(blocked.statusCode).toBe(429);
    expect(blocked.json<Problem>().detail).toContain('login budget');
    // Signup, token exchange and the OAuth endpoint share the address budget.
    const ip2 = someIp();
    for (let i = 0; i < 10; i++)
      await inject({ method: 'POST', url: '/api/auth/token', remoteAddress: ip2, payload: { api_key: 'ptc_x' } });
    expect(
      (
        await inject({
          method: 'POST',
          url: '/oauth/token',
          remoteAddress: ip2,
          payload: { grant_type: 'refresh_token' },
        })
      ).statusCode,
    ).toBe(429);
  });

  it('stops a flood of bad credentials from one address', async () => {
    const ip = someIp();
    const statuses: number[] = [];
    for (let i = 0; i < 22; i++) {
      statuses.push(
        (
          await inject({
            method: 'GET',
            url: '/api/auth/me',
            remoteAddress: ip,
            headers: { 'x-api-key': `ptc_guess_${i}` },
          })
        ).statusCode,
      );
    }
    expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(20)).toEqual([429, 429]);
  });
});

const withRedis = process.env.REDIS_URL ? describe : describe.skip;

withRedis('rate limits shared through Redis', () => {
  it('two app instances enforce one combined budget', async () => {
    const a = await createTestApp({ env: ON });
    const b = await createTestApp({ db: a.db, secrets: a.secrets, env: ON });
    try {
      const owner = await signup(a.app);
      const space = await createSpace(a.app, owner.access_token);
      const key = await createKey(a.app, bearer(owner.access_token), space.id, { is_admin: true });
      const results = await Promise.all(
        Array.from({ length: 60 }, (_, i) =>
          (i % 2 ? a : b).app.inject({
            method: 'GET',
            url: `/api/spaces/${space.id}`,
            headers: { 'x-api-key': key.key },
          }),
        ),
      );
      // 50 a minute, one spent creating the key: 49 pass across both instances, 11 are refused.
      const count = (status: number) => results.filter((r) => r.statusCode === status).length;
      expect({ ok: count(200), limited: count(429) }).toEqual({ ok: 49, limited: 11 });
    } finally {
      await b.close();
      await a.close();
    }
  });
});

const redisServer = canRunPrivateRedis() ? describe : describe.skip;

redisServer('when Redis goes away', () => {
  it('fails open for tenant budgets and closed (503) for brute-force budgets, without hanging', async () => {
    const redis = await startPrivateRedis();
    const t = await createTestApp({ env: { ...ON, REDIS_URL: redis.url } });
    try {
      const owner = await signup(t.app);
      const space = await createSpace(t.app, owner.access_token);
      const key = await createKey(t.app, bearer(owner.access_token), space.id, { is_admin: true });
      const url = `/api/spaces/${space.id}`;
      expect(
        (await t.app.inject({ method: 'GET', url, headers: { 'x-api-key': key.key } })).headers['x-ratelimit-limit'],
      ).toBe('50');
      redis.kill();
      await new Promise((r) => setTimeout(r, 300));
      const started = Date.now();
      const open = await t.app.inject({ method: 'GET', url, headers: { 'x-api-key': key.key } });
      expect(open.statusCode).toBe(200);
      expect(open.headers['x-ratelimit-limit']).toBeUndefined();
      const closed = await t.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { email: owner.email, password: owner.password },
      });
      expect(closed.statusCode).toBe(503);
      expect(Date.now() - started).toBeLessThan(3000);
      expect((await t.app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(503);
      // The outage is logged as a state, not a line per request.
      for (let i = 0; i < 40; i++)
        expect((await t.app.inject({ method: 'GET', url, headers: { 'x-api-key': key.key } })).statusCode).toBe(200);
      expect(t.logs.filter((l) => l.includes('failing open')).length).toBe(1);
    } finally {
      await t.close();
      redis.kill();
    }
  });
});
