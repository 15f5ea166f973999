import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, BrowserContext, Page } from 'playwright-core';
import { createTestApp, TestApp } from './create-test-app';
import { bearer, createCollection, createKey, createSpace, signup } from './factories';
import { registerClient } from './oauth-helpers';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// CI installs Chromium (.ci/run); a fresh machine without it skips this file, loudly.
const haveBrowser = existsSync(CHROMIUM) || process.env.CI === 'true';
if (!haveBrowser)
  process.stderr.write(
    `docs-browser: ${CHROMIUM} not found, the Swagger UI browser test is skipped (apt-get install chromium)\n`,
  );
const describeWithBrowser = haveBrowser ? describe : describe.skip;

const ARTIFACTS = join(__dirname, '..', 'artifacts');

describeWithBrowser('Swagger UI in a real browser', () => {
  let t: TestApp;
  let browser: BrowserContext;
  let baseUrl: string;
  let key: string;
  let spaceId: string;

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    baseUrl = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    const owner = await signup(t.app);
    const space = await createSpace(t.app, owner.access_token);
    spaceId = space.id;
    await createCollection(t.app, bearer(owner.access_token), space.id);
    key = (
      await createKey(t.app, bearer(owner.access_token), space.id, {
        label: 'swagger-ui',
        collection_permissions: { orders: ['read'] },
      })
    ).key;
    browser = await launch();
  }, 60000);
  afterAll(async () => {
    for (const context of contexts) await context.close();
    await t?.close();
    for (const profile of profiles) rmSync(profile, { recursive: true, force: true });
  });

  const contexts: BrowserContext[] = [];
  const profiles: string[] = [];
  /** A browser with a fresh profile (playwright passes the directory as --user-data-dir). */
  const launch = async (extraArgs: string[] = []) => {
    const profile = mkdtempSync(join(tmpdir(), 'portico-chromium-'));
    profiles.push(profile);
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        ...extraArgs,
      ],
    });
    contexts.push(context);
    return context;
  };

  /** Authorizes `key` on X-Api-Key in /docs' dialog. */
  const authorize = async (page: Page, key: string) => {
    await page.locator('button.btn.authorize').first().click();
    const dialog = page.locator('.dialog-ux');
    const apiKey = dialog.locator('.auth-container', { has: page.locator('h4', { hasText: /^X-Api-Key/ }) });
    await apiKey.locator('input').fill(key);
    await apiKey.locator('button.authorize').click();
    await expectVisible(apiKey.getByText('Authorized'));
    await apiKey.locator('button.btn-done').click();
  };

  /**
   * Expands the operation, enables "Try it out", fills only the given parameters
   * (the rest stay as Swagger UI leaves them), executes, and returns the status cell.
   */
  const tryItOut = async (page: Page, id: string, params: Record<string, string> = {}) => {
    const op = page.locator(`#${id}`);
    await op.waitFor();
    if (!(await op.getAttribute('class'))?.includes('is-open')) await op.locator('.opblock-summary').first().click();
    const tryOut = op.locator('button.try-out__btn');
    if ((await tryOut.textContent())?.includes('Try it out')) await tryOut.click();
    for (const [name, value] of Object.entries(params))
      await op.locator(`tr[data-param-name="${name}"] input`).fill(value);
    await op.locator('button.execute').click();
    const status = op.locator('.live-responses-table tr.response td.response-col_status').first();
    await status.waitFor({ timeout: 15000 });
    return { op, status };
  };

  it('authorizes with an API key on X-Api-Key, runs "Try it out" with a 200, and keeps the authorization across a reload', async () => {
    const page = await browser.newPage();
    await page.goto(`${baseUrl}/docs`);
    await page.locator('button.btn.authorize').first().click();

    // The dialog offers all three schemes.
    const dialog = page.locator('.dialog-ux');
    for (const scheme of ['x-undb-api-token', 'X-Api-Key', 'bearer'])
      await expectVisible(dialog.locator('.auth-container h4', { hasText: scheme }).first());
    const apiKey = dialog.locator('.auth-container', { has: page.locator('h4', { hasText: /^X-Api-Key/ }) });
    await apiKey.locator('input').fill(key);
    await apiKey.locator('button.authorize').click();
    await expectVisible(apiKey.getByText('Authorized'));
    await apiKey.locator('button.btn-done').click();

    const { op, status } = await tryItOut(page, 'operations-auth-getMe');
    expect((await status.textContent())?.trim()).toBe('200');
    expect(
      await op.locator('.live-responses-table .microlight, .live-responses-table pre').first().textContent(),
    ).toContain('"kind": "api_key"');

    mkdirSync(ARTIFACTS, { recursive: true });
    const shot = join(ARTIFACTS, 'swagger-ui-try-it-out.png');
    // The response only: the request panel above it shows the key.
    await op.locator('.live-responses-table').screenshot({ path: shot });
    process.stdout.write(`\nSwagger UI screenshot (CI artifact): ${shot}\n`);

    // persistAuthorization: after a reload the key is still applied.
    await page.reload();
    await expectVisible(page.locator('#operations-auth-getMe'));
    expect(
      await page.evaluate(() => Object.keys(JSON.parse(localStorage.getItem('authorized') ?? '{}') as object)),
    ).toEqual(['X-Api-Key']);
    const { status: after } = await tryItOut(page, 'operations-auth-getMe');
    expect((await after.textContent())?.trim()).toBe('200');

    // The space's typed docs load its spec with the persisted key and list what the key may do.
    await page.goto(`${baseUrl}/docs/spaces/${spaceId}`);
    await expectVisible(page.locator('#operations-orders-listOrders'));
    expect(await page.locator('#operations-orders-createOrders').count()).toBe(0);
    const { status: listed } = await tryItOut(page, 'operations-orders-listOrders');
    expect((await listed.textContent())?.trim()).toBe('200');
    await page.close();
  }, 60000);

  it('works over plain HTTP on a host name that is not loopback: empty Try it out is 200, typed docs explain a missing key', async () => {
    // Chromium resolves portico.test to this machine; to the browser it is any LAN or VM host.
    const port = (t.app.getHttpServer().address() as AddressInfo).port;
    const remote = await launch(['--host-resolver-rules=MAP portico.test 127.0.0.1']);
    const base = `http://portico.test:${port}`;
    const page = await remote.newPage();
    const failed: string[] = [];
    page.on('requestfailed', (request) => failed.push(request.url()));

    // Before any authorization the space's typed docs say what to do, with a link.
    await page.goto(`${base}/docs/spaces/${spaceId}`);
    await expectVisible(page.locator('#portico-authorize-link'));
    expect(await page.locator('h1').textContent()).toContain('needs a credential');
    await page.locator('#portico-authorize-link').click();

    // /docs renders (its assets load over http) and Try it out needs nothing but the path.
    await expectVisible(page.locator('button.btn.authorize').first());
    await authorize(page, key);
    const { status } = await tryItOut(page, 'operations-records-listRecordsInKeySpace', { name: 'orders' });
    expect((await status.textContent())?.trim()).toBe('200');

    await page.goto(`${base}/docs/spaces/${spaceId}`);
    await expectVisible(page.locator('#operations-orders-listOrders'));
    const { status: typed } = await tryItOut(page, 'operations-orders-listOrders');
    expect((await typed.textContent())?.trim()).toBe('200');
    expect(failed).toEqual([]);
    await page.close();
  }, 60000);

  it("signs in through Authorize → oauth2 (PKCE, the consent pages in a popup) and runs Try it out with the app's token", async () => {
    const owner = await signup(t.app);
    const space = await createSpace(t.app, owner.access_token);
    await createCollection(t.app, bearer(owner.access_token), space.id);
    const client = await registerClient(t, owner, space.id, {
      name: 'Portico docs',
      type: 'public',
      redirect_uris: [`${baseUrl}/oauth2-redirect.html`],
      scopes: ['records:read'],
    });
    const context = await launch();
    const page = await context.newPage();
    await page.goto(`${baseUrl}/docs`);
    await page.locator('button.btn.authorize').first().click();
    const oauth = page
      .locator('.dialog-ux .auth-container', { has: page.locator('h4', { hasText: /^oauth2/ }) })
      .last();
    await oauth.locator('#client_id_authorizationCode').fill(client.client_id);
    await oauth.locator('label[for="records:read-authorizationCode-checkbox-oauth2"]').click();
    const [popup] = await Promise.all([context.waitForEvent('page'), oauth.locator('button.authorize').click()]);
    await popup.getByLabel('Email').fill(owner.email);
    await popup.getByLabel('Password').fill(owner.password);
    await popup.getByRole('button', { name: 'Sign in' }).click();
    await popup.getByRole('button', { name: 'Allow' }).click();
    await expectVisible(oauth.getByText('Authorized'));
    await page.locator('.dialog-ux button.btn-done').first().click();
    const { status } = await tryItOut(page, 'operations-records-listRecords', { space_id: space.id, name: 'orders' });
    expect((await status.textContent())?.trim()).toBe('200');
    await page.close();
  }, 60000);
});

async function expectVisible(locator: ReturnType<Page['locator']>): Promise<void> {
  await locator.waitFor({ state: 'visible', timeout: 10000 });
}
