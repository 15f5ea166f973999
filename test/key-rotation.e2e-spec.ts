import { generateKeyPairSync, createPublicKey } from 'node:crypto';
import { createTestApp, TestApp } from './create-test-app';
import { bearer, signup } from './factories';
import type { JwksDto, TokenPairDto } from './json';

const pem = () =>
  generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
    .privateKey.export({ format: 'pem', type: 'pkcs8' })
    .toString();
const publicPem = (privatePem: string) =>
  createPublicKey(privatePem).export({ format: 'pem', type: 'spki' }).toString();
const PEPPER = 'rotation-test-pepper-0123456789abcdef';

describe('signing key rotation by configuration', () => {
  let before: TestApp;
  let after: TestApp;
  const oldKey = pem();
  const newKey = pem();

  beforeAll(async () => {
    before = await createTestApp({ env: { JWT_PRIVATE_KEY: oldKey, API_KEY_PEPPER: PEPPER } });
  });
  afterAll(async () => {
    await after?.close();
    await before.close();
  });

  it('keeps tokens signed by the previous key valid and publishes both keys', async () => {
    const u = await signup(before.app);
    after = await createTestApp({
      db: before.db,
      env: { JWT_PRIVATE_KEY: newKey, JWT_PREVIOUS_PUBLIC_KEYS: publicPem(oldKey), API_KEY_PEPPER: PEPPER },
    });
    const jwks = (await after.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json<JwksDto>();
    expect(jwks.keys.map((k) => k.kid)).toEqual([after.secrets.signingKey.kid, before.secrets.signingKey.kid]);
    // A token minted before the rotation still works after it…
    expect(
      (await after.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(u.access_token) })).statusCode,
    ).toBe(200);
    // …new tokens are signed with the new key…
    const fresh = (
      await after.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { email: u.email, password: u.password },
      })
    ).json<TokenPairDto>();
    const header = JSON.parse(Buffer.from(fresh.access_token.split('.')[0], 'base64url').toString()) as { kid: string };
    expect(header.kid).toBe(after.secrets.signingKey.kid);
    // …and once the old key is dropped from configuration, its tokens are refused.
    const dropped = await createTestApp({ db: before.db, env: { JWT_PRIVATE_KEY: newKey, API_KEY_PEPPER: PEPPER } });
    try {
      expect(
        (await dropped.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(u.access_token) })).statusCode,
      ).toBe(401);
      expect(
        (await dropped.app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(fresh.access_token) }))
          .statusCode,
      ).toBe(200);
    } finally {
      await dropped.close();
    }
  });
});
