import { brotliDecompressSync } from 'node:zlib';
import { OAuthRetention } from '@app/oauth';
import { createTestApp, TestApp } from './create-test-app';
import { bearer, createKey, createSpace, signup, uniqueEmail } from './factories';
import { authorizeUrl, locationOf, obtainCode, pkce, postForm, signInOnPages } from './oauth-helpers';
import type { Problem, TokenPairDto } from './json';

const ISSUER = 'https://portico.example';
const CALLBACK = `${ISSUER}/console/callback`;

/** The console's server side: its static files, the first-run setup and its sign-in (API.md, "Console"). */
describe('the console (GET /console, first-run setup, console sign-in)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { OAUTH_ISSUER: ISSUER } });
  });
  afterAll(() => t.close());

  it('sets Portico up once, from the URL logged at start: a platform admin, a space and an admin key', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/setup' })).json()).toEqual({ required: true });
    const line = t.logs.find((l) => l.includes('/console/setup?token='));
    expect(line).toBeDefined();
    const token = /token=([A-Za-z0-9_-]+)/.exec(line!)![1];
    const body = { email: uniqueEmail('first'), password: 'correct horse battery', space_name: 'First space' };

    const wrong = await t.app.inject({
      method: 'POST',
      url: '/api/setup',
      payload: { ...body, token: 'x'.repeat(32) },
    });
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json<Problem>().type).toBe('urn:portico:problem:invalid-setup-token');
    const missing = await t.app.inject({ method: 'POST', url: '/api/setup', payload: { token } });
    expect(missing.statusCode).toBe(400);
    const longName = await t.app.inject({
      method: 'POST',
      url: '/api/setup',
      payload: { ...body, token, space_name: 'x'.repeat(150) },
    });
    expect(longName.statusCode).toBe(400);
    expect(longName.json<Problem>().errors).toEqual([expect.objectContaining({ field: 'space_name' })]);

    const res = await t.app.inject({ method: 'POST', url: '/api/setup', payload: { ...body, token } });
    expect(res.statusCode).toBe(201);
    expect(res.headers['cache-control']).toBe('no-store');
    const done = res.json<
      TokenPairDto & { space: { id: string; name: string }; api_key: { key: string; is_admin: boolean } }
    >();
    expect(done.space.name).toBe('First space');
    expect(done.api_key.is_admin).toBe(true);
    const me = await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(done.access_token) });
    expect(me.json()).toMatchObject({ email: body.email, is_platform_admin: true });
    const withKey = await t.app.inject({
      method: 'GET',
      url: `/api/spaces/${done.space.id}/collections`,
      headers: { 'x-api-key': done.api_key.key },
    });
    expect(withKey.statusCode).toBe(200);
    // Refreshing keeps the flag (it comes from the database, not from config).
    const refreshed = await t.app.inject({
      method: 'POST',
      url: '/api/auth/refresh',
      payload: { refresh_token: done.refresh_token },
    });
    const again = await t.app.inject({
      method: 'GET',
      url: '/api/auth/me',
      headers: bearer(refreshed.json<TokenPairDto>().access_token),
    });
    expect(again.json()).toMatchObject({ is_platform_admin: true });

    // Once used, the token is gone; and anyone who signs up later is no platform admin.
    const replay = await t.app.inject({ method: 'POST', url: '/api/setup', payload: { ...body, token } });
    expect(replay.statusCode).toBe(409);
    expect((await t.app.inject({ method: 'GET', url: '/api/setup' })).json()).toEqual({ required: false });
    const later = await signup(t.app);
    const laterMe = await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(later.access_token) });
    expect(laterMe.json()).toMatchObject({ is_platform_admin: false });
  });

  it('serves the built console: the app for client routes, hashed assets cached and compressed', async () => {
    const index = await t.app.inject({ method: 'GET', url: '/console/spaces/abc/keys' });
    expect(index.statusCode).toBe(200);
    expect(index.headers['content-type']).toContain('text/html');
    expect(index.headers['cache-control']).toBe('no-cache');
    const csp = String(index.headers['content-security-policy']);
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    const script = /src="(\/console\/assets\/[^"]+\.js)"/.exec(index.body)![1];
    expect(index.body).not.toMatch(/<script>(?!<\/script>)/); // no inline script
    const asset = await t.app.inject({ method: 'GET', url: script, headers: { 'accept-encoding': 'br, gzip' } });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['content-encoding']).toBe('br');
    // The build's brotli copy is the script itself.
    const plain = await t.app.inject({ method: 'GET', url: script });
    expect(brotliDecompressSync(asset.rawPayload).equals(plain.rawPayload)).toBe(true);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const cached = await t.app.inject({
      method: 'GET',
      url: script,
      headers: { 'if-none-match': String(asset.headers.etag) },
    });
    expect(cached.statusCode).toBe(304);
    // Issue #20's budget: the first load's JavaScript, as sent compressed, under 300 KB.
    const scripts = [...index.body.matchAll(/(?:src|href)="(\/console\/assets\/[^"]+\.js)"/g)].map((m) => m[1]);
    let sent = 0;
    for (const url of scripts)
      sent += (await t.app.inject({ method: 'GET', url, headers: { 'accept-encoding': 'br' } })).rawPayload.length;
    process.stdout.write(`console first load: ${scripts.length} script(s), ${Math.round(sent / 1024)} KB brotli\n`);
    expect(sent).toBeLessThan(300 * 1024);
    const gone = await t.app.inject({ method: 'GET', url: '/console/assets/index-00000000.js' });
    expect(gone.statusCode).toBe(404);
    expect(gone.headers['content-type']).toContain('application/problem+json');
    const traversal = await t.app.inject({ method: 'GET', url: '/console/..%2f..%2fpackage.json' });
    expect(traversal.body).not.toContain('"devDependencies"');
  });

  it('signs the console in with a code and PKCE, no consent, for a session of the user across spaces', async () => {
    const user = await signup(t.app);
    const a = await createSpace(t.app, user.access_token, 'A');
    const { verifier, challenge } = pkce();
    const params = {
      response_type: 'code',
      client_id: 'portico-console',
      redirect_uri: CALLBACK,
      scope: 'openid',
      state: 'st',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    };
    const code = await obtainCode(t, user, params);
    const exchange = (fields: Record<string, string>) =>
      postForm(t, '/oauth/token', {
        grant_type: 'authorization_code',
        client_id: 'portico-console',
        code,
        redirect_uri: CALLBACK,
        code_verifier: verifier,
        ...fields,
      });
    expect((await exchange({ code_verifier: pkce().verifier })).json()).toMatchObject({ error: 'invalid_grant' });
    const res = await exchange({});
    expect(res.statusCode).toBe(200);
    const tokens = res.json<TokenPairDto>();
    // A user session: every space of the user, key management included, and it rotates.
    const keys = await createKey(t.app, bearer(tokens.access_token), a.id);
    expect(keys.key).toMatch(/^ptc_/);
    const b = await createSpace(t.app, tokens.access_token, 'B');
    expect(b.id).toBeDefined();
    const rotated = await t.app.inject({
      method: 'POST',
      url: '/api/auth/refresh',
      payload: { refresh_token: tokens.refresh_token },
    });
    expect(rotated.statusCode).toBe(200);
    // The code is spent.
    expect((await exchange({})).json()).toMatchObject({ error: 'invalid_grant' });
    // Its one redirect URI is this server's own callback: another is an error page, never a redirect.
    const elsewhere = await t.app.inject({
      method: 'GET',
      url: authorizeUrl({ ...params, redirect_uri: 'https://evil.example/console/callback' }),
    });
    expect(elsewhere.statusCode).toBe(400);
    expect(elsewhere.headers.location).toBeUndefined();
    // Signing out of the pages ends their session: the same cookie now gets the sign-in form.
    const cookie = await signInOnPages(t, user, params);
    const before = await t.app.inject({ method: 'GET', url: authorizeUrl(params), headers: { cookie } });
    expect(before.statusCode).toBe(302);
    const out = await t.app.inject({ method: 'POST', url: '/oauth/sign-out', headers: { cookie } });
    expect(out.statusCode).toBe(204);
    expect(String(out.headers['set-cookie'])).toContain('Max-Age=0');
    const after = await t.app.inject({ method: 'GET', url: authorizeUrl(params), headers: { cookie } });
    expect(after.statusCode).toBe(200);
    expect(after.body).toContain('name="password"');
    // Without PKCE the request goes back with an error, as for any public client.
    const cookieless = await t.app.inject({
      method: 'GET',
      url: authorizeUrl({ ...params, code_challenge: '', code_challenge_method: '' }),
    });
    expect(locationOf(cookieless).searchParams.get('error')).toBe('invalid_request');
  });

  it('purges expired codes and sign-in sessions, and keeps live ones', async () => {
    const user = await signup(t.app);
    const { challenge } = pkce();
    const params = {
      response_type: 'code',
      client_id: 'portico-console',
      redirect_uri: CALLBACK,
      scope: 'openid',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    };
    await obtainCode(t, user, params);
    await obtainCode(t, user, params);
    await t.sql(`update oauth_codes set expires_at = now() - interval '2 days' where user_id = ?`, [user.id]);
    const sessions = await t.sql<{ token_hash: Buffer }>('select token_hash from oauth_sessions where user_id = ?', [
      user.id,
    ]);
    expect(sessions).toHaveLength(2);
    await t.sql(`update oauth_sessions set expires_at = now() - interval '1 minute' where token_hash = ?`, [
      sessions[0].token_hash,
    ]);
    const purged = await t.app.get(OAuthRetention).run();
    expect(purged.codes).toBeGreaterThanOrEqual(2);
    expect(purged.sessions).toBeGreaterThanOrEqual(1);
    expect(await t.sql('select 1 from oauth_codes where user_id = ?', [user.id])).toHaveLength(0);
    expect(await t.sql('select 1 from oauth_sessions where user_id = ?', [user.id])).toHaveLength(1);
  });
});
