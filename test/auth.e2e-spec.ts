import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createLocalJWKSet, jwtVerify, SignJWT } from 'jose';
import { createTestApp, TestApp } from './create-test-app';
import { bearer, signup, uniqueEmail } from './factories';
import type { JwksDto, OAuthErrorDto, SignupResponseDto, TokenPairDto, ValidationProblem } from './json';
import { anyString, matching } from './json';

describe('users and sessions', () => {
  let t: TestApp;
  const inject = (opts: Parameters<TestApp['app']['inject']>[0]) => t.app.inject(opts);
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  describe('signup', () => {
    it('creates a user with normalised email and returns a session', async () => {
      const email = uniqueEmail('Mixed');
      const res = await inject({
        method: 'POST',
        url: '/api/auth/signup',
        payload: { email: `  ${email.toUpperCase()} `, password: 'correct horse', name: 'Ada' },
      });
      expect(res.statusCode).toBe(201);
      const body = res.json<SignupResponseDto>();
      expect(body).toMatchObject({
        user: { email: email.toLowerCase(), name: 'Ada' },
        token_type: 'Bearer',
        expires_in: 3600,
      });
      expect(body.user.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(body.refresh_token).toMatch(/^prt_/);
      expect(res.headers['cache-control']).toBe('no-store');
      const dup = await inject({
        method: 'POST',
        url: '/api/auth/signup',
        payload: { email: email.toLowerCase(), password: 'another one' },
      });
      expect(dup.statusCode).toBe(409);
    });

    it.each([
      [{ email: 'not-an-email', password: 'long enough' }, 'email'],
      [{ email: uniqueEmail(), password: 'short' }, 'password'],
      [{ email: uniqueEmail(), password: 'x'.repeat(257) }, 'password'],
      [{ email: uniqueEmail() }, 'password'],
    ])('rejects %j with a 400 naming %s', async (payload, field) => {
      const res = await inject({ method: 'POST', url: '/api/auth/signup', payload });
      expect(res.statusCode).toBe(400);
      expect(res.json<ValidationProblem>().errors.map((e: { field: string }) => e.field)).toContain(field);
    });

    it('gives exactly one account to concurrent sign-ups with one email', async () => {
      const email = uniqueEmail('race');
      const results = await Promise.all(
        Array.from({ length: 6 }, () =>
          inject({ method: 'POST', url: '/api/auth/signup', payload: { email, password: 'race password' } }),
        ),
      );
      const codes = results.map((r) => r.statusCode).sort();
      expect(codes.filter((c) => c === 201)).toHaveLength(1);
      expect(codes.filter((c) => c === 409)).toHaveLength(5);
      const rows = await t.sql('select count(*)::int as n from users where email = ?', [email]);
      expect(rows[0].n).toBe(1);
    });
  });

  describe('login', () => {
    it('logs in with the right password', async () => {
      const u = await signup(t.app);
      const res = await inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { email: u.email.toUpperCase(), password: u.password },
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({
        token_type: 'Bearer',
        expires_in: 3600,
        access_token: anyString,
        refresh_token: matching(/^prt_/),
      });
    });

    it('answers wrong password and unknown email identically, in similar time', async () => {
      const u = await signup(t.app);
      const timed = async (email: string) => {
        const start = performance.now();
        const res = await inject({
          method: 'POST',
          url: '/api/auth/login',
          payload: { email, password: 'wrong password' },
        });
        return { res, ms: performance.now() - start };
      };
      await timed(uniqueEmail()); // warm the dummy hash
      // Interleaved pairs: a load spike from suites running beside this one hits both kinds alike.
      const wrong: Awaited<ReturnType<typeof timed>>[] = [];
      const unknown: Awaited<ReturnType<typeof timed>>[] = [];
      for (let i = 0; i < 7; i++) {
        wrong.push(await timed(u.email));
        unknown.push(await timed(uniqueEmail()));
      }
      const strip = (b: Record<string, unknown>) => ({ ...b, request_id: undefined });
      expect(wrong[0].res.statusCode).toBe(401);
      expect(unknown[0].res.statusCode).toBe(401);
      expect(strip(unknown[0].res.json())).toEqual(strip(wrong[0].res.json()));
      const median = (xs: { ms: number }[]) => xs.map((x) => x.ms).sort((a, b) => a - b)[Math.floor(xs.length / 2)];
      const ratio = median(unknown) / median(wrong);
      expect(ratio).toBeGreaterThan(0.5);
      expect(ratio).toBeLessThan(2);
    });
  });

  describe('access tokens', () => {
    it('authenticates GET /api/auth/me with a user access token', async () => {
      const u = await signup(t.app, { name: 'Grace' });
      const res = await inject({ method: 'GET', url: '/api/auth/me', headers: bearer(u.access_token) });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ kind: 'user', id: u.id, email: u.email, name: 'Grace', is_platform_admin: false });
    });

    it('can be verified by another process with only the JWKS', async () => {
      const u = await signup(t.app);
      const jwks = (await inject({ method: 'GET', url: '/.well-known/jwks.json' })).json<JwksDto>();
      expect(jwks.keys[0]).toMatchObject({
        kty: 'EC',
        crv: 'P-256',
        alg: 'ES256',
        use: 'sig',
        kid: anyString,
      });
      expect('d' in jwks.keys[0]).toBe(false);
      const { payload, protectedHeader } = await jwtVerify(u.access_token, createLocalJWKSet(jwks), {
        issuer: 'portico',
        audience: 'portico-api',
      });
      expect(protectedHeader).toMatchObject({ alg: 'ES256', kid: jwks.keys[0].kid });
      expect(payload).toMatchObject({ sub: u.id, kind: 'user', iss: 'portico', aud: 'portico-api' });
      expect(payload.jti).toEqual(anyString);
      expect(payload.exp! - payload.iat!).toBe(3600);
    });

    const forge = async (
      key: Parameters<SignJWT['sign']>[0],
      claims: Record<string, unknown>,
      header: Record<string, unknown> = {},
    ) =>
      new SignJWT({ kind: 'user', email: 'x@example.com', ...claims })
        .setProtectedHeader({ alg: 'ES256', kid: t.secrets.signingKey.kid, ...header })
        .setSubject(randomUUID())
        .setIssuer((claims.iss as string) ?? 'portico')
        .setAudience((claims.aud as string) ?? 'portico-api')
        .setIssuedAt()
        .setExpirationTime((claims.exp as number) ?? '5m')
        .sign(key);

    it('accepts a token it signed, and rejects expired, wrong-audience, foreign-key and malformed ones', async () => {
      const ours = t.secrets.signingKey.privateKey!;
      expect(
        (await inject({ method: 'GET', url: '/api/auth/me', headers: bearer(await forge(ours, {})) })).statusCode,
      ).toBe(200);
      const foreign = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
      const bad = [
        await forge(ours, { exp: Math.floor(Date.now() / 1000) - 10 }),
        await forge(ours, { aud: 'someone-else' }),
        await forge(ours, { iss: 'evil' }),
        await forge(foreign, {}),
        await forge(foreign, {}, { kid: 'unknown-kid' }),
        'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4Iiwia2luZCI6InVzZXIifQ.',
        'not.a.jwt',
        'garbage',
      ];
      for (const token of bad) {
        const res = await inject({ method: 'GET', url: '/api/auth/me', headers: bearer(token) });
        expect({ token, status: res.statusCode }).toEqual({ token, status: 401 });
        expect(res.headers['content-type']).toContain('application/problem+json');
      }
      // Tokens without exp or iat, or issued in the future, are refused (RFC 8725: a token must expire).
      const bare = (claims: Record<string, unknown>) =>
        new SignJWT({
          kind: 'user',
          email: 'x@example.com',
          sub: randomUUID(),
          iss: 'portico',
          aud: 'portico-api',
          ...claims,
        })
          .setProtectedHeader({ alg: 'ES256', kid: t.secrets.signingKey.kid })
          .sign(ours);
      const now = Math.floor(Date.now() / 1000);
      for (const token of [
        await bare({ iat: now }),
        await bare({ exp: now + 300 }),
        await bare({}),
        await bare({ iat: now + 3600, exp: now + 7200 }),
        await bare({ iat: 'x', exp: now + 300 }),
      ]) {
        const res = await inject({ method: 'GET', url: '/api/auth/me', headers: bearer(token) });
        expect({ token, status: res.statusCode }).toEqual({ token, status: 401 });
      }
      expect(
        (
          await inject({
            method: 'GET',
            url: '/api/auth/me',
            headers: bearer(await bare({ iat: now, exp: now + 300 })),
          })
        ).statusCode,
      ).toBe(200);
      for (const header of ['Token abc', 'Bearer', 'Basic dXNlcjpwYXNz']) {
        expect(
          (await inject({ method: 'GET', url: '/api/auth/me', headers: { authorization: header } })).statusCode,
        ).toBe(401);
      }
    });

    it('never reads a credential from the query string', async () => {
      const u = await signup(t.app);
      const res = await inject({
        method: 'GET',
        url: `/api/auth/me?access_token=${u.access_token}&api_key=${u.access_token}`,
      });
      expect(res.statusCode).toBe(401);
    });
  });

  describe('refresh tokens', () => {
    it('rotates: each refresh returns a new pair and spends the old token', async () => {
      const u = await signup(t.app);
      const first = await inject({
        method: 'POST',
        url: '/api/auth/refresh',
        payload: { refresh_token: u.refresh_token },
      });
      expect(first.statusCode).toBe(200);
      const next = first.json<TokenPairDto>();
      expect(next.refresh_token).not.toBe(u.refresh_token);
      expect(
        (await inject({ method: 'GET', url: '/api/auth/me', headers: bearer(next.access_token) })).statusCode,
      ).toBe(200);
      const second = await inject({
        method: 'POST',
        url: '/api/auth/refresh',
        payload: { refresh_token: next.refresh_token },
      });
      expect(second.statusCode).toBe(200);
    });

    it('by default, presenting a spent token at once revokes the family (401 and invalid_grant)', async () => {
      for (const via of ['refresh', 'grant'] as const) {
        const u = await signup(t.app);
        const spend = (token: string) =>
          via === 'refresh'
            ? inject({ method: 'POST', url: '/api/auth/refresh', payload: { refresh_token: token } })
            : inject({
                method: 'POST',
                url: '/oauth/token',
                payload: { grant_type: 'refresh_token', refresh_token: token },
              });
        const first = await spend(u.refresh_token);
        expect(first.statusCode).toBe(200);
        const replay = await spend(u.refresh_token);
        expect(replay.statusCode).toBe(via === 'refresh' ? 401 : 400);
        if (via === 'grant') expect(replay.json<OAuthErrorDto>().error).toBe('invalid_grant');
        // The successor died with its family.
        expect((await spend(first.json<TokenPairDto>().refresh_token)).statusCode).toBe(via === 'refresh' ? 401 : 400);
      }
    });

    it('rejects garbage and unknown refresh tokens', async () => {
      for (const refresh_token of ['nope', 'prt_' + 'A'.repeat(43)]) {
        const res = await inject({ method: 'POST', url: '/api/auth/refresh', payload: { refresh_token } });
        expect(res.statusCode).toBe(401);
      }
    });

    it('logout revokes the family; its access tokens live until they expire', async () => {
      const u = await signup(t.app);
      const rotated = (
        await inject({ method: 'POST', url: '/api/auth/refresh', payload: { refresh_token: u.refresh_token } })
      ).json<TokenPairDto>();
      const out = await inject({
        method: 'POST',
        url: '/api/auth/logout',
        payload: { refresh_token: rotated.refresh_token },
      });
      expect(out.statusCode).toBe(204);
      expect(
        (await inject({ method: 'POST', url: '/api/auth/refresh', payload: { refresh_token: rotated.refresh_token } }))
          .statusCode,
      ).toBe(401);
      // Access tokens are verified offline (JWKS), so they stay valid until `exp` (at most ACCESS_TOKEN_TTL).
      expect(
        (await inject({ method: 'GET', url: '/api/auth/me', headers: bearer(rotated.access_token) })).statusCode,
      ).toBe(200);
    });
  });

  describe('POST /oauth/token', () => {
    it('rotates a refresh token from a form body, answering RFC 6749', async () => {
      const u = await signup(t.app);
      const res = await inject({
        method: 'POST',
        url: '/oauth/token',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: `grant_type=refresh_token&refresh_token=${encodeURIComponent(u.refresh_token)}`,
      });
      expect(res.statusCode).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.json()).toMatchObject({
        token_type: 'Bearer',
        expires_in: 3600,
        access_token: anyString,
        refresh_token: matching(/^prt_/),
      });
    });

    it('accepts JSON too, and answers RFC 6749 errors', async () => {
      const u = await signup(t.app);
      const ok = await inject({
        method: 'POST',
        url: '/oauth/token',
        payload: { grant_type: 'refresh_token', refresh_token: u.refresh_token },
      });
      expect(ok.statusCode).toBe(200);
      const cases: [Record<string, unknown>, number, string][] = [
        [{ grant_type: 'refresh_token', refresh_token: 'prt_nope' }, 400, 'invalid_grant'],
        [{ grant_type: 'refresh_token' }, 400, 'invalid_request'],
        [{ grant_type: 'password', username: 'a', password: 'b' }, 400, 'unsupported_grant_type'],
        [{ refresh_token: 'x' }, 400, 'invalid_request'],
        [{ grant_type: 7 }, 400, 'invalid_request'],
      ];
      for (const [payload, status, error] of cases) {
        const res = await inject({ method: 'POST', url: '/oauth/token', payload });
        expect({ payload, status: res.statusCode, error: res.json<OAuthErrorDto>().error }).toEqual({
          payload,
          status,
          error,
        });
        expect(res.json<OAuthErrorDto>().error_description).toEqual(anyString);
      }
    });
  });
});

