import { createTestApp, TestApp } from './create-test-app';
import { bearer, CONTRACT_KEY, createKey, createSpace, signup, TestUser, addMember } from './factories';
import type {
  ApiKeyDto,
  ApiKeyWithSecretDto,
  KeyTokenDto,
  MeApiKeyDto,
  OAuthErrorDto,
  Page,
  Resource,
  TokenPairDto,
  ValidationProblem,
} from './json';
import { anyString } from './json';

describe('API keys', () => {
  let t: TestApp;
  let owner: TestUser;
  let spaceId: string;
  const created: string[] = [];
  const inject = (opts: Parameters<TestApp['app']['inject']>[0]) => t.app.inject(opts);
  const me = (headers: Record<string, string>, extra: Partial<Parameters<TestApp['app']['inject']>[0]> = {}) =>
    inject({ method: 'GET', url: '/api/auth/me', headers, ...(extra as object) });
  const key = async (
    body: Record<string, unknown> = {},
    headers: Record<string, string> = bearer(owner.access_token),
    space = spaceId,
  ) => {
    const k = await createKey(t.app, headers, space, body);
    created.push(k.key);
    return k;
  };

  beforeAll(async () => {
    t = await createTestApp();
    owner = await signup(t.app);
    spaceId = (await createSpace(t.app, owner.access_token)).id;
  });
  afterAll(() => t.close());

  describe('lifecycle', () => {
    it("creates a key from the contract's full body and shows the secret once", async () => {
      const res = await inject({
        method: 'POST',
        url: `/api/spaces/${spaceId}/api-keys`,
        headers: bearer(owner.access_token),
        payload: CONTRACT_KEY,
      });
      expect(res.statusCode).toBe(201);
      const body = res.json<ApiKeyWithSecretDto>();
      created.push(body.key);
      expect(body).toMatchObject({
        label: 'production-backend',
        description: 'Backend service API key',
        is_admin: false,
        collection_permissions: CONTRACT_KEY.collection_permissions,
        scopes: ['audit:read'],
        allowed_ips: CONTRACT_KEY.allowed_ips,
        rate_limit_per_minute: 100,
        status: 'active',
        last_used_at: null,
        created_by: { type: 'user', id: owner.id },
      });
      expect(body.key).toMatch(/^ptc_[0-9A-Za-z]{71}$/);
      expect(body.masked_key).toBe(`ptc_…${body.key.slice(-4)}`);
      const days = (new Date(body.expires_at!).getTime() - Date.now()) / 86_400_000;
      expect(days).toBeGreaterThan(29.9);
      expect(days).toBeLessThan(30.1);
      const listed = (
        await inject({ method: 'GET', url: `/api/spaces/${spaceId}/api-keys`, headers: bearer(owner.access_token) })
      ).json<Page<ApiKeyDto & { key?: string }>>();
      const entry = listed.data.find((k) => k.id === body.id);
      expect(entry?.key).toBeUndefined();
      expect(entry?.masked_key).toBe(body.masked_key);
      const one = (
        await inject({
          method: 'GET',
          url: `/api/spaces/${spaceId}/api-keys/${body.id}`,
          headers: bearer(owner.access_token),
        })
      ).json<ApiKeyDto>();
      // The list adds the key's traffic (none yet) to what the key's own page shows.
      expect({ ...one, requests_24h: 0 }).toEqual(entry);
      expect(JSON.stringify([listed, one])).not.toContain(body.key);
    });

    it('supports every expires_in preset and never', async () => {
      for (const [preset, days] of [
        ['7d', 7],
        ['60d', 60],
        ['90d', 90],
        ['180d', 180],
      ] as const) {
        const k = await key({ expires_in: preset });
        expect(Math.round((new Date(k.expires_at as string).getTime() - Date.now()) / 86_400_000)).toBe(days);
      }
      expect((await key({ expires_in: 'never' })).expires_at).toBeNull();
    });

    it.each([
      [{ label: '' }, 'label'],
      [{ expires_in: '1y' }, 'expires_in'],
      [{ scopes: ['root'] }, 'scopes'],
      [{ collection_permissions: { orders: ['fly'] } }, 'collection_permissions.orders'],
      [{ collection_permissions: { Orders: ['read'] } }, 'collection_permissions.Orders'],
      [{ allowed_ips: ['10.0.0.0/40'] }, 'allowed_ips[0]'],
      [{ rate_limit_per_minute: 0 }, 'rate_limit_per_minute'],
    ])('rejects %j naming %s', async (body, field) => {
      const res = await inject({
        method: 'POST',
        url: `/api/spaces/${spaceId}/api-keys`,
        headers: bearer(owner.access_token),
        payload: { label: 'x', ...body },
      });
      expect(res.statusCode).toBe(400);
      expect(res.json<ValidationProblem>().errors.map((e: { field: string }) => e.field)).toContain(field);
    });

    it('PATCH takes effect on the next request, for the key and its JWTs', async () => {
      const k = await key({ collection_permissions: { orders: ['read'] } });
      const jwt = (
        await inject({ method: 'POST', url: '/api/auth/token', payload: { api_key: k.key } })
      ).json<KeyTokenDto>().token;
      expect((await me({ 'x-api-key': k.key })).json<MeApiKeyDto>().collection_permissions).toEqual({
        orders: ['read'],
      });
      const res = await inject({
        method: 'PATCH',
        url: `/api/spaces/${spaceId}/api-keys/${k.id}`,
        headers: bearer(owner.access_token),
        payload: { label: 'renamed', collection_permissions: { orders: ['read', 'write'] }, scopes: ['audit:read'] },
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ label: 'renamed', scopes: ['audit:read'] });
      for (const headers of [{ 'x-api-key': k.key }, bearer(jwt)]) {
        expect((await me(headers)).json()).toMatchObject({
          label: 'renamed',
          collection_permissions: { orders: ['read', 'write'] },
          scopes: ['audit:read'],
        });
      }
    });

    it('regenerate keeps id and permissions; the old secret and its JWTs die at once', async () => {
      const k = await key({ collection_permissions: { '*': ['read'] } });
      const jwt = (
        await inject({ method: 'POST', url: '/api/auth/token', payload: { api_key: k.key } })
      ).json<KeyTokenDto>().token;
      expect((await me({ 'x-api-key': k.key })).statusCode).toBe(200);
      expect((await me(bearer(jwt))).statusCode).toBe(200);
      const res = await inject({
        method: 'POST',
        url: `/api/spaces/${spaceId}/api-keys/${k.id}/regenerate`,
        headers: bearer(owner.access_token),
      });
      expect(res.statusCode).toBe(201);
      const next = res.json<ApiKeyWithSecretDto>();
      created.push(next.key);
      expect(next).toMatchObject({ id: k.id, label: k.label, collection_permissions: { '*': ['read'] } });
      expect(next.key).not.toBe(k.key);
      expect((await me({ 'x-api-key': k.key })).statusCode).toBe(401);
      expect((await me(bearer(jwt))).statusCode).toBe(401);
      expect((await me({ 'x-api-key': next.key })).json<Resource>().id).toBe(k.id);
    });

    it('delete rejects the key and its JWTs from the next request', async () => {
      const k = await key();
      const jwt = (
        await inject({ method: 'POST', url: '/api/auth/token', payload: { api_key: k.key } })
      ).json<KeyTokenDto>().token;
      expect((await me(bearer(jwt))).statusCode).toBe(200);
      expect(
        (
          await inject({
            method: 'DELETE',
            url: `/api/spaces/${spaceId}/api-keys/${k.id}`,
            headers: bearer(owner.access_token),
          })
        ).statusCode,
      ).toBe(204);
      expect((await me({ 'x-api-key': k.key })).statusCode).toBe(401);
      expect((await me(bearer(jwt))).statusCode).toBe(401);
      expect(
        (
          await inject({
            method: 'GET',
            url: `/api/spaces/${spaceId}/api-keys/${k.id}`,
            headers: bearer(owner.access_token),
          })
        ).statusCode,
      ).toBe(404);
    });

    it('reports expiry and records last use off the request path', async () => {
      const k = await key();
      await t.sql(`update api_keys set expires_at = now() - interval '1 second' where id = ?`, [k.id]);
      expect((await me({ 'x-api-key': k.key })).statusCode).toBe(401);
      const got = (
        await inject({
          method: 'GET',
          url: `/api/spaces/${spaceId}/api-keys/${k.id}`,
          headers: bearer(owner.access_token),
        })
      ).json<ApiKeyDto>();
      expect(got.status).toBe('expired');

      const live = await key();
      expect((await me({ 'x-api-key': live.key })).statusCode).toBe(200);
      const used = Date.now();
      const before = (await t.sql('select last_used_at from api_keys where id = ?', [live.id]))[0];
      expect(before.last_used_at).toBeNull();
      // Visible within about 2 s, with no flush forced.
      let after: { last_used_at: string | null } = { last_used_at: null };
      while (after.last_used_at === null && Date.now() - used < 2500) {
        await new Promise((r) => setTimeout(r, 100));
        after = (
          await inject({
            method: 'GET',
            url: `/api/spaces/${spaceId}/api-keys/${live.id}`,
            headers: bearer(owner.access_token),
          })
        ).json();
      }
      expect(after.last_used_at).not.toBeNull();
      expect(Math.abs(new Date(after.last_used_at!).getTime() - used)).toBeLessThan(2500);
    });
  });

  describe('who may manage keys', () => {
    it('needs a space admin, an admin key or keys:admin; others are 403 and strangers 404', async () => {
      const editor = await signup(t.app);
      const stranger = await signup(t.app);
      await addMember(t.app, owner.access_token, spaceId, editor.email, 'editor');
      const url = `/api/spaces/${spaceId}/api-keys`;
      expect(
        (await inject({ method: 'POST', url, headers: bearer(editor.access_token), payload: { label: 'x' } }))
          .statusCode,
      ).toBe(403);
      expect((await inject({ method: 'GET', url, headers: bearer(stranger.access_token) })).statusCode).toBe(404);
      const reader = await key({ collection_permissions: { '*': ['read'] } });
      expect(
        (await inject({ method: 'POST', url, headers: { 'x-api-key': reader.key }, payload: { label: 'x' } }))
          .statusCode,
      ).toBe(403);
      const admin = await key({ is_admin: true });
      const made = await key({ is_admin: true, label: 'made by admin key' }, { 'x-api-key': admin.key });
      expect(made.created_by).toEqual({ type: 'api_key', id: admin.id });
    });

    it('never lets a key grant more than it holds', async () => {
      const manager = await key({
        scopes: ['keys:admin'],
        collection_permissions: { orders: ['read', 'write'], users: { read: true, select_fields: ['id', 'name'] } },
        rate_limit_per_minute: 60,
      });
      const h = { 'x-api-key': manager.key };
      const url = `/api/spaces/${spaceId}/api-keys`;
      const denied = [
        { is_admin: true },
        { scopes: ['audit:read'] },
        { collection_permissions: { orders: ['delete'] } },
        { collection_permissions: { '*': ['read'] } },
        { collection_permissions: { users: ['read'] } },
        { collection_permissions: { orders: ['read'] }, rate_limit_per_minute: 100 },
        { collection_permissions: { orders: ['read'] } },
      ];
      for (const body of denied) {
        const res = await inject({ method: 'POST', url, headers: h, payload: { label: 'x', ...body } });
        expect({ body, status: res.statusCode }).toEqual({ body, status: 403 });
      }
      const ok = await key(
        {
          collection_permissions: { orders: ['read'], users: { read: true, select_fields: ['id'] } },
          rate_limit_per_minute: 30,
          scopes: ['keys:admin'],
        },
        h,
      );
      expect(ok.id).toBeDefined();
      // Nor raise a key's power by PATCH.
      const patch = await inject({ method: 'PATCH', url: `${url}/${ok.id}`, headers: h, payload: { is_admin: true } });
      expect(patch.statusCode).toBe(403);
    });

    it('keeps keys out of user-only operations', async () => {
      const admin = await key({ is_admin: true });
      const h = { 'x-api-key': admin.key };
      expect(
        (await inject({ method: 'POST', url: '/api/spaces', headers: h, payload: { name: 'x' } })).statusCode,
      ).toBe(403);
      expect((await inject({ method: 'GET', url: `/api/spaces/${spaceId}/members`, headers: h })).statusCode).toBe(403);
      expect((await inject({ method: 'GET', url: `/api/spaces/${spaceId}`, headers: h })).statusCode).toBe(200);
      const other = await createSpace(t.app, owner.access_token);
      expect((await inject({ method: 'GET', url: `/api/spaces/${other.id}`, headers: h })).statusCode).toBe(404);
      expect((await inject({ method: 'GET', url: `/api/spaces/${other.id}/api-keys`, headers: h })).statusCode).toBe(
        404,
      );
    });
  });

  describe('transports', () => {
    it('accepts a key on X-Api-Key, x-undb-api-token and Authorization: Bearer, any header case', async () => {
      const k = await key({ label: 'transport', collection_permissions: { orders: ['read'] }, scopes: ['audit:read'] });
      const transports: Record<string, string>[] = [
        { 'X-Api-Key': k.key },
        { 'X-API-KEY': k.key },
        { 'x-undb-api-token': k.key },
        { 'X-Undb-Api-Token': k.key },
        bearer(k.key),
      ];
      for (const headers of transports) {
        const res = await me(headers);
        expect(res.statusCode).toBe(200);
        expect(res.json()).toEqual({
          kind: 'api_key',
          id: k.id,
          label: 'transport',
          space_id: spaceId,
          is_admin: false,
          collection_permissions: { orders: ['read'] },
          scopes: ['audit:read'],
          expires_at: k.expires_at,
        });
      }
    });

    it('rejects bad keys with 401 on every header, without asking the database for malformed ones', async () => {
      const k = await key();
      const typo = k.key.slice(0, -8) + (k.key[k.key.length - 8] === 'a' ? 'b' : 'a') + k.key.slice(-7);
      const deleted = await key();
      await t.sql('delete from api_keys where id = ?', [deleted.id]);
      const unknownButWellFormed = deleted.key;
      for (const value of ['garbage', 'ptc_', typo, `${k.key}x`]) {
        const transports: Record<string, string>[] = [
          { 'x-api-key': value },
          { 'x-undb-api-token': value },
          bearer(value),
        ];
        for (const headers of transports) {
          const before = t.queries.length;
          const res = await me(headers);
          expect({ value, headers: Object.keys(headers), status: res.statusCode }).toEqual({
            value,
            headers: Object.keys(headers),
            status: 401,
          });
          expect(t.queries.length).toBe(before);
        }
      }
      expect((await me({ 'x-api-key': unknownButWellFormed })).statusCode).toBe(401);
    });

    it('rejects different credentials on several headers, accepts the same one repeated', async () => {
      const a = await key();
      const b = await key();
      expect((await me({ 'x-api-key': a.key, 'x-undb-api-token': b.key })).statusCode).toBe(400);
      expect((await me({ 'x-api-key': a.key, ...bearer(owner.access_token) })).statusCode).toBe(400);
      expect((await me({ 'x-api-key': a.key, 'x-undb-api-token': a.key, ...bearer(a.key) })).statusCode).toBe(200);
    });

    it('never reads a key from the query string', async () => {
      const k = await key();
      for (const q of ['api_key', 'x-api-key', 'x-undb-api-token', 'token', 'access_token']) {
        expect((await inject({ method: 'GET', url: `/api/auth/me?${q}=${k.key}` })).statusCode).toBe(401);
      }
    });

    it('authenticates a cached key with zero SQL', async () => {
      const k = await key();
      expect((await me({ 'x-api-key': k.key })).statusCode).toBe(200);
      const before = t.queries.length;
      expect((await me({ 'x-api-key': k.key })).statusCode).toBe(200);
      expect(t.queries.slice(before)).toEqual([]);
    });
  });

  describe('key → JWT exchange', () => {
    it('POST /api/auth/token returns a bearer JWT acting as the key', async () => {
      const k = await key({ label: 'exchanger' });
      const res = await inject({ method: 'POST', url: '/api/auth/token', payload: { api_key: k.key } });
      expect(res.statusCode).toBe(200);
      const body = res.json<KeyTokenDto>();
      expect(body).toEqual({ token: anyString, token_type: 'Bearer', expires_in: 3600 });
      expect((await me(bearer(body.token))).json<MeApiKeyDto>()).toMatchObject({
        kind: 'api_key',
        id: k.id,
        label: 'exchanger',
      });
      expect(
        (await inject({ method: 'POST', url: '/api/auth/token', payload: { api_key: 'ptc_nope' } })).statusCode,
      ).toBe(401);
      expect((await inject({ method: 'POST', url: '/api/auth/token', payload: {} })).statusCode).toBe(400);
    });

    it('POST /oauth/token client_credentials by form, JSON and HTTP Basic', async () => {
      const k = await key();
      const form = await inject({
        method: 'POST',
        url: '/oauth/token',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: k.id,
          client_secret: k.key,
        }).toString(),
      });
      expect(form.statusCode).toBe(200);
      expect(form.json()).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
      expect((await me(bearer(form.json<TokenPairDto>().access_token))).json<Resource>().id).toBe(k.id);
      const json = await inject({
        method: 'POST',
        url: '/oauth/token',
        payload: { grant_type: 'client_credentials', client_id: k.id, client_secret: k.key },
      });
      expect(json.statusCode).toBe(200);
      const basic = await inject({
        method: 'POST',
        url: '/oauth/token',
        headers: { authorization: `Basic ${Buffer.from(`${k.id}:${k.key}`).toString('base64')}` },
        payload: { grant_type: 'client_credentials' },
      });
      expect(basic.statusCode).toBe(200);
      const other = await key();
      for (const payload of [
        { grant_type: 'client_credentials', client_id: other.id, client_secret: k.key },
        { grant_type: 'client_credentials', client_id: k.id, client_secret: 'ptc_wrong' },
        { grant_type: 'client_credentials' },
      ]) {
        const res = await inject({ method: 'POST', url: '/oauth/token', payload });
        expect(res.statusCode).toBe(401);
        expect(res.json<OAuthErrorDto>().error).toBe('invalid_client');
      }
    });
  });

  describe('IP allowlists', () => {
    it('403 outside the allowlist; X-Forwarded-For ignored unless proxies are trusted', async () => {
      const k = await key({ allowed_ips: ['203.0.113.0/24', '2001:db8::/32'] });
      expect((await me({ 'x-api-key': k.key }, { remoteAddress: '127.0.0.1' })).statusCode).toBe(403);
      expect((await me({ 'x-api-key': k.key }, { remoteAddress: '203.0.113.9' })).statusCode).toBe(200);
      expect((await me({ 'x-api-key': k.key }, { remoteAddress: '2001:db8::7' })).statusCode).toBe(200);
      expect(
        (await me({ 'x-api-key': k.key, 'x-forwarded-for': '203.0.113.9' }, { remoteAddress: '127.0.0.1' })).statusCode,
      ).toBe(403);
      const jwt = (
        await inject({
          method: 'POST',
          url: '/api/auth/token',
          payload: { api_key: k.key },
          remoteAddress: '203.0.113.9',
        })
      ).json<KeyTokenDto>().token;
      expect((await me(bearer(jwt), { remoteAddress: '198.51.100.1' })).statusCode).toBe(403);
      expect(
        (
          await inject({
            method: 'POST',
            url: '/api/auth/token',
            payload: { api_key: k.key },
            remoteAddress: '127.0.0.1',
          })
        ).statusCode,
      ).toBe(403);

      const proxied = await createTestApp({ db: t.db, secrets: t.secrets, env: { TRUST_PROXY: '127.0.0.1' } });
      try {
        const res = await proxied.app.inject({
          method: 'GET',
          url: '/api/auth/me',
          headers: { 'x-api-key': k.key, 'x-forwarded-for': '203.0.113.9' },
          remoteAddress: '127.0.0.1',
        });
        expect(res.statusCode).toBe(200);
      } finally {
        await proxied.close();
      }
    });
  });

  describe('ekoDB compatibility', () => {
    it('register with the admin key in the body or a header, list and delete', async () => {
      const admin = await key({ is_admin: true, label: 'admin' });
      const reg = await inject({
        method: 'POST',
        url: '/api/auth/register',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({
          api_key: admin.key,
          label: 'eko',
          description: 'desc',
          collection_permissions: { orders: ['write', 'read'] },
          is_admin: false,
        }),
      });
      expect(reg.statusCode).toBe(201);
      const body = reg.json<ApiKeyWithSecretDto>();
      created.push(body.key);
      expect(body).toMatchObject({
        label: 'eko',
        description: 'desc',
        collection_permissions: { orders: ['write', 'read'] },
        is_admin: false,
        space_id: spaceId,
      });
      const viaHeader = await inject({
        method: 'POST',
        url: '/api/auth/register',
        headers: bearer(admin.key),
        payload: { label: 'eko2' },
      });
      expect(viaHeader.statusCode).toBe(201);
      created.push(viaHeader.json<ApiKeyWithSecretDto>().key);
      const listed = (await inject({ method: 'GET', url: '/api/auth/keys', headers: bearer(admin.key) })).json<
        Page<ApiKeyDto>
      >();
      expect(listed.data.map((k: { id: string }) => k.id)).toEqual(
        expect.arrayContaining([body.id, viaHeader.json<Resource>().id]),
      );
      expect(
        (await inject({ method: 'DELETE', url: `/api/auth/keys/${body.id}`, headers: bearer(admin.key) })).statusCode,
      ).toBe(204);
      expect((await me({ 'x-api-key': body.key })).statusCode).toBe(401);
      const noCredential = await inject({ method: 'POST', url: '/api/auth/register', payload: { label: 'x' } });
      expect(noCredential.statusCode).toBe(401);
      const userCaller = await inject({ method: 'GET', url: '/api/auth/keys', headers: bearer(owner.access_token) });
      expect(userCaller.statusCode).toBe(400);
    });
  });

  it('stores no key secret in the database and logs none', async () => {
    expect(created.length).toBeGreaterThan(10);
    const dump = JSON.stringify(await t.sql(`select *, encode(secret_hash, 'escape') as h from api_keys`));
    const logs = t.logs.join('\n');
    for (const secret of created) {
      expect(dump).not.toContain(secret);
      expect(dump).not.toContain(secret.slice(4, -6));
      expect(logs).not.toContain(secret);
    }
  });
});
