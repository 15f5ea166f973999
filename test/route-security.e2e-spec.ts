import { listRoutes } from '../apps/api/src/configure-app';
import { createTestApp, TestApp } from './create-test-app';

/** Reachable without a credential; every other route must refuse an anonymous caller. */
const PUBLIC = new Set([
  'GET /health/live',
  'GET /health/ready',
  'GET /.well-known/jwks.json',
  'POST /api/auth/signup',
  'POST /api/auth/login',
  'POST /api/auth/refresh',
  'POST /api/auth/logout',
  'POST /api/auth/token',
  'POST /oauth/token',
]);
const isDocs = (url: string) => url === '/docs' || url.startsWith('/docs/') || url === '/docs*';

describe('route security', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('refuses anonymous callers and garbage keys on every non-public route', async () => {
    const routes = listRoutes(t.app).filter((r) => r.method !== 'HEAD' && r.method !== 'OPTIONS' && !isDocs(r.url));
    const guarded = routes.filter((r) => !PUBLIC.has(`${r.method} ${r.url}`));
    expect(guarded.length).toBeGreaterThan(15);
    // Every public route named above exists (the list cannot silently go stale).
    for (const name of PUBLIC) expect(routes.map((r) => `${r.method} ${r.url}`)).toContain(name);
    const garbage = 'ptc_garbage-key-0000000000';
    for (const route of guarded) {
      const url = route.url.replace(/:[a-z_]+/g, '0190b7a4-0000-7000-8000-000000000000');
      for (const headers of [{}, { 'x-api-key': garbage }, { 'x-undb-api-token': garbage }, { authorization: `Bearer ${garbage}` }]) {
        const res = await t.app.inject({ method: route.method as 'GET', url, headers, payload: route.method === 'GET' || route.method === 'DELETE' ? undefined : {} });
        expect({ route: `${route.method} ${route.url}`, headers, status: res.statusCode }).toEqual({ route: `${route.method} ${route.url}`, headers, status: 401 });
      }
    }
  });
});
