import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseHandle } from '@app/database';
import { readDatabase, startServerProcess, ServerProcess } from './server-process';
import { createTestDatabase } from './test-database';

/**
 * A SIGKILL in the middle of a write burst: on restart the chain verifies, and every
 * write the server acknowledged has exactly one entry (committed with the change,
 * linked by the sequencer after the restart if the crash came first).
 */
describe('audit chain across a crash mid-burst', () => {
  let dataDir: string;
  let db: DatabaseHandle | undefined;
  let server: ServerProcess | undefined;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'portico-audit-crash-'));
    if (process.env.DATABASE_URL) db = await createTestDatabase();
  });
  afterAll(async () => {
    await server?.stop('SIGKILL');
    await db?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('verifies after the restart, one entry per acknowledged write', async () => {
    // A slow sweep: entries of the burst are still unlinked when the kill lands.
    const env = {
      DATA_DIR: dataDir,
      DATABASE_URL: db?.url ?? '',
      AUDIT_LINK_INTERVAL_MS: '60000',
      // A burst, not a tenant to throttle.
      TIERS_JSON: '{"burst": 1000000000}',
      DEFAULT_TIER: 'burst',
    };
    server = await startServerProcess(env);
    const call = async (method: string, path: string, body: unknown, h: Record<string, string> = {}) => {
      const res = await fetch(`${server!.base}${path}`, {
        method,
        headers: { 'content-type': 'application/json', ...h },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, string> };
    };
    const auth = await call('POST', '/api/auth/signup', {
      email: 'burst@example.com',
      password: 'correct horse battery',
    });
    expect(auth.status).toBe(201);
    const h = { authorization: `Bearer ${auth.body.access_token}` };
    const space = (await call('POST', '/api/spaces', { name: 'Burst' }, h)).body.id;
    await call(
      'POST',
      `/api/spaces/${space}/collections`,
      { name: 'events', fields: [{ name: 'n', type: 'integer' }] },
      h,
    );

    const acknowledged: string[] = [];
    const refused: number[] = [];
    let n = 0;
    const writer = async () => {
      for (;;) {
        const res = await call('POST', `/api/spaces/${space}/collections/events/records`, { n: n++ }, h).catch(
          () => undefined,
        );
        if (!res) return; // the server is gone
        if (res.status === 201) acknowledged.push(res.body.id);
        else refused.push(res.status);
      }
    };
    const burst = Promise.all(Array.from({ length: 20 }, writer));
    const deadline = Date.now() + 30_000;
    while (acknowledged.length < 200 && refused.length === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 5));
    await server.stop('SIGKILL');
    await burst;
    expect(refused).toEqual([]);
    expect(acknowledged.length).toBeGreaterThanOrEqual(200);

    server = await startServerProcess({ ...env, AUDIT_LINK_INTERVAL_MS: '100' });
    const verify = await fetch(`${server.base}/api/spaces/${space}/audit-logs/verify`, { headers: h });
    expect(await verify.json()).toMatchObject({ valid: true });
    await server.stop();

    await readDatabase(db, dataDir, async (client) => {
      const { rows } = await client.query<{ resource_id: string; n: number; unlinked: number }>(
        `select resource_id, count(*)::int as n, count(*) filter (where seq is null)::int as unlinked
           from audit_logs where space_id = $1 and action = 'record.create' group by resource_id`,
        [space],
      );
      const entries = new Map(rows.map((r) => [r.resource_id, r]));
      expect(acknowledged.filter((id) => entries.get(id)?.n !== 1)).toEqual([]);
      expect(rows.filter((r) => r.unlinked > 0)).toEqual([]);
      // No entry without its change: every entry's record exists.
      const { rows: orphans } = await client.query(
        `select a.resource_id from audit_logs a left join records r on r.id::text = a.resource_id
          where a.space_id = $1 and a.action = 'record.create' and r.id is null`,
        [space],
      );
      expect(orphans).toEqual([]);
    });
  }, 120_000);
});
