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
    t = await createTestApp({ env: { USAGE_FLUSH_MS: '200' } });
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

    const me = (await (await api('/api/auth/me', adminKey)).json()) as { space_id: string };
    const spaceId = me.space_id;

    // 2. Into the console, then out and in again through the sign-in page.
    await page.getByRole('button', { name: 'Go to the console' }).click();
    await page.getByRole('heading', { name: 'API keys' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Signed out' }).waitFor();
    await audit('signed-out');
    await page.getByRole('button', { name: 'Sign in' }).click();
    // Signing out ended the sign-in pages' session too: the password is asked again.
    await page.waitForURL((url) => url.pathname === '/oauth/authorize');
    await audit('sign-in');
    await page.getByLabel('Email').fill('founder@example.com');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: /sign in/i }).click();
    await page.getByRole('heading', { name: 'Spaces' }).waitFor();
    await audit('spaces');

    // Owners rename; the platform admin (the first user) sets the tier.
    await page.getByRole('button', { name: 'Rename' }).click();
    await page.getByLabel('New name').fill('Acme Inc');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('link', { name: 'Acme Inc' }).waitFor();
    await page.getByRole('textbox', { name: 'Tier of Acme Inc' }).fill('business');
    await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'PATCH' && r.url().endsWith(`/api/spaces/${spaceId}`)),
      page.getByRole('button', { name: 'Set' }).click(),
    ]);
    const space = (await (await api(`/api/spaces/${spaceId}`, adminKey)).json()) as { name: string; tier: string };
    expect(space).toMatchObject({ name: 'Acme Inc', tier: 'business' });

    // 3. A collection, made in the schema form.
    await page.getByRole('link', { name: 'Acme Inc' }).click();
    await page.getByRole('heading', { name: 'API keys' }).waitFor();
    await page.getByRole('link', { name: 'Collections' }).click();
    await page.getByRole('heading', { name: 'Collections' }).waitFor();
    await page.getByLabel('Collection name').fill('orders');
    await page.getByLabel('Field 1 name').fill('status');
    await page.getByLabel('Field 1 type').selectOption('select');
    await page.getByLabel('Field 1 choices').fill('new, paid');
    await page.getByRole('button', { name: 'Add field' }).click();
    await page.getByLabel('Field 2 name').fill('total');
    await page.getByLabel('Field 2 type').selectOption('number');
    await audit('collections');
    await page.getByRole('button', { name: 'Create collection' }).click();
    await page.getByRole('link', { name: 'orders' }).click();

    // 4. Records: two made in the form, then filtered with the builder.
    await page.getByRole('heading', { name: 'Records of orders' }).waitFor();
    for (const [status, total] of [
      ['new', '5'],
      ['paid', '9'],
    ]) {
      await page.getByRole('button', { name: '+ New record' }).click();
      const form = page.getByRole('form', { name: 'Create record' });
      await form.getByLabel('status').selectOption(status);
      await form.getByLabel('total').fill(total);
      await form.getByRole('button', { name: 'Create record' }).click();
      await page.getByRole('cell', { name: status, exact: true }).waitFor();
    }
    await page.getByRole('button', { name: 'Add condition' }).click();
    await page.getByLabel('Condition 1 field').selectOption('status');
    await page.getByLabel('Condition 1 value').fill('paid');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByRole('cell', { name: 'new', exact: true }).waitFor({ state: 'detached' });
    expect(await page.getByRole('cell', { name: 'paid', exact: true }).count()).toBe(1);
    await audit('records');

    // 5. A read-only key for orders, made in the UI.
    await page.getByRole('link', { name: 'API keys' }).click();
    await page.getByRole('heading', { name: 'API keys' }).waitFor();
    await page.getByRole('button', { name: '+ Create API key' }).click();
    await page.getByLabel('Label').fill('reader');
    await page.getByRole('checkbox', { name: 'read on orders' }).check();
    await audit('keys-create');
    await page.getByRole('button', { name: 'Create API key', exact: true }).click();
    // The secret, as the Copy button puts it on the clipboard.
    await page.getByRole('button', { name: 'Copy', exact: true }).click();
    const secret = await page.evaluate(() =>
      (
        globalThis as unknown as { navigator: { clipboard: { readText: () => Promise<string> } } }
      ).navigator.clipboard.readText(),
    );
    expect(secret).toMatch(/^ptc_/);
    expect(secret).toBe(await page.getByTestId('secret').textContent());
    await page.getByRole('button', { name: 'I have copied it' }).click();
    const records = `/api/spaces/${spaceId}/collections/orders/records`;
    expect((await api(records, secret)).status).toBe(200);
    expect((await api(records, secret, { method: 'POST', body: JSON.stringify({ status: 'x' }) })).status).toBe(403);
    await page.reload();
    await page.getByRole('cell', { name: 'reader' }).waitFor();
    await audit('keys');

    // Edit its permissions: now it may write too.
    await page
      .getByRole('row', { name: /reader/ })
      .getByRole('button', { name: 'Edit' })
      .click();
    const editForm = page.getByRole('form', { name: 'Save API key' });
    await expect(editForm.getByRole('checkbox', { name: 'read on orders' }).isChecked()).resolves.toBe(true);
    await editForm.getByRole('checkbox', { name: 'write on orders' }).check();
    await audit('keys-edit');
    await editForm.getByRole('button', { name: 'Save API key' }).click();
    await page.getByRole('cell', { name: 'orders: read, write' }).waitFor();
    expect((await api(records, secret, { method: 'POST', body: JSON.stringify({ status: 'new' }) })).status).toBe(201);

    // 6. Regenerate: the old secret stops working at once. Then delete.
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

    // 7. The audit log shows each step, and its chain verifies.
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByText(/Chain verified: \d+ entries/).waitFor();
    // Each step of the walk, as an entry of the page's table.
    const shown = await page.locator('td code').allTextContents();
    expect(shown).toEqual(
      expect.arrayContaining([
        'collection.create',
        'record.create',
        'api_key.create',
        'api_key.regenerate',
        'api_key.delete',
      ]),
    );
    await page.getByRole('button', { name: 'Details' }).first().click();
    await audit('audit');

    // 8. Usage shows the calls: the key's 200, its refused write (403) and the old secret (401).
    await page.getByRole('link', { name: 'Usage' }).click();
    await page.getByRole('combobox', { name: /^Period/ }).selectOption('minute');
    await page.getByTestId('usage-401').filter({ hasNotText: /^0$/ }).waitFor({ timeout: 15_000 });
    expect(Number(await page.getByTestId('usage-403').textContent())).toBeGreaterThanOrEqual(1);
    expect(Number(await page.getByTestId('usage-2xx').textContent())).toBeGreaterThanOrEqual(2);
    await audit('usage');

    // The other pages of the space, checked for accessibility too.
    await page.getByRole('link', { name: 'Members' }).click();
    await page.getByRole('cell', { name: 'founder@example.com' }).waitFor();
    await audit('members');
    await page.getByRole('link', { name: 'OAuth clients' }).click();
    await page.getByRole('heading', { name: 'Register a client' }).waitFor();
    await audit('oauth-clients');
    await page.goto(`${base}/console/spaces/${spaceId}/collections/orders/schema`);
    await page.getByRole('heading', { name: 'Schema of orders' }).waitFor();
    await audit('schema');

    // Usable at 768 px: the page itself does not scroll sideways.
    await page.setViewportSize({ width: 768, height: 900 });
    await page.getByRole('link', { name: 'API keys' }).click();
    await page.getByRole('heading', { name: 'API keys' }).waitFor();
    const overflow = await page.evaluate(() => {
      const root = (
        globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }
      ).document.documentElement;
      return root.scrollWidth - root.clientWidth;
    });
    expect(overflow).toBeLessThanOrEqual(0);
    await audit('keys-768');
    // No browser errors up to here; the last step asks for one on purpose.
    expect(errors).toEqual([]);
    // A bad filter is the server's problem detail on the page, not a blank table.
    await page.goto(`${base}/console/spaces/${spaceId}/collections/orders/records`);
    await page.locator('summary', { hasText: 'Raw JSON filter' }).click();
    await page.getByLabel('Raw JSON filter').fill('{"nope": {"eq": 1}}');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: /unknown field "nope"/ })
      .waitFor();
  }, 90_000);
});
