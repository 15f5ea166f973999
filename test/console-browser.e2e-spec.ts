import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, BrowserContext, Page } from 'playwright-core';
import { createTestApp, TestApp } from './create-test-app';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveBrowser = existsSync(CHROMIUM) || process.env.CI === 'true';
if (!haveBrowser) process.stderr.write(`console-browser: ${CHROMIUM} not found, the console browser test is skipped\n`);
const describeWithBrowser = haveBrowser ? describe : describe.skip;

const ARTIFACTS = join(__dirname, '..', 'artifacts');
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const PASSWORD = 'correct horse battery staple';

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/**
 * The console in Debian's Chromium (playwright-core), as a new user meets it: the setup
 * URL from the server's log, the first user, space and admin key, sign-out and sign-in
 * through the OAuth pages, and a read-only key made in the UI and used against the API.
 * Every page is checked with axe-core (no serious or critical violation) and saved to
 * artifacts/console-*.png; the browser's console must stay free of errors.
 */
describeWithBrowser('the console in a real browser', () => {
  let t: TestApp;
  let browser: BrowserContext;
  let page: Page;
  let base: string;
  let profile: string;
  const errors: string[] = [];

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    profile = mkdtempSync(join(tmpdir(), 'portico-chromium-'));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1280, height: 800 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    });
    await browser.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    page = browser.pages()[0] ?? (await browser.newPage());
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('response', (r) => {
      if (r.status() >= 400) errors.push(`${r.status()} ${r.request().method()} ${new URL(r.url()).pathname}`);
    });
    mkdirSync(ARTIFACTS, { recursive: true });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    rmSync(profile, { recursive: true, force: true });
  });

  /** axe-core, run through the DevTools protocol (the page's CSP forbids injected scripts, rightly). */
  async function audit(name: string): Promise<void> {
    await page.evaluate(AXE);
    const violations = await page.evaluate(async () => {
      // In the page: axe's global and the document (the test's own types have no DOM).
      const page = globalThis as unknown as { axe: { run: (c: unknown) => Promise<{ violations: unknown[] }> } };
      return (await page.axe.run((globalThis as unknown as { document: unknown }).document)).violations;
    });
    const serious = (violations as AxeViolation[])
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
    expect({ page: name, serious }).toEqual({ page: name, serious: [] });
    await page.screenshot({ path: join(ARTIFACTS, `console-${name}.png`), fullPage: true });
  }

  const api = (path: string, key: string, init: RequestInit = {}) =>
    fetch(`${base}${path}`, { ...init, headers: { 'x-api-key': key, 'content-type': 'application/json' } });

  it('takes a new user from the setup link to a working read-only key', async () => {
    // 1. The one-time setup URL the server logged.
    const line = t.logs.find((l) => l.includes('/console/setup?token='))!;
    const setupPath = /\/console\/setup\?token=[A-Za-z0-9_-]+/.exec(line)![0];
    await page.goto(`${base}${setupPath}`);
    await page.getByRole('heading', { name: 'Set up Portico' }).waitFor();
    await audit('setup');
    await page.getByLabel('Email').fill('founder@example.com');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByLabel('First space').fill('Acme');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'Portico is ready' }).waitFor();
    const adminKey = (await page.getByTestId('secret').textContent())!;
    expect(adminKey).toMatch(/^ptc_/);
    await expect(page.locator('pre.curl').textContent()).resolves.toContain(adminKey);
    await audit('setup-done');

    // A collection to grant on, made with the admin key the setup showed.
    const me = (await (await api('/api/auth/me', adminKey)).json()) as { space_id: string };
    const spaceId = me.space_id;
    const made = await api(`/api/spaces/${spaceId}/collections`, adminKey, {
      method: 'POST',
      body: JSON.stringify({ name: 'orders', fields: [{ name: 'status', type: 'text' }] }),
    });
    expect(made.status).toBe(201);

    // 2. Into the console, then out and in again through the sign-in page.
    await page.getByRole('button', { name: 'Go to the console' }).click();
    await page.getByRole('heading', { name: 'API keys' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Signed out' }).waitFor();
    await audit('signed-out');
    await page.getByRole('button', { name: 'Sign in' }).click();
    // The Portico sign-in session still holds, or the form asks for the password.
    await page.waitForURL((url) => url.pathname.startsWith('/console') || url.pathname.startsWith('/oauth'));
    if (new URL(page.url()).pathname.startsWith('/oauth')) {
      await page.getByLabel('Email').fill('founder@example.com');
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: /sign in/i }).click();
    }
    await page.getByRole('heading', { name: 'Spaces' }).waitFor();
    await audit('spaces');

    // 3. A read-only key for orders, made in the UI.
    await page.getByRole('link', { name: 'Acme' }).click();
    await page.getByRole('heading', { name: 'API keys' }).waitFor();
    await page.getByRole('button', { name: '+ Create API key' }).click();
    await page.getByLabel('Label').fill('reader');
    await page.getByRole('checkbox', { name: 'read on orders' }).check();
    await audit('keys-create');
    await page.getByRole('button', { name: 'Create API key', exact: true }).click();
    const secret = (await page.getByTestId('secret').textContent())!;
    expect(secret).toMatch(/^ptc_/);
    await page.getByRole('button', { name: 'I have copied it' }).click();
    const records = `/api/spaces/${spaceId}/collections/orders/records`;
    expect((await api(records, secret)).status).toBe(200);
    expect((await api(records, secret, { method: 'POST', body: JSON.stringify({ status: 'x' }) })).status).toBe(403);
    await page.reload();
    await page.getByRole('cell', { name: 'reader' }).waitFor();
    await audit('keys');

    // 4. Regenerate: the old secret stops working at once. Then delete.
    const row = page.getByRole('row', { name: /reader/ });
    await row.getByRole('button', { name: 'Regenerate' }).click();
    await page.getByRole('button', { name: 'Regenerate secret' }).click();
    const fresh = (await page.getByTestId('secret').textContent())!;
    expect(fresh).not.toBe(secret);
    expect((await api(records, secret)).status).toBe(401);
    expect((await api(records, fresh)).status).toBe(200);
    await page.getByRole('button', { name: 'I have copied it' }).click();
    await page
      .getByRole('row', { name: /reader/ })
      .getByRole('button', { name: 'Delete' })
      .click();
    await page.getByRole('button', { name: 'Delete key' }).click();
    await page.getByRole('row', { name: /reader/ }).waitFor({ state: 'detached' });
    expect((await api(records, fresh)).status).toBe(401);

    expect(errors).toEqual([]);
  }, 90_000);
});
