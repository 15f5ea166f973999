import { parseSecret } from '@app/common';
import { createTestApp, TestApp } from './create-test-app';
import { addMember, bearer, createKey, createSpace, signup, TestUser, uniqueEmail } from './factories';
import type { Page, Problem, ValidationProblem } from './json';

interface Client {
  client_id: string;
  client_secret?: string;
  name: string;
  redirect_uris: string[];
  type: 'confidential' | 'public';
  scopes: string[];
  first_party: boolean;
  created_at: string;
}

const CONFIDENTIAL = {
  name: 'Acme Reports',
  type: 'confidential',
  redirect_uris: ['https://reports.example.com/oauth/callback'],
  scopes: ['openid', 'email', 'records:read', 'offline_access'],
};

describe('OAuth clients of a space', () => {
  const adminEmail = uniqueEmail('platform-admin');
  let t: TestApp;
  let owner: TestUser;
  let spaceId: string;
  const url = (suffix = '') => `/api/spaces/${spaceId}/oauth-clients${suffix}`;
  const post = (headers: Record<string, string>, payload: unknown, path = '') =>
    t.app.inject({ method: 'POST', url: url(path), headers, payload: payload as Record<string, unknown> });

  beforeAll(async () => {
    t = await createTestApp({ env: { PLATFORM_ADMIN_EMAILS: adminEmail } });
    owner = await signup(t.app);
    spaceId = (await createSpace(t.app, owner.access_token)).id;
  });
  afterAll(() => t.close());

  it('registers a confidential client whose secret is shown once and stored only as a hash', async () => {
    const res = await post(bearer(owner.access_token), CONFIDENTIAL);
    expect(res.statusCode).toBe(201);
    const client = res.json<Client>();
    expect(client).toMatchObject({ ...CONFIDENTIAL, first_party: false });
    expect(client.client_secret).toMatch(/^pcs_[0-9A-Za-z]{71}$/);
    expect(parseSecret('pcs_', client.client_secret!)).toBe(client.client_id);

    const got = await t.app.inject({
      method: 'GET',
      url: url(`/${client.client_id}`),
      headers: bearer(owner.access_token),
    });
    expect(got.json<Client>()).toEqual({ ...client, client_secret: undefined });
    expect(got.body).not.toContain('client_secret');
    const listed = await t.app.inject({ method: 'GET', url: url(), headers: bearer(owner.access_token) });
    expect(listed.json<Page<Client>>().data.map((c) => c.client_id)).toContain(client.client_id);

    // Neither the clients table nor the audit log holds the secret.
    const dump = JSON.stringify([
      await t.sql('select * from oauth_clients'),
      await t.sql('select changes, metadata from audit_logs'),
    ]);
    expect(dump).not.toContain(client.client_secret);
    expect(dump).not.toContain(client.client_secret!.slice(4, 40));
  });

  it('registers a public client with no secret; it has none to regenerate', async () => {
    const res = await post(bearer(owner.access_token), {
      ...CONFIDENTIAL,
      type: 'public',
      redirect_uris: ['http://127.0.0.1:8765/callback'],
    });
    expect(res.statusCode).toBe(201);
    const client = res.json<Client>();
    expect(client.client_secret).toBeUndefined();
    const again = await post(bearer(owner.access_token), {}, `/${client.client_id}/regenerate-secret`);
    expect(again.statusCode).toBe(400);
  });

  it.each([
    [{ redirect_uris: ['http://reports.example.com/cb'] }, 'redirect_uris[0]'],
    [{ redirect_uris: ['https://*.example.com/cb'] }, 'redirect_uris[0]'],
    [{ redirect_uris: ['https://ok.example.com/cb', 'https://x.example.com/cb#frag'] }, 'redirect_uris[1]'],
    [{ redirect_uris: [] }, 'redirect_uris'],
    [{ scopes: ['records:read', 'superuser'] }, 'scopes'],
    [{ type: 'hybrid' }, 'type'],
    [{ name: '' }, 'name'],
    // Found by the fuzzer: a missing required member was a 500.
    [{ redirect_uris: undefined }, 'redirect_uris'],
    [{ scopes: undefined }, 'scopes'],
    [{ name: undefined }, 'name'],
    [{ type: undefined }, 'type'],
  ])('refuses %j with a 400 naming %s', async (change, field) => {
    const res = await post(bearer(owner.access_token), { ...CONFIDENTIAL, ...change });
    expect(res.statusCode).toBe(400);
    expect(res.json<ValidationProblem>().errors.map((e) => e.field)).toContain(field);
  });

  it('lets only platform admins mark a client first-party (it skips consent)', async () => {
    const refused = await post(bearer(owner.access_token), { ...CONFIDENTIAL, first_party: true });
    expect(refused.statusCode).toBe(403);
    const admin = await signup(t.app, { email: adminEmail });
    const adminSpace = await createSpace(t.app, admin.access_token);
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/spaces/${adminSpace.id}/oauth-clients`,
      headers: bearer(admin.access_token),
      payload: { ...CONFIDENTIAL, first_party: true },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json<Client>().first_party).toBe(true);
    // Nor can an owner switch it on later.
    const mine = (await post(bearer(owner.access_token), CONFIDENTIAL)).json<Client>();
    const patched = await t.app.inject({
      method: 'PATCH',
      url: url(`/${mine.client_id}`),
      headers: bearer(owner.access_token),
      payload: { first_party: true },
    });
    expect(patched.statusCode).toBe(403);
  });

  it('changes, regenerates and deletes, each recorded in the audit log', async () => {
    const h = bearer(owner.access_token);
    const client = (await post(h, CONFIDENTIAL)).json<Client>();
    const patched = await t.app.inject({
      method: 'PATCH',
      url: url(`/${client.client_id}`),
      headers: h,
      payload: { name: 'Acme Reports 2', redirect_uris: ['https://reports.example.com/cb2'] },
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json<Client>()).toMatchObject({
      name: 'Acme Reports 2',
      redirect_uris: ['https://reports.example.com/cb2'],
      scopes: CONFIDENTIAL.scopes,
      type: 'confidential',
    });
    const regenerated = await post(h, {}, `/${client.client_id}/regenerate-secret`);
    expect(regenerated.statusCode).toBe(201);
    const secret = regenerated.json<Client>().client_secret!;
    expect(parseSecret('pcs_', secret)).toBe(client.client_id);
    expect(secret).not.toBe(client.client_secret);

    expect((await t.app.inject({ method: 'DELETE', url: url(`/${client.client_id}`), headers: h })).statusCode).toBe(
      204,
    );
    expect((await t.app.inject({ method: 'GET', url: url(`/${client.client_id}`), headers: h })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'DELETE', url: url(`/${client.client_id}`), headers: h })).statusCode).toBe(
      404,
    );
    const actions = await t.sql<{ action: string }>(`select action from audit_logs where resource_id = ? order by at`, [
      client.client_id,
    ]);
    expect(actions.map((a) => a.action)).toEqual([
      'oauth_client.create',
      'oauth_client.update',
      'oauth_client.regenerate_secret',
      'oauth_client.delete',
    ]);
    expect(JSON.stringify(await t.sql('select changes, metadata from audit_logs'))).not.toContain(secret);
  });

  it('answers each caller as its power allows (permission matrix)', async () => {
    const roles: Record<string, TestUser> = {};
    for (const role of ['viewer', 'editor', 'admin']) {
      roles[role] = await signup(t.app);
      await addMember(t.app, owner.access_token, spaceId, roles[role].email, role);
    }
    const stranger = await signup(t.app);
    const h = bearer(owner.access_token);
    const plainKey = (await createKey(t.app, h, spaceId, { scopes: [] })).key;
    const keysAdmin = (await createKey(t.app, h, spaceId, { scopes: ['keys:admin'] })).key;
    const otherSpace = await createSpace(t.app, stranger.access_token);
    const foreignKey = (await createKey(t.app, bearer(stranger.access_token), otherSpace.id, { is_admin: true })).key;
    const callers: Record<string, { headers: Record<string, string>; status: number }> = {
      anonymous: { headers: {}, status: 401 },
      stranger: { headers: bearer(stranger.access_token), status: 404 },
      viewer: { headers: bearer(roles.viewer.access_token), status: 403 },
      editor: { headers: bearer(roles.editor.access_token), status: 403 },
      admin: { headers: bearer(roles.admin.access_token), status: 201 },
      owner: { headers: h, status: 201 },
      'key without keys:admin': { headers: { 'x-api-key': plainKey }, status: 403 },
      'key with keys:admin': { headers: { 'x-api-key': keysAdmin }, status: 201 },
      "another space's admin key": { headers: { 'x-api-key': foreignKey }, status: 404 },
    };
    const target = (await post(h, CONFIDENTIAL)).json<Client>().client_id;
    for (const [caller, { headers, status }] of Object.entries(callers)) {
      const created = await post(headers, CONFIDENTIAL);
      // An allowed caller reads and deletes what it made; a refused one tries the owner's client.
      const id = created.statusCode === 201 ? created.json<Client>().client_id : target;
      const read = await t.app.inject({ method: 'GET', url: url(`/${id}`), headers });
      const removed = await t.app.inject({ method: 'DELETE', url: url(`/${id}`), headers });
      const want = status === 201 ? [201, 200, 204] : [status, status, status];
      expect({ caller, got: [created.statusCode, read.statusCode, removed.statusCode] }).toEqual({ caller, got: want });
      if (status !== 201) expect(created.json<Problem>().status).toBe(status);
    }
    // Nothing a refused caller did touched the owner's client.
    expect((await t.app.inject({ method: 'GET', url: url(`/${target}`), headers: h })).statusCode).toBe(200);
  });
});
