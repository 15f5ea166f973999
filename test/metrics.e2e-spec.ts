import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { createTestApp, TestApp } from './create-test-app';
import { bearer, createCollection, createKey, createSpace, signup } from './factories';

interface Family {
  name: string;
  type: string;
  metrics: { labels?: Record<string, string>; value?: string; buckets?: Record<string, string> }[];
}

const scrape = async (t: TestApp, headers: Record<string, string> = {}, remoteAddress?: string) =>
  t.app.inject({ method: 'GET', url: '/metrics', headers, ...(remoteAddress ? { remoteAddress } : {}) });
const families = (text: string) => parsePrometheusTextFormat(text) as Family[];

describe('GET /metrics (Prometheus)', () => {
  let t: TestApp;
  beforeAll(async () => {
    // Rate limits on (tests run them off by default), so budget checks are timed.
    t = await createTestApp({ env: { RATE_LIMITS_ENABLED: 'true', TIERS_JSON: '{"free": 1000000}' } });
  });
  afterAll(() => t.close());

  it('exposes request durations by route template, rejections by reason, the pool and process metrics', async () => {
    const owner = await signup(t.app);
    const space = await createSpace(t.app, owner.access_token);
    await createCollection(t.app, bearer(owner.access_token), space.id);
    const base = `/api/spaces/${space.id}/collections/orders/records`;
    // 1,000 distinct record ids (404s): the route label is the template, so no series per id.
    for (let i = 0; i < 1000; i++) {
      const id = `0190b7a4-0000-7000-8000-${String(i).padStart(12, '0')}`;
      await t.app.inject({ method: 'GET', url: `${base}/${id}`, headers: bearer(owner.access_token) });
    }
    await t.app.inject({ method: 'GET', url: '/api/auth/me' });
    // A key twice (a miss, then a hit of the key cache) and the budget checks they cost.
    const key = await createKey(t.app, bearer(owner.access_token), space.id);
    for (let i = 0; i < 2; i++)
      await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: { 'x-api-key': key.key } });
    await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: { 'x-api-key': 'ptc_garbage' } });

    const res = await scrape(t);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    const parsed = families(res.body);
    const byName = new Map(parsed.map((f) => [f.name, f]));
    expect(byName.get('portico_http_request_duration_seconds')?.type).toBe('HISTOGRAM');
    const requests = byName.get('portico_http_requests_total')!;
    const routes = new Set(requests.metrics.map((m) => m.labels!.route));
    expect(routes).toContain('/api/spaces/:space_id/collections/:name/records/:id');
    expect(routes.size).toBeLessThan(20);
    expect(res.body).not.toMatch(/0190b7a4-0000-7000-8000-/);
    const lookups = requests.metrics.find(
      (m) => m.labels!.route === '/api/spaces/:space_id/collections/:name/records/:id' && m.labels!.status === '404',
    );
    expect(lookups?.value).toBe('1000');
    // The histogram has the same series: its count for them is the same 1,000.
    expect(res.body).toMatch(
      /portico_http_request_duration_seconds_count\{method="GET",route="\/api\/spaces\/:space_id\/collections\/:name\/records\/:id",status="404"\} 1000/,
    );

    const rejections = byName.get('portico_http_rejections_total')!;
    const reasons = rejections.metrics.map((m) => `${m.labels!.status} ${m.labels!.reason}`);
    expect(reasons).toEqual(expect.arrayContaining(['404 not-found', '401 unauthorized']));
    for (const name of [
      'portico_db_pool_connections',
      'nodejs_eventloop_lag_seconds',
      'process_cpu_user_seconds_total',
    ])
      expect({ name, present: byName.has(name) }).toEqual({ name, present: true });
  });

  it('answers loopback only without METRICS_TOKEN, and the bearer token when it is set', async () => {
    expect((await scrape(t, {}, '203.0.113.9')).statusCode).toBe(403);
    const guarded = await createTestApp({
      db: t.db,
      secrets: t.secrets,
      env: { METRICS_TOKEN: 'metrics-token-0123456789abcdef' },
    });
    try {
      expect((await scrape(guarded)).statusCode).toBe(401);
      expect((await scrape(guarded, bearer('metrics-token-0123456789abcdeX'))).statusCode).toBe(401);
      const ok = await scrape(guarded, bearer('metrics-token-0123456789abcdef'), '203.0.113.9');
      expect(ok.statusCode).toBe(200);
      expect(families(ok.body).length).toBeGreaterThan(10);
    } finally {
      await guarded.close();
    }
  });
});
