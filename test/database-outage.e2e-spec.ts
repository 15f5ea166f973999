import { EntityManager } from '@mikro-orm/postgresql';
import { migrateDatabase } from '../libs/database/src';
import { createTestApp, TestApp } from './create-test-app';
import { bearer, createCollection, createKey, createSpace, signup } from './factories';
import { canRunPrivatePostgres, PrivatePostgres, startPrivatePostgres } from './private-postgres';
import type { Resource } from './json';
import { matching } from './json';
import { obtainCode, pkce, postForm, registerClient } from './oauth-helpers';

const STATEMENT_MS = 1000;
const CONNECT_MS = 1000;
/** The documented worst case: a pool wait or connect, then one statement's client-side deadline, plus scheduling slack. */
const BOUND_MS = CONNECT_MS + STATEMENT_MS + 1000 + 750;

const suite = canRunPrivatePostgres() ? describe : describe.skip;

interface Outcome {
  status: number;
  ms: number;
  phase: string;
}

suite('database outage: 503 within the bound, recovery, no acknowledged write lost', () => {
  let pg: PrivatePostgres;
  let t: TestApp;
  let key: string;
  let owner: Awaited<ReturnType<typeof signup>>;
  let spaceId: string;

  beforeAll(async () => {
    pg = await startPrivatePostgres();
    await migrateDatabase(pg.url);
    t = await createTestApp({
      db: { url: pg.url, kind: 'postgres', close: () => Promise.resolve() },
      env: {
        REDIS_URL: '',
        DATABASE_STATEMENT_TIMEOUT_MS: String(STATEMENT_MS),
        DATABASE_CONNECT_TIMEOUT_MS: String(CONNECT_MS),
      },
    });
    owner = await signup(t.app);
    const space = await createSpace(t.app, owner.access_token);
    spaceId = space.id;
    key = (await createKey(t.app, bearer(owner.access_token), space.id, { is_admin: true })).key;
    await createCollection(t.app, { 'x-api-key': key }, space.id, {
      name: 'events',
      fields: [{ name: 'n', type: 'number', required: true }],
    });
  }, 60_000);

  afterAll(async () => {
    pg?.thaw();
    await t?.close().catch(() => undefined);
    pg?.destroy();
  });

  it('answers only 201/200 or 503 while Postgres is stopped and then frozen, and recovers each time', async () => {
    const outcomes: Outcome[] = [];
    const acknowledged: string[] = [];
    let phase = 'before';
    let running = true;
    let n = 0;
    const worker = async (w: number) => {
      while (running) {
        const started = Date.now();
        const write = (n++ + w) % 3 !== 0;
        const res = write
          ? await t.app.inject({
              method: 'POST',
              url: '/api/collections/events/records',
              headers: { 'x-api-key': key },
              payload: { n },
            })
          : await t.app.inject({
              method: 'GET',
              url: '/api/collections/events/records?limit=5',
              headers: { 'x-api-key': key },
            });
        outcomes.push({ status: res.statusCode, ms: Date.now() - started, phase });
        if (res.statusCode === 201) acknowledged.push(res.json<Resource>().id);
        if (res.statusCode === 503) {
          expect(res.headers['content-type']).toContain('application/problem+json');
          expect(res.headers['retry-after']).toBeDefined();
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    };
    const workers = [0, 1, 2, 3].map(worker);
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const recovered = async () => {
      const until = Date.now() + 20_000;
      while (Date.now() < until) {
        const res = await t.app.inject({
          method: 'POST',
          url: '/api/collections/events/records',
          headers: { 'x-api-key': key },
          payload: { n: -1 },
        });
        if (res.statusCode === 201) {
          acknowledged.push(res.json<Resource>().id);
          return true;
        }
        await sleep(200);
      }
      return false;
    };

    await sleep(800);
    phase = 'stopped';
    pg.stop('fast');
    await sleep(2000);
    pg.start();
    phase = 'restarted';
    expect(await recovered()).toBe(true);
    await sleep(500);
    phase = 'frozen';
    pg.freeze();
    await sleep(2500);
    pg.thaw();
    phase = 'thawed';
    expect(await recovered()).toBe(true);
    await sleep(800);
    running = false;
    await Promise.all(workers);

    const by = (p: string) => outcomes.filter((o) => o.phase === p);
    const summary = Object.fromEntries(
      ['before', 'stopped', 'restarted', 'frozen', 'thawed'].map((p) => [p, countBy(by(p))]),
    );
    // Printed for the closing note: what each phase answered, and the slowest answer.
    console.log(
      JSON.stringify({
        summary,
        slowest_ms: Math.max(...outcomes.map((o) => o.ms)),
        bound_ms: BOUND_MS,
        acknowledged: acknowledged.length,
      }),
    );
    for (const o of outcomes) expect([200, 201, 503]).toContain(o.status);
    expect(by('stopped').some((o) => o.status === 503)).toBe(true);
    expect(by('frozen').some((o) => o.status === 503)).toBe(true);
    expect(Math.max(...outcomes.map((o) => o.ms))).toBeLessThan(BOUND_MS);
    expect(by('thawed').some((o) => o.status === 201)).toBe(true);

    const rows = await t.sql<{ id: string }>(`select id from records`);
    const present = new Set(rows.map((r) => r.id));
    expect(acknowledged.filter((id) => !present.has(id))).toEqual([]);
    // No pool slot was lost to a connection that died inside a transaction.
    const pool = await (
      t.app.get(EntityManager).getConnection() as unknown as {
        getNativeClient(): Promise<{ totalCount: number; idleCount: number }>;
      }
    ).getNativeClient();
    // Background work (the re-indexer's and last-use timers) may hold one for a moment; a lost slot stays held.
    const quietBy = Date.now() + 5000;
    while (pool.totalCount - pool.idleCount > 0 && Date.now() < quietBy) await sleep(50);
    expect(pool.totalCount - pool.idleCount).toBe(0);
    // Recovery without a restart: health is green again.
    expect((await t.app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(200);
  }, 90_000);

  it("answers an app's token 503, not 401, while Postgres is down, and 200 once it is back", async () => {
    const redirect = 'https://app.example.com/cb';
    const client = await registerClient(t, owner, spaceId, {
      name: 'Outage app',
      type: 'public',
      redirect_uris: [redirect],
      scopes: ['records:read'],
    });
    const { verifier, challenge } = pkce();
    const code = await obtainCode(t, owner, {
      response_type: 'code',
      client_id: client.client_id,
      redirect_uri: redirect,
      scope: 'records:read',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    const exchanged = await postForm(t, '/oauth/token', {
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirect,
      client_id: client.client_id,
      code_verifier: verifier,
    });
    const token = exchanged.json<{ access_token: string }>().access_token;
    const read = () =>
      t.app.inject({ method: 'GET', url: `/api/spaces/${spaceId}/collections/events/records`, headers: bearer(token) });
    pg.stop('fast');
    try {
      // Never seen by this instance: the token is checked against the database, which is down.
      const res = await read();
      expect({ status: res.statusCode, type: res.headers['content-type'] }).toEqual({
        status: 503,
        type: matching(/application\/problem\+json/),
      });
    } finally {
      pg.start();
    }
    const until = Date.now() + 20_000;
    let status = 0;
    while (Date.now() < until && status !== 200) {
      status = (await read()).statusCode;
      if (status !== 200) await new Promise((r) => setTimeout(r, 200));
    }
    expect(status).toBe(200);
  }, 60_000);
});

function countBy(outcomes: Outcome[]): Record<number, number> {
  const out: Record<number, number> = {};
  for (const o of outcomes) out[o.status] = (out[o.status] ?? 0) + 1;
  return out;
}

const onPostgres = process.env.DATABASE_URL ? describe : describe.skip;

onPostgres('a connection that dies inside a transaction', () => {
  it('gives its pool slot back (the ROLLBACK after it cannot succeed)', async () => {
    const t = await createTestApp();
    try {
      const em = t.app.get(EntityManager);
      const pool = await (
        em.getConnection() as unknown as { getNativeClient(): Promise<{ totalCount: number; idleCount: number }> }
      ).getNativeClient();
      for (let i = 0; i < 3; i++) {
        await expect(
          em.fork().transactional((tx) => tx.execute('select pg_terminate_backend(pg_backend_pid())')),
        ).rejects.toThrow();
      }
      const quietBy = Date.now() + 3000;
      while (pool.totalCount - pool.idleCount > 0 && Date.now() < quietBy) await new Promise((r) => setTimeout(r, 50));
      expect(pool.totalCount - pool.idleCount).toBe(0);
      // And the app still serves.
      expect((await t.app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(200);
    } finally {
      await t.close();
    }
  });
});
