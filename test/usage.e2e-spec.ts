import type { FastifyReply, FastifyRequest } from 'fastify';
import { UsageMeter, UsageRetention } from '@app/usage';
import type { UsagePoint } from '../libs/usage/src/usage-counts';
import { createTestApp, TestApp } from './create-test-app';
import { addMember, bearer, createCollection, createKey, createSpace, signup, uniqueEmail } from './factories';
import type { ApiKeyListItemDto, Page, Problem } from './json';
import { apiKeyPrincipal } from './principals';

const FLUSH_MS = 100;
const ADMIN_EMAIL = uniqueEmail('usage-admin');
type Series = { data: UsagePoint[] };
type Totals = Omit<UsagePoint, 'at' | 'p50_ms' | 'p95_ms'>;

const sum = (points: UsagePoint[]): Totals => {
  const total: Totals = {
    requests: 0,
    by_status: { '2xx': 0, '401': 0, '403': 0, '404': 0, '429': 0, '4xx': 0, '5xx': 0 },
  };
  for (const p of points) {
    total.requests += p.requests;
    for (const k of Object.keys(total.by_status) as (keyof Totals['by_status'])[]) total.by_status[k] += p.by_status[k];
  }
  return total;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Usage per space and key (API.md, "Usage and metrics")', () => {
  let t: TestApp;
  let owner: { access_token: string; id: string };
  let spaceId: string;

  const usage = (query: string, headers: Record<string, string> = bearer(owner.access_token), space = spaceId) =>
    t.app.inject({ method: 'GET', url: `/api/spaces/${space}/usage?${query}`, headers });

  /** Polls until `until` holds, for at most one flush and a second of slack. */
  async function usageOf(query: string, until: (total: Totals) => boolean): Promise<Totals> {
    const deadline = Date.now() + FLUSH_MS + 1000;
    for (;;) {
      const res = await usage(query);
      expect(res.statusCode).toBe(200);
      const total = sum(res.json<Series>().data);
      if (until(total) || Date.now() > deadline) return total;
      await sleep(25);
    }
  }

  beforeAll(async () => {
    t = await createTestApp({
      env: {
        USAGE_FLUSH_MS: String(FLUSH_MS),
        RATE_LIMITS_ENABLED: 'true',
        TIERS_JSON: '{"free": 1000000}',
        PLATFORM_ADMIN_EMAILS: ADMIN_EMAIL,
      },
    });
    owner = await signup(t.app);
    spaceId = (await createSpace(t.app, owner.access_token)).id;
    await createCollection(t.app, bearer(owner.access_token), spaceId);
  });
  afterAll(() => t.close());

  it("counts a key's 200, 403 and 429, its 401s after deletion, and a wrong address's 403", async () => {
    const key = await createKey(t.app, bearer(owner.access_token), spaceId, {
      collection_permissions: { orders: ['read'] },
      rate_limit_per_minute: 3,
    });
    const records = `/api/spaces/${spaceId}/collections/orders/records`;
    const asKey = { 'x-api-key': key.key };
    const statuses = [
      (await t.app.inject({ method: 'GET', url: records, headers: asKey })).statusCode,
      (await t.app.inject({ method: 'GET', url: records, headers: asKey })).statusCode,
      (await t.app.inject({ method: 'POST', url: records, headers: asKey, payload: { status: 'new' } })).statusCode,
      (await t.app.inject({ method: 'GET', url: records, headers: asKey })).statusCode,
    ];
    expect(statuses).toEqual([200, 200, 403, 429]);
    const deleted = await t.app.inject({
      method: 'DELETE',
      url: `/api/spaces/${spaceId}/api-keys/${key.id}`,
      headers: bearer(owner.access_token),
    });
    expect(deleted.statusCode).toBe(204);
    for (let i = 0; i < 2; i++)
      expect((await t.app.inject({ method: 'GET', url: records, headers: asKey })).statusCode).toBe(401);

    const total = await usageOf(`granularity=minute&key_id=${key.id}`, (u) => u.requests >= 6);
    expect(total).toEqual({
      requests: 6,
      by_status: { '2xx': 2, '401': 2, '403': 1, '404': 0, '429': 1, '4xx': 0, '5xx': 0 },
    });

    // A key used from outside its allowlist: refused with 403, counted for that key.
    const fenced = await createKey(t.app, bearer(owner.access_token), spaceId, { allowed_ips: ['203.0.113.0/24'] });
    const away = await t.app.inject({ method: 'GET', url: records, headers: { 'x-api-key': fenced.key } });
    expect(away.statusCode).toBe(403);
    const fencedTotal = await usageOf(`granularity=minute&key_id=${fenced.id}`, (u) => u.requests >= 1);
    expect(fencedTotal.by_status['403']).toBe(1);
  });

  it("adds up two instances' counts on one database, and shows requests_24h on the key list", async () => {
    const second = await createTestApp({ db: t.db, secrets: t.secrets, env: { USAGE_FLUSH_MS: String(FLUSH_MS) } });
    try {
      const key = await createKey(t.app, bearer(owner.access_token), spaceId, {
        collection_permissions: { orders: ['read'] },
      });
      const idle = await createKey(t.app, bearer(owner.access_token), spaceId);
      const url = `/api/spaces/${spaceId}/collections/orders/records`;
      for (const app of [t.app, t.app, t.app, second.app, second.app])
        expect((await app.inject({ method: 'GET', url, headers: { 'x-api-key': key.key } })).statusCode).toBe(200);
      const total = await usageOf(`granularity=hour&key_id=${key.id}`, (u) => u.requests >= 5);
      expect(total.requests).toBe(5);

      const list = await t.app.inject({
        method: 'GET',
        url: `/api/spaces/${spaceId}/api-keys?limit=100`,
        headers: bearer(owner.access_token),
      });
      expect(list.statusCode).toBe(200);
      const byId = new Map(list.json<Page<ApiKeyListItemDto>>().data.map((k) => [k.id, k]));
      expect(byId.get(key.id)?.requests_24h).toBe(5);
      expect(byId.get(idle.id)?.requests_24h).toBe(0);
    } finally {
      await second.close();
    }
  });

  it('keeps minute, hour and day rollups in agreement, with percentiles from the latency buckets', async () => {
    const space = await createSpace(t.app, owner.access_token, 'Rollups');
    const meter = t.app.get(UsageMeter);
    const key = apiKeyPrincipal({ id: '0190b7a4-0000-7000-8000-00000000feed', spaceId: space.id });
    // Requests over three hours, crossing hour boundaries, as the response hook counts them.
    const start = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 2 * 3_600_000 - 20 * 60_000;
    const statuses = [200, 200, 201, 404, 429, 500, 401, 403, 422];
    for (let i = 0; i < 180; i++) {
      const request = { principal: key, params: {} } as unknown as FastifyRequest;
      const reply = { statusCode: statuses[i % statuses.length], elapsedTime: 1 + (i % 40) } as FastifyReply;
      meter.record(request, reply, start + i * 67_000);
    }
    await meter.flush();
    const range = `from=${new Date(start).toISOString()}&to=${new Date(start + 4 * 3_600_000).toISOString()}`;
    const read = async (granularity: string) => {
      const res = await usage(
        `${range}&granularity=${granularity}&key_id=${key.id}`,
        bearer(owner.access_token),
        space.id,
      );
      expect(res.statusCode).toBe(200);
      return res.json<Series>().data;
    };
    const minutes = await read('minute');
    const hours = await read('hour');
    expect(minutes).toHaveLength(240);
    expect(hours.length).toBeGreaterThanOrEqual(4);
    expect(sum(minutes)).toEqual({
      requests: 180,
      by_status: { '2xx': 60, '401': 20, '403': 20, '404': 20, '429': 20, '4xx': 20, '5xx': 20 },
    });
    expect(sum(hours)).toEqual(sum(minutes));
    // Each hour point is the sum of its minutes.
    for (const hour of hours) {
      const at = Date.parse(hour.at);
      const inside = minutes.filter((m) => Date.parse(m.at) >= at && Date.parse(m.at) < at + 3_600_000);
      expect(sum([hour])).toEqual(sum(inside));
    }
    const dayRange = `from=${new Date(start - 86_400_000).toISOString()}&to=${new Date(start + 86_400_000).toISOString()}`;
    const days = await usage(`${dayRange}&granularity=day&key_id=${key.id}`, bearer(owner.access_token), space.id);
    expect(sum(days.json<Series>().data)).toEqual(sum(minutes));
    // The whole space's rows count the same requests;  latencies 1–40 ms give p50 ≈ 20, p95 ≈ 38.
    const whole = sum(
      (await usage(`${range}&granularity=hour`, bearer(owner.access_token), space.id)).json<Series>().data,
    );
    // Plus the owner's own reads of this usage (2xx), as far as they were flushed yet.
    const reads = whole.requests - 180;
    expect(reads).toBeGreaterThanOrEqual(0);
    expect(whole).toEqual({ requests: 180 + reads, by_status: { ...sum(minutes).by_status, '2xx': 60 + reads } });
    const busiest = hours.reduce((a, b) => (b.requests > a.requests ? b : a));
    expect(busiest.p50_ms).toBeGreaterThan(10);
    expect(busiest.p50_ms).toBeLessThanOrEqual(30);
    expect(busiest.p95_ms).toBeGreaterThanOrEqual(busiest.p50_ms!);
    expect(busiest.p95_ms).toBeLessThanOrEqual(50);
    expect(minutes.find((m) => m.requests === 0)).toMatchObject({ p50_ms: null, p95_ms: null });
  });

  it('counts unknown credentials for the space whose path they named, and for no key', async () => {
    const space = await createSpace(t.app, owner.access_token, 'Probed');
    const forged = 'ptc_' + 'A'.repeat(71);
    const url = `/api/spaces/${space.id}/collections/orders/records`;
    expect((await t.app.inject({ method: 'GET', url, headers: { 'x-api-key': forged } })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url })).statusCode).toBe(401);
    const deadline = Date.now() + FLUSH_MS + 1000;
    let total: Totals;
    do {
      await sleep(25);
      const res = await usage('granularity=minute', bearer(owner.access_token), space.id);
      total = sum(res.json<Series>().data);
    } while (total.by_status['401'] < 2 && Date.now() < deadline);
    // The owner's own reads of the usage count too (2xx); the two refusals are there.
    expect(total.by_status['401']).toBe(2);
  });

  it('answers 400 for a range over 400 points, an inverted range, past retention, and bad parameters', async () => {
    const now = Date.now();
    const iso = (ms: number) => new Date(ms).toISOString();
    const cases = [
      `granularity=minute&from=${iso(now - 7 * 3_600_000)}`,
      `granularity=hour&from=${iso(now)}&to=${iso(now - 3_600_000)}`,
      `granularity=minute&from=${iso(now - 5 * 86_400_000)}&to=${iso(now - 5 * 86_400_000 + 3_600_000)}`,
      `granularity=day&from=${iso(now - 3 * 365 * 86_400_000)}&to=${iso(now - 3 * 365 * 86_400_000 + 86_400_000)}`,
      'granularity=week',
      'key_id=not-a-uuid',
      'from=yesterday',
    ];
    for (const query of cases) {
      const res = await usage(query);
      expect({ query, status: res.statusCode }).toEqual({ query, status: 400 });
      expect(res.json<Problem>().detail).toEqual(expect.any(String));
    }
    const capped = await usage(`granularity=minute&from=${iso(now - 7 * 3_600_000)}`);
    expect(capped.json<Problem>().detail).toMatch(/at most 400 points/);
  });

  it("deletes usage past its grain's retention and the space's tier, and keeps the rest", async () => {
    const space = await createSpace(t.app, owner.access_token, 'Retention');
    const subject = '0190b7a4-0000-7000-8000-00000000beef';
    const counts = '{1,1,0,0,0,0,0,0}';
    const put = (table: string, daysAgo: number) =>
      t.sql(
        `insert into ${table} (space_id, subject_id, at, counts) values (?, ?, now() - make_interval(secs => ? * 86400), ?)`,
        [space.id, subject, daysAgo, counts],
      );
    // The free tier keeps 30 days: minutes go after 2 days, hours after 30 (not 31), days after 30.
    for (const [table, days] of [
      ['usage_minutes', 1],
      ['usage_minutes', 3],
      ['usage_hours', 29],
      ['usage_hours', 30.5],
      ['usage_days', 29],
      ['usage_days', 40],
    ] as const)
      await put(table, days);
    await t.app.get(UsageRetention).run();
    const left = await t.sql<{ grain: string; days: number }>(
      `select 'minutes' as grain, round(extract(epoch from now() - at) / 86400)::int as days from usage_minutes where space_id = ? and subject_id = ?
       union all select 'hours', round(extract(epoch from now() - at) / 86400)::int from usage_hours where space_id = ? and subject_id = ?
       union all select 'days', round(extract(epoch from now() - at) / 86400)::int from usage_days where space_id = ? and subject_id = ?
       order by 1, 2`,
      [space.id, subject, space.id, subject, space.id, subject],
    );
    expect(left).toEqual([
      { grain: 'days', days: 29 },
      { grain: 'hours', days: 29 },
      { grain: 'minutes', days: 1 },
    ]);
  });

  it('lets admins, owners and audit:read keys read usage; others get 403, other spaces 404', async () => {
    const editor = await signup(t.app);
    const admin = await signup(t.app);
    const outsider = await signup(t.app);
    await addMember(t.app, owner.access_token, spaceId, editor.email, 'editor');
    await addMember(t.app, owner.access_token, spaceId, admin.email, 'admin');
    const reader = await createKey(t.app, bearer(owner.access_token), spaceId, { scopes: ['audit:read'] });
    const plain = await createKey(t.app, bearer(owner.access_token), spaceId);
    const adminKey = await createKey(t.app, bearer(owner.access_token), spaceId, { is_admin: true });
    const otherSpace = await createSpace(t.app, outsider.access_token, 'Elsewhere');
    const otherKey = await createKey(t.app, bearer(outsider.access_token), otherSpace.id, { is_admin: true });
    const cases: [string, Record<string, string>, number][] = [
      ['owner', bearer(owner.access_token), 200],
      ['admin', bearer(admin.access_token), 200],
      ['audit:read key', { 'x-api-key': reader.key }, 200],
      ['admin key', { 'x-api-key': adminKey.key }, 200],
      ['editor', bearer(editor.access_token), 403],
      ['key without audit:read', { 'x-api-key': plain.key }, 403],
      ['outsider', bearer(outsider.access_token), 404],
      ["another space's admin key", { 'x-api-key': otherKey.key }, 404],
      ['anonymous', {}, 401],
    ];
    for (const [who, headers, status] of cases) {
      const res = await usage('granularity=hour', headers);
      expect({ who, status: res.statusCode }).toEqual({ who, status });
    }
    // Platform-wide usage: platform admins only.
    const platformAdmin = await signup(t.app, { email: ADMIN_EMAIL });
    const platform = (headers: Record<string, string>) =>
      t.app.inject({ method: 'GET', url: '/api/usage?granularity=hour', headers });
    expect((await platform(bearer(platformAdmin.access_token))).statusCode).toBe(200);
    expect((await platform(bearer(owner.access_token))).statusCode).toBe(403);
    expect((await platform({ 'x-api-key': adminKey.key })).statusCode).toBe(403);
  });
});
