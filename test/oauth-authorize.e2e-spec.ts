import { createTestApp, TestApp } from './create-test-app';
import { addMember, createSpace, signup, TestUser } from './factories';
import { authorizeUrl, hiddenFields, locationOf, pkce, postForm, registerClient } from './oauth-helpers';

const REDIRECT = 'https://reports.example.com/oauth/callback';

describe('GET /oauth/authorize: sign-in, consent, code', () => {
  let t: TestApp;
  let owner: TestUser;
  let member: TestUser;
  let spaceId: string;
  let confidential: string;
  let publicClient: string;

  const get = (url: string, cookie?: string) => t.app.inject({ method: 'GET', url, headers: cookie ? { cookie } : {} });
  const form = (url: string, fields: Record<string, string>, cookie?: string) =>
    postForm(t, url, fields, cookie ? { cookie } : {});
  const location = locationOf;
  const fields = hiddenFields;
  const signIn = async (user: TestUser, params: Record<string, string>) => {
    const res = await form('/oauth/sign-in', { ...params, email: user.email, password: user.password });
    expect(res.statusCode).toBe(303);
    return { res, cookie: String(res.headers['set-cookie']).split(';')[0] };
  };

  beforeAll(async () => {
    t = await createTestApp();
    owner = await signup(t.app);
    member = await signup(t.app);
    spaceId = (await createSpace(t.app, owner.access_token)).id;
    await addMember(t.app, owner.access_token, spaceId, member.email, 'editor');
    confidential = await clientId({
      name: 'Acme <Reports>',
      type: 'confidential',
      redirect_uris: [REDIRECT],
      scopes: ['openid', 'email', 'records:read', 'offline_access'],
    });
    publicClient = await clientId({
      name: 'Acme CLI',
      type: 'public',
      redirect_uris: ['http://127.0.0.1:8765/cb'],
      scopes: ['records:read'],
    });
  });
  afterAll(() => t.close());
  const clientId = async (body: Record<string, unknown>) => (await registerClient(t, owner, spaceId, body)).client_id;

  const base = () => ({
    response_type: 'code',
    client_id: confidential,
    redirect_uri: REDIRECT,
    scope: 'openid records:read',
    state: 'st&ate=/?x y',
  });

  it('shows an error page, never a redirect, for an unknown client or an unregistered redirect URI', async () => {
    for (const params of [
      { ...base(), client_id: '0190b7a4-1234-7abc-8def-0123456789ab' },
      { ...base(), client_id: 'not-an-id' },
      { ...base(), redirect_uri: `${REDIRECT}/more` },
      { ...base(), redirect_uri: 'https://reports.example.com/oauth/callback?x=1' },
      { ...base(), redirect_uri: 'https://evil.example.net/cb' },
      { ...base(), redirect_uri: '' },
    ]) {
      const res = await get(authorizeUrl(params));
      expect({ params, status: res.statusCode, location: res.headers.location }).toEqual({
        params,
        status: 400,
        location: undefined,
      });
      expect(res.headers['content-type']).toContain('text/html');
      expect(res.body).toContain('Cannot continue');
    }
  });

  it('sends other errors back to the app with its state unchanged and the issuer', async () => {
    const { challenge } = pkce();
    const cases: [Record<string, string>, string][] = [
      [{ ...base(), response_type: 'token' }, 'unsupported_response_type'],
      [{ ...base(), code_challenge: challenge, code_challenge_method: 'plain' }, 'invalid_request'],
      [{ ...base(), code_challenge: 'short', code_challenge_method: 'S256' }, 'invalid_request'],
      [{ ...base(), scope: 'records:read records:write' }, 'invalid_scope'],
      [{ ...base(), scope: 'superpowers' }, 'invalid_scope'],
      [
        { ...base(), client_id: publicClient, redirect_uri: 'http://127.0.0.1:8765/cb', scope: 'records:read' },
        'invalid_request',
      ],
    ];
    for (const [params, error] of cases) {
      const res = await get(authorizeUrl(params));
      expect(res.statusCode).toBe(302);
      const to = location(res);
      expect(`${to.origin}${to.pathname}`).toBe(params.redirect_uri);
      expect({ params, error: to.searchParams.get('error') }).toEqual({ params, error });
      expect(to.searchParams.get('state')).toBe(params.state);
      // The issuer is the origin the request reached when OAUTH_ISSUER is unset.
      expect(to.searchParams.get('iss')).toBe('http://localhost:80');
      expect(to.searchParams.get('code')).toBeNull();
    }
  });

  it('signs in, asks consent (with CSRF protection), and issues a single code that is stored hashed', async () => {
    const { challenge } = pkce();
    const params = { ...base(), code_challenge: challenge, code_challenge_method: 'S256', nonce: 'n-1' };
    const first = await get(authorizeUrl(params));
    expect(first.statusCode).toBe(200);
    expect(first.body).toContain('Sign in to continue to Acme &lt;Reports&gt;');
    expect(first.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(first.headers['cache-control']).toBe('no-store');
    expect(first.body).not.toContain('<script');

    const wrong = await form('/oauth/sign-in', { ...fields(first.body), email: member.email, password: 'nope' });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.body).toContain('The email or password is incorrect.');
    expect(wrong.headers['set-cookie']).toBeUndefined();

    const { res: signedIn, cookie } = await signIn(member, fields(first.body));
    expect(String(signedIn.headers['set-cookie'])).toMatch(/HttpOnly; SameSite=Lax/);
    expect(String(signedIn.headers['set-cookie'])).toContain('Path=/oauth');
    expect(String(signedIn.headers.location)).toMatch(/^\/oauth\/authorize\?/);
    // The cookie is no API credential.
    const me = await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie } });
    expect(me.statusCode).toBe(401);

    const consent = await get(String(signedIn.headers.location), cookie);
    expect(consent.statusCode).toBe(200);
    expect(consent.body).toContain('Acme &lt;Reports&gt; wants to act for you');
    expect(consent.body).toContain(member.email);
    expect(consent.body).toContain('Read the records of the collections you can read');
    const consentFields = fields(consent.body);
    expect(consentFields.csrf).toMatch(/^[A-Za-z0-9_-]{43}$/);

    // A forged form (no or wrong CSRF token) is refused, with no redirect.
    for (const csrf of [undefined, 'x'.repeat(43)]) {
      const forged = await form('/oauth/consent', { ...params, ...(csrf ? { csrf } : {}), decision: 'allow' }, cookie);
      expect(forged.statusCode).toBe(403);
      expect(forged.headers.location).toBeUndefined();
    }
    // A token from this form does not carry over to other parameters.
    const moved = await form('/oauth/consent', { ...consentFields, scope: 'records:read', decision: 'allow' }, cookie);
    expect(moved.statusCode).toBe(403);

    const denied = await form('/oauth/consent', { ...consentFields, decision: 'deny' }, cookie);
    expect(location(denied).searchParams.get('error')).toBe('access_denied');
    expect(location(denied).searchParams.get('state')).toBe(params.state);

    const allowed = await form('/oauth/consent', { ...consentFields, decision: 'allow' }, cookie);
    expect(allowed.statusCode).toBe(302);
    const to = location(allowed);
    expect(`${to.origin}${to.pathname}`).toBe(REDIRECT);
    const code = to.searchParams.get('code')!;
    expect(code).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(to.searchParams.get('state')).toBe(params.state);
    expect(to.searchParams.get('iss')).toBe('http://localhost:80');

    // Remembered: the same request goes straight back with a new code.
    const again = await get(authorizeUrl(params), cookie);
    expect(again.statusCode).toBe(302);
    const second = location(again).searchParams.get('code');
    expect(second).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(second).not.toBe(code);

    const rows = await t.sql<{ expires_at: Date; code_challenge: string; nonce: string }>(
      'select * from oauth_codes where client_id = ?',
      [confidential],
    );
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ code_challenge: challenge, nonce: 'n-1' });
    const dump = JSON.stringify([
      await t.sql('select * from oauth_codes'),
      await t.sql('select * from oauth_sessions'),
      await t.sql('select changes, metadata from audit_logs'),
    ]);
    for (const secret of [code, second!, cookie.split('=')[1]]) expect(dump).not.toContain(secret);
    const lifetime = new Date(rows[0].expires_at).getTime() - Date.now();
    expect(lifetime).toBeLessThanOrEqual(60_000);
  });

  it('sends a signed-in user who is not a member of the space back with access_denied', async () => {
    const outsider = await signup(t.app);
    const params = base();
    const { cookie } = await signIn(outsider, params);
    const res = await get(authorizeUrl(params), cookie);
    expect(res.statusCode).toBe(302);
    expect(location(res).searchParams.get('error')).toBe('access_denied');
    expect(location(res).searchParams.get('state')).toBe(params.state);
  });

  it('skips the consent page for a first-party client (registered by a platform admin)', async () => {
    const adminEmail = `platform-${Date.now()}@example.com`;
    const admin = await createTestApp({ db: t.db, secrets: t.secrets, env: { PLATFORM_ADMIN_EMAILS: adminEmail } });
    try {
      const root = await signup(admin.app, { email: adminEmail });
      const space = await createSpace(admin.app, root.access_token);
      await addMember(admin.app, root.access_token, space.id, member.email, 'viewer');
      const res = await admin.app.inject({
        method: 'POST',
        url: `/api/spaces/${space.id}/oauth-clients`,
        headers: { authorization: `Bearer ${root.access_token}` },
        payload: {
          name: 'Portico',
          type: 'public',
          redirect_uris: [REDIRECT],
          scopes: ['records:read'],
          first_party: true,
        },
      });
      expect(res.statusCode).toBe(201);
      const params = { ...base(), client_id: res.json<{ client_id: string }>().client_id, scope: 'records:read' };
      const { challenge } = pkce();
      Object.assign(params, { code_challenge: challenge, code_challenge_method: 'S256' });
      const { cookie } = await signIn(member, params);
      const straight = await get(authorizeUrl(params), cookie);
      expect(straight.statusCode).toBe(302);
      expect(location(straight).searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    } finally {
      await admin.close();
    }
  });
});
