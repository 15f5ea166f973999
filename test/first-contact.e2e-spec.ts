import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTestApp, TestApp } from './create-test-app';
import { bearer, createCollection, createSpace, signup } from './factories';
import type { ApiKeyWithSecretDto, OpenApiDoc, Problem } from './json';

/** What a new user meets first: the landing redirect, headers that work over plain HTTP, clear 415/413s. */
describe('first contact', () => {
  let t: TestApp;
  let proxied: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { BODY_LIMIT: '2048' } });
    proxied = await createTestApp({ db: t.db, secrets: t.secrets, env: { TRUST_PROXY: '127.0.0.1' } });
  });
  afterAll(async () => {
    await proxied.close();
    await t.close();
  });

  it('sends / to the API reference', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe('/docs');
  });

  it('serves /docs over plain HTTP without upgrading its assets to https or sending HSTS', async () => {
    for (const app of [t, proxied]) {
      const res = await app.app.inject({ method: 'GET', url: '/docs', headers: { host: 'my-vm:3000' } });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-security-policy']).toContain("default-src 'self'");
      expect(res.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
      expect(res.headers['strict-transport-security']).toBeUndefined();
    }
  });

  it('upgrades and sends HSTS when the request came over HTTPS through a trusted proxy', async () => {
    const headers = { host: 'api.example.com', 'x-forwarded-proto': 'https' };
    const res = await proxied.app.inject({ method: 'GET', url: '/docs', headers });
    expect(res.headers['content-security-policy']).toContain('upgrade-insecure-requests');
    expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    // An untrusted client cannot claim HTTPS: without TRUST_PROXY the header is ignored.
    const direct = await t.app.inject({ method: 'GET', url: '/docs', headers });
    expect(direct.headers['strict-transport-security']).toBeUndefined();
    // Error answers carry the same headers as any other.
    const missing = await proxied.app.inject({ method: 'GET', url: '/api/nowhere', headers });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['strict-transport-security']).toMatch(/max-age=\d+/);
  });

  it('answers a text body on a JSON endpoint with 415, and a body over the limit with 413 naming it', async () => {
    const owner = await signup(t.app);
    const space = await createSpace(t.app, owner.access_token);
    await createCollection(t.app, bearer(owner.access_token), space.id);
    const url = `/api/spaces/${space.id}/collections/orders/records`;
    const text = await t.app.inject({
      method: 'POST',
      url,
      headers: { ...bearer(owner.access_token), 'content-type': 'text/plain' },
      payload: '{"status":"new","total":1}',
    });
    expect(text.statusCode).toBe(415);
    expect(text.headers['content-type']).toContain('application/problem+json');
    expect(text.json<Problem>().detail).toBe('The request body must be application/json.');
    const big = await t.app.inject({
      method: 'POST',
      url,
      headers: bearer(owner.access_token),
      payload: { status: 'new', total: 1, notes: 'x'.repeat(4096) },
    });
    expect(big.statusCode).toBe(413);
    expect(big.json<Problem>().detail).toBe('The request body exceeds the limit of 2048 bytes.');
  });

  it("creates a key from the documented example that works from any address (Swagger UI's prefilled body)", async () => {
    const doc = JSON.parse(readFileSync(join(__dirname, '..', 'openapi.json'), 'utf8')) as OpenApiDoc;
    const schema = doc.components.schemas.CreateApiKeyDto.properties as Record<string, { example?: unknown }>;
    // Swagger UI fills the body from each property's example.
    const body = Object.fromEntries(
      Object.entries(schema)
        .filter(([, property]) => property.example !== undefined)
        .map(([name, property]) => [name, property.example]),
    );
    expect(body).toHaveProperty('allowed_ips');
    const owner = await signup(t.app);
    const space = await createSpace(t.app, owner.access_token);
    const created = await t.app.inject({
      method: 'POST',
      url: `/api/spaces/${space.id}/api-keys`,
      headers: bearer(owner.access_token),
      payload: body,
    });
    expect(created.statusCode).toBe(201);
    const key = created.json<ApiKeyWithSecretDto>().key;
    for (const remoteAddress of ['198.51.100.7', '2001:db8::7', '127.0.0.1']) {
      const me = await t.app.inject({
        method: 'GET',
        url: '/api/auth/me',
        remoteAddress,
        headers: { 'x-api-key': key },
      });
      expect({ remoteAddress, status: me.statusCode }).toEqual({ remoteAddress, status: 200 });
    }
  });
});
