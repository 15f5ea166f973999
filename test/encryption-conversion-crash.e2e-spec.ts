import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseHandle } from '@app/database';
import { readDatabase, startServerProcess, ServerProcess } from './server-process';
import { createTestDatabase } from './test-database';
import type { Collection, Page } from './json';

const RECORDS = 2000;
const ssnOf = (i: number) => `078-05-${String(i).padStart(4, '0')}`;
// Small batches and a slow worker, so the kill lands mid-conversion.
const env = {
  REINDEX_BATCH_SIZE: '25',
  REINDEX_INTERVAL_MS: '400',
  CONVERSION_GRACE_MS: '0',
  // The test polls: no tier budget should run out (Redis keeps counts across restarts).
  TIERS_JSON: '{"poll": 1000000000}',
  DEFAULT_TIER: 'poll',
};

/**
 * A field conversion survives a crash of the server (SIGKILL, no shutdown hook): the
 * batches committed stay converted, the one in flight rolls back, and the next start
 * resumes from the saved position. Both ways, on the same data directory and database.
 */
describe('field conversion across a crash', () => {
  let dataDir: string;
  let db: DatabaseHandle | undefined;
  let server: ServerProcess | undefined;
  let h: Record<string, string>;

  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${server!.base}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...h },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return (res.status === 204 ? undefined : await res.json()) as T;
  };
  const start = async () => {
    server = await startServerProcess({ ...env, DATA_DIR: dataDir, DATABASE_URL: db?.url ?? '' });
  };
  let spaceId = '';
  const conversions = async () =>
    (await call<Collection>('GET', `/api/spaces/${spaceId}/collections/people`)).conversions;
  /** Waits for a conversion to pass its first batches, then kills the server. */
  const crashMidway = async () => {
    const deadline = Date.now() + 30_000;
    let progress = (await conversions())[0];
    while (progress && progress.converted === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
      progress = (await conversions())[0];
    }
    await server!.stop('SIGKILL');
    return progress;
  };
  const finished = async () => {
    const deadline = Date.now() + 60_000;
    while ((await conversions()).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(await conversions()).toEqual([]);
  };
  /** How the database holds the ssn values, read with SQL while the server is stopped. */
  const forms = async () => {
    return readDatabase(db, dataDir, async (client) => {
      const { rows } = await client.query<{ sealed: string; clear: string }>(
        `select count(*) filter (where jsonb_typeof(data->'ssn') = 'object') as sealed,
                count(*) filter (where jsonb_typeof(data->'ssn') = 'string') as clear from records`,
      );
      return { sealed: Number(rows[0].sealed), clear: Number(rows[0].clear) };
    });
  };
  const readsBack = async () => {
    const page = await call<Page<{ ssn: string; n: number }>>(
      'GET',
      `/api/spaces/${spaceId}/collections/people/records?limit=1000`,
    );
    expect(page.data.every((r) => r.ssn === ssnOf(r.n))).toBe(true);
    const filter = encodeURIComponent(JSON.stringify({ ssn: ssnOf(1234) }));
    const hit = await call<Page<{ n: number }>>(
      'GET',
      `/api/spaces/${spaceId}/collections/people/records?filter=${filter}`,
    );
    expect(hit.data.map((r) => r.n)).toEqual([1234]);
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'portico-crash-'));
    if (process.env.DATABASE_URL) db = await createTestDatabase();
    await start();
    h = {};
    const auth = await call<{ access_token: string }>('POST', '/api/auth/signup', {
      email: 'crash@example.com',
      password: 'correct horse battery staple',
    });
    h = { authorization: `Bearer ${auth.access_token}` };
    spaceId = (await call<{ id: string }>('POST', '/api/spaces', { name: 'Crash' })).id;
    await call('POST', `/api/spaces/${spaceId}/collections`, {
      name: 'people',
      fields: [
        { name: 'ssn', type: 'text' },
        { name: 'n', type: 'integer' },
      ],
    });
    for (let i = 0; i < RECORDS; i += 1000) {
      const records = Array.from({ length: 1000 }, (_, j) => ({ ssn: ssnOf(i + j), n: i + j }));
      await call('POST', `/api/spaces/${spaceId}/collections/people/records/batch`, { records });
    }
  }, 60_000);

  afterAll(async () => {
    await server?.stop('SIGKILL');
    await db?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it.each([
    ['on', true],
    ['off', false],
  ])(
    'turns encryption %s, is killed midway, and resumes after a restart',
    async (_, encrypted) => {
      const changed = await call<Collection>('PATCH', `/api/spaces/${spaceId}/collections/people`, {
        update_fields: [{ name: 'ssn', type: 'text', ...(encrypted ? { encrypted: true } : {}) }],
      });
      expect(changed.conversions).toEqual([
        { field: 'ssn', to: encrypted ? 'encrypted' : 'clear', converted: 0, total: RECORDS },
      ]);
      const atCrash = await crashMidway();
      // Killed with work done and work left: a real mid-conversion crash.
      expect(atCrash.converted).toBeGreaterThan(0);
      const stored = await forms();
      expect(stored.sealed + stored.clear).toBe(RECORDS);
      const done = encrypted ? stored.sealed : stored.clear;
      expect(done).toBeGreaterThanOrEqual(atCrash.converted);
      expect(done).toBeLessThan(RECORDS);

      await start();
      await readsBack();
      await finished();
      await readsBack();
      // The embedded database belongs to one process at a time: stopped to be read.
      await server!.stop();
      expect(await forms()).toEqual(encrypted ? { sealed: RECORDS, clear: 0 } : { sealed: 0, clear: RECORDS });
      await start();
    },
    120_000,
  );
});