describe('refresh-token reuse window (opt-in)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { REFRESH_REUSE_WINDOW: '2' } });
  });
  afterAll(() => t.close());

  it('a retry inside the window gets the same successor, not a new branch; after it, reuse revokes', async () => {
    const u = await signup(t.app);
    const refresh = (token: string) =>
      t.app.inject({ method: 'POST', url: '/api/auth/refresh', payload: { refresh_token: token } });
    const [a, b] = await Promise.all([refresh(u.refresh_token), refresh(u.refresh_token)]);
    expect([a.statusCode, b.statusCode]).toEqual([200, 200]);
    const c = await refresh(u.refresh_token);
    expect(c.statusCode).toBe(200);
    expect(
      new Set([
        a.json<TokenPairDto>().refresh_token,
        b.json<TokenPairDto>().refresh_token,
        c.json<TokenPairDto>().refresh_token,
      ]).size,
    ).toBe(1);
    const family = await t.sql<{ n: string }>(
      `select count(*) as n from refresh_tokens t join refresh_families f on f.id = t.family_id join users u on u.id = f.user_id where u.email = ?`,
      [u.email],
    );
    expect(Number(family[0].n)).toBe(2);
    await new Promise((r) => setTimeout(r, 2100));
    expect((await refresh(u.refresh_token)).statusCode).toBe(401);
    expect((await refresh(a.json<TokenPairDto>().refresh_token)).statusCode).toBe(401);
  });
});

