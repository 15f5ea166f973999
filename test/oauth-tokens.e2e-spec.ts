import { createLocalJWKSet, jwtVerify } from 'jose';
import type { JSONWebKeySet } from 'jose';
import { createTestApp, TestApp } from './create-test-app';
import { addMember, bearer, createCollection, createSpace, signup, TestUser } from './factories';
import type { OAuthErrorDto, Page, Row } from './json';
import { obtainCode, pkce, postForm, registerClient, signInOnPages } from './oauth-helpers';

const REDIRECT = 'https://reports.example.com/oauth/callback';
const ISSUER = 'https://portico.example.com';

interface Tokens {
  access_token: string;
  token_type: string;
  expires_in: number;
  scope: string;
  id_token?: string;
  refresh_token?: string;
}

describe('POST /oauth/token grant_type=authorization_code, and what the token may do', () => {
  let t: TestApp;
  let owner: TestUser;
  let member: TestUser;
  let spaceId: string;
  let client: { client_id: string; client_secret?: string };

  const basic = (id: string, secret: string) => ({
    authorization: `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`,
  });
  const paramsFor = (challenge: string, scope = 'openid records:read records:write') => ({
    response_type: 'code',
    client_id: client.client_id,
    redirect_uri: REDIRECT,
    scope,
    state: 's-1',
    nonce: 'nonce-1',
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  const exchange = (code: string, verifier: string | undefined, extra: Record<string, string> = {}, c = client) =>
    postForm(
      t,
      '/oauth/token',
      {
        grant_type: 'authorization_code',
        code,
        redirect_uri: REDIRECT,
        ...(verifier === undefined ? {} : { code_verifier: verifier }),
        ...extra,
      },
      c.client_secret ? basic(c.client_id, c.client_secret) : {},
    );
  const records = (token: string, space = spaceId) => `/api/spaces/${space}/collections/orders/records`;
  const list = (token: string, space = spaceId) =>
    t.app.inject({ method: 'GET', url: records(token, space), headers: bearer(token) });
  const create = (token: string) =>
    t.app.inject({ method: 'POST', url: records(token), headers: bearer(token), payload: { status: 'new', total: 1 } });
  /** A fresh code and its exchange: the token response. */
  const tokensFor = async (user: TestUser, scope?: string): Promise<Tokens> => {
    const { verifier, challenge } = pkce();
    const code = await obtainCode(t, user, paramsFor(challenge, scope));
    const res = await exchange(code, verifier);
    expect(res.statusCode).toBe(200);
    return res.json<Tokens>();
  };

  beforeAll(async () => {
    t = await createTestApp({ env: { OAUTH_ISSUER: ISSUER } });
    owner = await signup(t.app);
    member = await signup(t.app, { name: 'Mia Member' });
    spaceId = (await createSpace(t.app, owner.access_token)).id;
    await createCollection(t.app, bearer(owner.access_token), spaceId);
    await addMember(t.app, owner.access_token, spaceId, member.email, 'editor');
    client = await registerClient(t, owner, spaceId, {
      name: 'Acme Reports',
      type: 'confidential',
      redirect_uris: [REDIRECT],
      scopes: ['openid', 'email', 'profile', 'records:read', 'records:write', 'offline_access'],
    });
  });
  afterAll(() => t.close());

  it('exchanges a code with PKCE for an access token and an id_token verifiable from the JWKS', async () => {
    const { verifier, challenge } = pkce();
    const code = await obtainCode(t, member, paramsFor(challenge));
    const res = await exchange(code, verifier);
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const tokens = res.json<Tokens>();
    expect(tokens).toMatchObject({ token_type: 'Bearer', scope: 'openid records:read records:write' });
    const jwks = (await t.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json<JSONWebKeySet>();
    const { payload } = await jwtVerify(tokens.id_token!, createLocalJWKSet(jwks), {
      issuer: ISSUER,
      audience: client.client_id,
      algorithms: ['ES256'],
    });
    expect(payload).toMatchObject({ sub: member.id, nonce: 'nonce-1' });
    expect(typeof payload.auth_time).toBe('number');
    // UserInfo answers the app's token with openid (and email/name only with their scopes).
    const info = await t.app.inject({ method: 'GET', url: '/oauth/userinfo', headers: bearer(tokens.access_token) });
    expect(info.statusCode).toBe(200);
    expect(info.json<Record<string, unknown>>()).toEqual({ sub: member.id });
    // Discovery names this issuer and its endpoints, at both well-known names.
    for (const name of ['openid-configuration', 'oauth-authorization-server']) {
      const meta = (await t.app.inject({ method: 'GET', url: `/.well-known/${name}` })).json<Record<string, unknown>>();
      expect(meta).toMatchObject({
        issuer: ISSUER,
        authorization_endpoint: `${ISSUER}/oauth/authorize`,
        token_endpoint: `${ISSUER}/oauth/token`,
        jwks_uri: `${ISSUER}/.well-known/jwks.json`,
        code_challenge_methods_supported: ['S256'],
        authorization_response_iss_parameter_supported: true,
      });
    }
    // A user's own token is not an app's: UserInfo is 403 for it.
    const own = await t.app.inject({ method: 'GET', url: '/oauth/userinfo', headers: bearer(member.access_token) });
    expect(own.statusCode).toBe(403);
    // The id_token is for the app: it is no API credential.
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(tokens.id_token!) })).statusCode,
    ).toBe(401);
  });

  it('acts as the user in that one space, within role ∩ scopes, and the current role wins', async () => {
    const reader = await tokensFor(member, 'records:read');
    expect((await list(reader.access_token)).statusCode).toBe(200);
    expect((await create(reader.access_token)).statusCode).toBe(403);
    const writer = await tokensFor(member, 'records:read records:write');
    expect((await create(writer.access_token)).statusCode).toBe(201);
    // Another space, even one the user belongs to, is out of reach.
    const other = await createSpace(t.app, member.access_token);
    expect((await list(writer.access_token, other.id)).statusCode).toBe(404);
    // Account and membership operations are for the user signed in themselves.
    const made = await t.app.inject({
      method: 'POST',
      url: '/api/spaces',
      headers: bearer(writer.access_token),
      payload: { name: 'x' },
    });
    expect(made.statusCode).toBe(403);
    // The audit log names the user and the app.
    const [entry] = await t.sql<{ actor_id: string; actor_label: string }>(
      `select actor_id, actor_label from audit_logs where action = 'record.create' order by at desc limit 1`,
    );
    expect(entry).toEqual({ actor_id: member.id, actor_label: `${member.email} via Acme Reports` });

    // Demoted to viewer: writing stops on the next request, reading goes on.
    const demote = await t.app.inject({
      method: 'PATCH',
      url: `/api/spaces/${spaceId}/members/${member.id}`,
      headers: bearer(owner.access_token),
      payload: { role: 'viewer' },
    });
    expect(demote.statusCode).toBe(200);
    expect((await create(writer.access_token)).statusCode).toBe(403);
    expect((await list(writer.access_token)).json<Page<Row>>().data.length).toBeGreaterThan(0);
    await t.app.inject({
      method: 'PATCH',
      url: `/api/spaces/${spaceId}/members/${member.id}`,
      headers: bearer(owner.access_token),
      payload: { role: 'editor' },
    });
  });

  it('refuses a replayed code and revokes the token issued from it', async () => {
    const { verifier, challenge } = pkce();
    const code = await obtainCode(t, member, paramsFor(challenge));
    const first = await exchange(code, verifier);
    expect(first.statusCode).toBe(200);
    const token = first.json<Tokens>().access_token;
    expect((await list(token)).statusCode).toBe(200);
    const replay = await exchange(code, verifier);
    expect(replay.statusCode).toBe(400);
    expect(replay.json<OAuthErrorDto>().error).toBe('invalid_grant');
    expect((await list(token)).statusCode).toBe(401);
  });

  it('refuses wrong, missing or downgraded PKCE, another client, an expired code and another redirect URI', async () => {
    const other = await registerClient(t, owner, spaceId, {
      name: 'Other',
      type: 'confidential',
      redirect_uris: [REDIRECT],
      scopes: ['records:read'],
    });
    const cases: [string, (code: string, verifier: string) => ReturnType<typeof exchange>][] = [
      ['wrong verifier', (code) => exchange(code, pkce().verifier)],
      ['missing verifier', (code) => exchange(code, undefined)],
      ['another client', (code, verifier) => exchange(code, verifier, {}, other)],
      ['another redirect URI', (code, verifier) => exchange(code, verifier, { redirect_uri: `${REDIRECT}/x` })],
      [
        'expired',
        async (code, verifier) => {
          await t.sql(`update oauth_codes set expires_at = now() - interval '1 second' where used_at is null`);
          return exchange(code, verifier);
        },
      ],
    ];
    for (const [name, attempt] of cases) {
      const { verifier, challenge } = pkce();
      const code = await obtainCode(t, member, paramsFor(challenge));
      const res = await attempt(code, verifier);
      expect({ name, status: res.statusCode, error: res.json<OAuthErrorDto>().error }).toEqual({
        name,
        status: 400,
        error: 'invalid_grant',
      });
    }
    // A verifier for a code that had no challenge is a downgrade attempt.
    const { code_challenge: _challenge, code_challenge_method: _method, ...noPkce } = paramsFor('x');
    const code = await obtainCode(t, member, noPkce);
    expect((await exchange(code, pkce().verifier)).json<OAuthErrorDto>().error).toBe('invalid_grant');
  });

  it('authenticates confidential clients (invalid_client, 401) and lets a public one in with PKCE alone', async () => {
    const { verifier, challenge } = pkce();
    const code = await obtainCode(t, member, paramsFor(challenge));
    const forged = { ...client, client_secret: client.client_secret!.replace(/.$/, (c) => (c === 'a' ? 'b' : 'a')) };
    for (const c of [forged, { client_id: client.client_id }]) {
      const res = await exchange(code, verifier, {}, c);
      expect(res.statusCode).toBe(401);
      expect(res.json<OAuthErrorDto>().error).toBe('invalid_client');
    }
    const cli = await registerClient(t, owner, spaceId, {
      name: 'Acme CLI',
      type: 'public',
      redirect_uris: [REDIRECT],
      scopes: ['records:read'],
    });
    const pub = pkce();
    const pubCode = await obtainCode(t, member, {
      ...paramsFor(pub.challenge, 'records:read'),
      client_id: cli.client_id,
    });
    const res = await exchange(pubCode, pub.verifier, { client_id: cli.client_id }, cli);
    expect(res.statusCode).toBe(200);
    expect((await list(res.json<Tokens>().access_token)).statusCode).toBe(200);
  });

  it("stops a deleted client's tokens and a removed member's on the next request", async () => {
    const doomed = await registerClient(t, owner, spaceId, {
      name: 'Doomed',
      type: 'confidential',
      redirect_uris: [REDIRECT],
      scopes: ['records:read'],
    });
    const { verifier, challenge } = pkce();
    const code = await obtainCode(t, member, { ...paramsFor(challenge, 'records:read'), client_id: doomed.client_id });
    const token = (await exchange(code, verifier, {}, doomed)).json<Tokens>().access_token;
    expect((await list(token)).statusCode).toBe(200);
    const deleted = await t.app.inject({
      method: 'DELETE',
      url: `/api/spaces/${spaceId}/oauth-clients/${doomed.client_id}`,
      headers: bearer(owner.access_token),
    });
    expect(deleted.statusCode).toBe(204);
    expect((await list(token)).statusCode).toBe(401);

    const leaver = await signup(t.app);
    await addMember(t.app, owner.access_token, spaceId, leaver.email, 'editor');
    const theirs = await tokensFor(leaver, 'records:read');
    expect((await list(theirs.access_token)).statusCode).toBe(200);
    await t.app.inject({
      method: 'DELETE',
      url: `/api/spaces/${spaceId}/members/${leaver.id}`,
      headers: bearer(owner.access_token),
    });
    expect((await list(theirs.access_token)).statusCode).toBe(401);
  });

  it('gives offline_access a refresh token that rotates, for its own client only, and not as a user session', async () => {
    const { verifier, challenge } = pkce();
    const code = await obtainCode(t, member, paramsFor(challenge, 'records:read offline_access'));
    const first = (await exchange(code, verifier)).json<Tokens>();
    expect(first.refresh_token).toMatch(/^prt_/);
    const refresh = (token: string, c = client) =>
      postForm(
        t,
        '/oauth/token',
        { grant_type: 'refresh_token', refresh_token: token },
        c.client_secret ? basic(c.client_id, c.client_secret) : { 'x-ignored': '1' },
      );
    // Not a user's own session: /api/auth/refresh refuses it, and nothing is spent.
    const asUser = await t.app.inject({
      method: 'POST',
      url: '/api/auth/refresh',
      payload: { refresh_token: first.refresh_token },
    });
    expect(asUser.statusCode).toBe(401);
    // Another client cannot use it either (and does not spend it).
    const other = await registerClient(t, owner, spaceId, {
      name: 'Thief',
      type: 'confidential',
      redirect_uris: [REDIRECT],
      scopes: ['records:read', 'offline_access'],
    });
    expect((await refresh(first.refresh_token!, other)).json<OAuthErrorDto>().error).toBe('invalid_grant');

    const renewed = await refresh(first.refresh_token!);
    expect(renewed.statusCode).toBe(200);
    const next = renewed.json<Tokens>();
    expect(next).toMatchObject({ token_type: 'Bearer', scope: 'records:read offline_access' });
    expect(next.refresh_token).not.toBe(first.refresh_token);
    expect((await list(next.access_token)).statusCode).toBe(200);
    // Reusing the spent token revokes the family: the successor stops working too.
    expect((await refresh(first.refresh_token!)).json<OAuthErrorDto>().error).toBe('invalid_grant');
    expect((await refresh(next.refresh_token!)).json<OAuthErrorDto>().error).toBe('invalid_grant');
  });

  it('revokes (RFC 7009) by access or refresh token, for the client that holds it, answering 200 either way', async () => {
    const revoke = (token: string, c = client) =>
      postForm(t, '/oauth/revoke', { token }, c.client_secret ? basic(c.client_id, c.client_secret) : {});
    const other = await registerClient(t, owner, spaceId, {
      name: 'Stranger',
      type: 'confidential',
      redirect_uris: [REDIRECT],
      scopes: ['records:read'],
    });
    // By access token: another client's attempt changes nothing; the holder's revokes.
    const byAccess = await tokensFor(member, 'records:read offline_access');
    expect((await revoke(byAccess.access_token, other)).statusCode).toBe(200);
    expect((await list(byAccess.access_token)).statusCode).toBe(200);
    const done = await revoke(byAccess.access_token);
    expect(done.statusCode).toBe(200);
    expect(done.headers['cache-control']).toBe('no-store');
    expect((await list(byAccess.access_token)).statusCode).toBe(401);
    const refreshAfter = await postForm(
      t,
      '/oauth/token',
      { grant_type: 'refresh_token', refresh_token: byAccess.refresh_token! },
      basic(client.client_id, client.client_secret!),
    );
    expect(refreshAfter.json<OAuthErrorDto>().error).toBe('invalid_grant');
    // By refresh token: the access tokens of that authorization stop too.
    const byRefresh = await tokensFor(member, 'records:read offline_access');
    expect((await revoke(byRefresh.refresh_token!)).statusCode).toBe(200);
    expect((await list(byRefresh.access_token)).statusCode).toBe(401);
    // Garbage is 200 as well; a wrong client secret is invalid_client.
    expect((await revoke('not-a-token')).statusCode).toBe(200);
    const forged = { ...client, client_secret: client.client_secret!.replace(/.$/, (c) => (c === 'a' ? 'b' : 'a')) };
    const refused = await revoke(byRefresh.access_token, forged);
    expect(refused.statusCode).toBe(401);
    expect(refused.json<OAuthErrorDto>().error).toBe('invalid_client');
  });

  it('introspects (RFC 7662) for the confidential client that holds the token, and inactive for anyone else', async () => {
    const introspect = (token: string, c = client) =>
      postForm(t, '/oauth/introspect', { token }, c.client_secret ? basic(c.client_id, c.client_secret) : {});
    const tokens = await tokensFor(member, 'records:read offline_access');
    const access = await introspect(tokens.access_token);
    expect(access.statusCode).toBe(200);
    expect(access.json<Record<string, unknown>>()).toMatchObject({
      active: true,
      scope: 'records:read offline_access',
      client_id: client.client_id,
      sub: member.id,
      token_type: 'access_token',
      space_id: spaceId,
    });
    expect((await introspect(tokens.refresh_token!)).json<Record<string, unknown>>()).toMatchObject({
      active: true,
      token_type: 'refresh_token',
    });
    const other = await registerClient(t, owner, spaceId, {
      name: 'Peeker',
      type: 'confidential',
      redirect_uris: [REDIRECT],
      scopes: ['records:read'],
    });
    for (const [token, c] of [
      [tokens.access_token, other],
      ['garbage', client],
      [member.access_token, client],
    ] as const)
      expect((await introspect(token, c)).json()).toEqual({ active: false });
    const cli = await registerClient(t, owner, spaceId, {
      name: 'Public',
      type: 'public',
      redirect_uris: [REDIRECT],
      scopes: ['records:read'],
    });
    const byPublic = await postForm(t, '/oauth/introspect', { token: tokens.access_token, client_id: cli.client_id });
    expect(byPublic.statusCode).toBe(401);
  });

  it('lists the apps a user authorised and withdraws one, stopping its tokens at once', async () => {
    const user = await signup(t.app);
    await addMember(t.app, owner.access_token, spaceId, user.email, 'viewer');
    const tokens = await tokensFor(user, 'records:read offline_access');
    const grants = await t.app.inject({ method: 'GET', url: '/api/auth/grants', headers: bearer(user.access_token) });
    expect(grants.statusCode).toBe(200);
    expect(grants.json<{ data: Record<string, unknown>[] }>().data).toEqual([
      expect.objectContaining({
        client_id: client.client_id,
        client_name: 'Acme Reports',
        space_id: spaceId,
        scopes: ['records:read', 'offline_access'],
      }),
    ]);
    // An app's token cannot manage grants: that is the user's own business.
    const byApp = await t.app.inject({ method: 'GET', url: '/api/auth/grants', headers: bearer(tokens.access_token) });
    expect(byApp.statusCode).toBe(403);
    const url = `/api/auth/grants/${client.client_id}`;
    expect((await t.app.inject({ method: 'DELETE', url, headers: bearer(user.access_token) })).statusCode).toBe(204);
    expect((await list(tokens.access_token)).statusCode).toBe(401);
    const refresh = await postForm(
      t,
      '/oauth/token',
      { grant_type: 'refresh_token', refresh_token: tokens.refresh_token! },
      basic(client.client_id, client.client_secret!),
    );
    expect(refresh.json<OAuthErrorDto>().error).toBe('invalid_grant');
    expect((await t.app.inject({ method: 'DELETE', url, headers: bearer(user.access_token) })).statusCode).toBe(404);
    const after = await t.app.inject({ method: 'GET', url: '/api/auth/grants', headers: bearer(user.access_token) });
    expect(after.json<{ data: unknown[] }>().data).toEqual([]);
  });

  it('keeps codes, secrets, refresh tokens and session cookies out of the logs and the database', async () => {
    const { verifier, challenge } = pkce();
    const params = paramsFor(challenge, 'openid records:read offline_access');
    const cookie = await signInOnPages(t, member, params);
    const code = await obtainCode(t, member, params);
    const tokens = (await exchange(code, verifier)).json<Tokens>();
    const renewed = (
      await postForm(
        t,
        '/oauth/token',
        { grant_type: 'refresh_token', refresh_token: tokens.refresh_token! },
        basic(client.client_id, client.client_secret!),
      )
    ).json<Tokens>();
    const secrets = [
      code,
      verifier,
      client.client_secret!,
      tokens.refresh_token!,
      renewed.refresh_token!,
      tokens.access_token,
      cookie.split('=')[1],
    ];
    const tables = [
      'oauth_clients',
      'oauth_codes',
      'oauth_sessions',
      'oauth_authorizations',
      'refresh_tokens',
      'audit_logs',
    ];
    const dump = JSON.stringify(await Promise.all(tables.map((table) => t.sql(`select * from ${table}`))));
    const logs = t.logs.join('\n');
    // The requests were logged (so the check below reads something): the token endpoint's among them.
    expect(logs).toContain('"url":"/oauth/token"');
    for (const secret of secrets) {
      expect({ inDatabase: dump.includes(secret), inLogs: logs.includes(secret) }).toEqual({
        inDatabase: false,
        inLogs: false,
      });
    }
  });
});
