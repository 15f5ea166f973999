import { listRoutes } from '../apps/api/src/configure-app';
import { createTestApp, TestApp } from './create-test-app';
import { bearer, createKey, createSpace, signup } from './factories';
import type { OpenApiDoc, Problem } from './json';

/** Reachable without a credential; every other route must refuse an anonymous caller. */
const PUBLIC = new Set([
  'GET /',
  'GET /oauth2-redirect.html',
  'GET /health/live',
  'GET /health/ready',
  'GET /.well-known/jwks.json',
  'POST /api/auth/signup',
  'POST /api/auth/login',
  'POST /api/auth/refresh',
  'POST /api/auth/logout',
  'POST /api/auth/token',
  'POST /oauth/token',
  // The authorization-code pages: a browser session of their own, no API credential.
  'GET /oauth/authorize',
  'POST /oauth/sign-in',
  'POST /oauth/consent',
  'POST /oauth/sign-out',
  'POST /oauth/revoke',
  'POST /oauth/introspect',
  'GET /.well-known/oauth-authorization-server',
  'GET /.well-known/openid-configuration',
  // The console's static files (its data comes from the guarded API) and the first-run setup,
  // which needs the one-time token the server logged.
  'GET /console',
  'GET /console/*',
  'GET /api/setup',
  'POST /api/setup',
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
      for (const headers of [
        {},
        { 'x-api-key': garbage },
        { 'x-undb-api-token': garbage },
        { authorization: `Bearer ${garbage}` },
      ]) {
        const res = await t.app.inject({
          method: route.method as 'GET',
          url,
          headers,
          payload: route.method === 'GET' || route.method === 'DELETE' ? undefined : {},
        });
        expect({ route: `${route.method} ${route.url}`, headers, status: res.statusCode }).toEqual({
          route: `${route.method} ${route.url}`,
          headers,
          status: 401,
        });
      }
    }
  });
});

describe('OpenAPI security entries', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('match enforcement: public routes none, users-only bearer, key routes the key schemes and oauth2', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/docs/openapi.json' })).json<
      OpenApiDoc<{ security?: Record<string, unknown>[] }>
    >();
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual([
      'X-Api-Key',
      'bearer',
      'oauth2',
      'x-undb-api-token',
    ]);
    const schemesOf = (op: { security?: Record<string, unknown>[] }) =>
      (op.security ?? []).flatMap((s) => Object.keys(s)).sort();
    const owner = await signup(t.app);
    const space = await createSpace(t.app, owner.access_token);
    const adminKey = (await createKey(t.app, bearer(owner.access_token), space.id, { is_admin: true })).key;
    let checked = 0;
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const route = `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`;
        const schemes = schemesOf(op);
        if (PUBLIC.has(route)) {
          expect({ route, schemes }).toEqual({ route, schemes: [] });
          continue;
        }
        expect({ route, hasBearer: schemes.includes('bearer') }).toEqual({ route, hasBearer: true });
        const keyDocumented = schemes.includes('X-Api-Key') && schemes.includes('x-undb-api-token');
        // The routes keys may call are the ones an app's OAuth token may call.
        expect({
          route,
          schemes: keyDocumented ? ['X-Api-Key', 'bearer', 'oauth2', 'x-undb-api-token'] : ['bearer'],
        }).toEqual({
          route,
          schemes,
        });
        // And the guard agrees: a valid admin key is refused as "for users" exactly where the document omits keys.
        const url = path.replace(/\{space_id\}/g, space.id).replace(/\{\w+\}/g, '0190b7a4-0000-7000-8000-000000000000');
        const res = await t.app.inject({
          method: method.toUpperCase() as 'GET',
          url,
          headers: { 'x-api-key': adminKey },
          payload: ['get', 'delete'].includes(method) ? undefined : {},
        });
        const refusedAsKey = res.statusCode === 403 && /for users/.test(res.json<Problem>().detail ?? '');
        expect({ route, refusedAsKey }).toEqual({ route, refusedAsKey: !keyDocumented });
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(20);
  });
});

describe('OpenAPI operations', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('have unique camelCase operationIds and only the path parameters their path has', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/docs/openapi.json' })).json<
      OpenApiDoc<{ operationId: string; parameters?: { in: string; name: string }[] }>
    >();
    const ids: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths)) {
      const declared = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      for (const op of Object.values(ops)) {
        ids.push(op.operationId);
        expect(op.operationId).toMatch(/^[a-z][A-Za-z0-9]*$/);
        const pathParams = (op.parameters ?? [])
          .filter((p) => p.in === 'path')
          .map((p) => p.name)
          .sort();
        expect({ op: op.operationId, pathParams }).toEqual({ op: op.operationId, pathParams: declared });
      }
    }
    expect(new Set(ids).size).toBe(ids.length);
  });
});