describe('refresh-token reuse detection', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('revokes the whole family when a spent token is presented again', async () => {
    const u = await signup(t.app);
    const rotated = (
      await t.app.inject({ method: 'POST', url: '/api/auth/refresh', payload: { refresh_token: u.refresh_token } })
    ).json<TokenPairDto>();
    const replay = await t.app.inject({
      method: 'POST',
      url: '/api/auth/refresh',
      payload: { refresh_token: u.refresh_token },
    });
    expect(replay.statusCode).toBe(401);
    // The thief's replay killed the legitimate successor too.
    const successor = await t.app.inject({
      method: 'POST',
      url: '/api/auth/refresh',
      payload: { refresh_token: rotated.refresh_token },
    });
    expect(successor.statusCode).toBe(401);
    const rows = await t.sql(
      `select revoked_reason from refresh_families f join users u on u.id = f.user_id where u.email = ?`,
      [u.email],
    );
    expect(rows).toEqual([{ revoked_reason: 'reuse' }]);
  });

  it('stores neither passwords nor refresh tokens in plaintext, nor logs them', async () => {
    const u = await signup(t.app);
    const rotated = (
      await t.app.inject({ method: 'POST', url: '/api/auth/refresh', payload: { refresh_token: u.refresh_token } })
    ).json<TokenPairDto>();
    await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: u.email, password: u.password } });
    const dump = JSON.stringify([
      await t.sql('select * from users'),
      await t.sql(
        `select id, family_id, encode(token_hash, 'escape') as h, encode(token_hash, 'base64') as b from refresh_tokens`,
      ),
      await t.sql('select * from refresh_families'),
    ]);
    const logs = t.logs.join('\n');
    const secrets = [
      u.password,
      u.refresh_token,
      rotated.refresh_token,
      u.refresh_token.slice(4),
      rotated.refresh_token.slice(4),
    ];
    for (const secret of secrets) {
      expect(dump).not.toContain(secret);
      expect(logs).not.toContain(secret);
    }
    expect(dump).toContain('scrypt$');
  });
});
