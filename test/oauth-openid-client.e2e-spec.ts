import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import * as oidc from 'openid-client';
import { chromium, BrowserContext } from 'playwright-core';
import { createTestApp, TestApp } from './create-test-app';
import { addMember, bearer, createCollection, createSpace, signup, TestUser } from './factories';
import { registerClient } from './oauth-helpers';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveBrowser = existsSync(CHROMIUM) || process.env.CI === 'true';
if (!haveBrowser)
  process.stderr.write(`oauth-openid-client: ${CHROMIUM} not found, the OAuth browser test is skipped\n`);
const describeWithBrowser = haveBrowser ? describe : describe.skip;
const ARTIFACTS = join(__dirname, '..', 'artifacts');

/**
 * The whole authorization-code flow as a real app and a real user run it: openid-client
 * (the certified relying-party library) is the app, Chromium is the user's browser.
 */
describeWithBrowser('OAuth 2.0 + OpenID Connect with openid-client and a browser', () => {
  let t: TestApp;
  let browser: BrowserContext;
  let profile: string;
  let base: string;
  let owner: TestUser;
  let member: TestUser;
  let spaceId: string;

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    owner = await signup(t.app);
    member = await signup(t.app, { name: 'Mia Member' });
    spaceId = (await createSpace(t.app, owner.access_token, 'Acme HQ')).id;
    await createCollection(t.app, bearer(owner.access_token), spaceId);
    await addMember(t.app, owner.access_token, spaceId, member.email, 'editor');
    profile = mkdtempSync(join(tmpdir(), 'portico-chromium-'));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    });
  }, 60000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('discovery → authorize → sign in → consent → code + PKCE → id_token → userinfo → records → refresh → revoke', async () => {
    const redirectUri = `${base}/app/callback`;
    const client = await registerClient(t, owner, spaceId, {
      name: 'Acme Reports',
      type: 'confidential',
      redirect_uris: [redirectUri],
      scopes: ['openid', 'email', 'profile', 'records:read', 'offline_access'],
    });
    // Plain HTTP on loopback only: openid-client asks for https otherwise.
    const config = await oidc.discovery(
      new URL(base),
      client.client_id,
      { client_secret: client.client_secret, id_token_signed_response_alg: 'ES256' },
      undefined,
      { execute: [oidc.allowInsecureRequests] },
    );
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid email profile records:read offline_access',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });

    // The user's browser; the app reads the callback URL the browser lands on (no app serves it here).
    const page = await browser.newPage();
    await page.goto(url.href);
    await page.getByLabel('Email').fill(member.email);
    await page.getByLabel('Password').fill(member.password);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'oauth-sign-in.png') });
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Acme Reports wants to act for you' }).waitFor();
    expect(await page.textContent('main')).toContain('Acme HQ');
    await page.screenshot({ path: join(ARTIFACTS, 'oauth-consent.png') });
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL(`${redirectUri}?**`);
    const callback = page.url();
    process.stdout.write(
      `\nOAuth page screenshots (CI artifacts): ${ARTIFACTS}/oauth-sign-in.png, oauth-consent.png\n`,
    );
    await page.close();

    // The app: the library checks state, iss, the code exchange with PKCE and the id_token.
    const tokens = await oidc.authorizationCodeGrant(config, new URL(callback), {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims()!;
    expect(claims).toMatchObject({
      sub: member.id,
      iss: base,
      aud: client.client_id,
      nonce,
      email: member.email,
      name: 'Mia Member',
    });
    const info = await oidc.fetchUserInfo(config, tokens.access_token, member.id);
    expect(info).toEqual({ sub: member.id, email: member.email, name: 'Mia Member' });

    const records = `/api/spaces/${spaceId}/collections/orders/records`;
    const list = (token: string) => t.app.inject({ method: 'GET', url: records, headers: bearer(token) });
    expect((await list(tokens.access_token)).statusCode).toBe(200);

    const renewed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(renewed.refresh_token).not.toBe(tokens.refresh_token);
    expect((await list(renewed.access_token)).statusCode).toBe(200);

    await oidc.tokenRevocation(config, renewed.refresh_token!);
    expect((await list(renewed.access_token)).statusCode).toBe(401);
    expect((await list(tokens.access_token)).statusCode).toBe(401);
  }, 60000);
});
