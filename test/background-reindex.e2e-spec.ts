import { CollectionIndexer } from '@app/collections';
import { createTestApp, TestApp } from './create-test-app';
import { bearer, createCollection, createKey, createSpace, signup } from './factories';
import type { Collection, Page, Row } from './json';

/** The test collection's records. */
type Item = Row & { sku: string; cost: number };

/**
 * Collections above REINDEX_INLINE_MAX_RECORDS are re-indexed in the background after a
 * schema change, in batches, resumably, while they stay readable and writable.
 */
const RECORDS = 40;
const env = { REINDEX_INLINE_MAX_RECORDS: '5', REINDEX_BATCH_SIZE: '7', REINDEX_INTERVAL_MS: '60000' };

describe('background re-index of a large collection', () => {
  let t: TestApp;
  let spaceId: string;
  let h: Record<string, string>;
  const url = () => `/api/spaces/${spaceId}/collections/items`;
  const get = (path: string) => t.app.inject({ method: 'GET', url: path, headers: h });
  const post = (payload: unknown) =>
    t.app.inject({ method: 'POST', url: '/api/collections/items/records', headers: h, payload: payload as object });

  beforeAll(async () => {
    t = await createTestApp({ env });
    const owner = await signup(t.app);
    spaceId = (await createSpace(t.app, owner.access_token)).id;
    h = { 'x-api-key': (await createKey(t.app, bearer(owner.access_token), spaceId, { is_admin: true })).key };
    await createCollection(t.app, h, spaceId, {
      name: 'items',
      fields: [
        { name: 'sku', type: 'text' },
        { name: 'price', type: 'number' },
      ],
    });
    const records = Array.from({ length: RECORDS }, (_, i) => ({ sku: `s${i}`, price: (i * 7) % 13 }));
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: '/api/collections/items/records/batch',
          headers: h,
          payload: { records },
        })
      ).statusCode,
    ).toBe(201);
  });
  afterAll(() => t.close());

  it('commits the change at once, stays readable and writable while indexing, then is ready', async () => {
    const changed = await t.app.inject({
      method: 'PATCH',
      url: url(),
      headers: h,
      payload: { rename_fields: { price: 'cost' }, update_fields: [{ name: 'sku', type: 'text', unique: true }] },
    });
    expect(changed.statusCode).toBe(200);
    expect(changed.json<Collection>().index_state).toBe('indexing');
    expect((await get(url())).json<Collection>().index_state).toBe('indexing');

    // Readable: sorted by the renamed field, by expression, in the right order.
    const expected = (rows: { cost: number; id: string }[]) =>
      [...rows].sort((a, b) => a.cost - b.cost || (a.id < b.id ? -1 : 1)).map((r) => r.id);
    const during = (await get('/api/collections/items/records?sort=cost&limit=1000')).json<Page<Item>>().data;
    expect(during).toHaveLength(RECORDS);
    expect(during.map((r) => r.id)).toEqual(expected(during));
    // Writable, and the new unique rule already holds against records not yet re-indexed.
    expect((await post({ sku: 's39', cost: 1 })).statusCode).toBe(409);
    expect((await post({ sku: 'new', cost: 100 })).statusCode).toBe(201);
    expect((await post({ sku: 'new', cost: 100 })).statusCode).toBe(409);

    // One batch, then the position is saved: a crash here loses nothing.
    const indexer = t.app.get(CollectionIndexer);
    expect(await indexer.batch()).toBe(true);
    const [job] = await t.sql<{ after_record_id: string | null }>('select after_record_id from collection_jobs');
    expect(job.after_record_id).not.toBeNull();
    while ((await get(url())).json<Collection>().index_state === 'indexing') await indexer.batch();
    expect((await get(url())).json<Collection>().index_state).toBe('ready');
    expect(await t.sql('select * from collection_jobs')).toEqual([]);

    // Ready: the pivot drives the sort again and agrees; uniqueness is in record_uniques.
    const after = (await get('/api/collections/items/records?sort=cost&limit=1000')).json<Page<Item>>().data;
    expect(after.map((r) => r.id)).toEqual(expected(after));
    const [counts] = await t.sql<{ v: string; u: string; stale: string }>(
      `select (select count(*) from record_values where field = 'cost') as v, (select count(*) from record_uniques where field = 'sku') as u,
              (select count(*) from record_values where field = 'price') as stale`,
    );
    expect({ v: Number(counts.v), u: Number(counts.u), stale: Number(counts.stale) }).toEqual({
      v: RECORDS + 1,
      u: RECORDS + 1,
      stale: 0,
    });
    expect((await post({ sku: 's0', cost: 1 })).statusCode).toBe(409);
  });

  it('the instance that scheduled a job starts on it by itself', async () => {
    const quick = await createTestApp({ db: t.db, secrets: t.secrets, env: { ...env, REINDEX_INTERVAL_MS: '20' } });
    try {
      // Past its start-up look: idle until this change wakes it.
      await new Promise((r) => setTimeout(r, 100));
      const qh = h;
      const changed = await quick.app.inject({
        method: 'PATCH',
        url: url(),
        headers: qh,
        payload: { rename_fields: { cost: 'price' } },
      });
      expect(changed.json<Collection>().index_state).toBe('indexing');
      const until = Date.now() + 5000;
      let state = 'indexing';
      while (state !== 'ready' && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 50));
        state = (await quick.app.inject({ method: 'GET', url: url(), headers: qh })).json<Collection>().index_state;
      }
      expect(state).toBe('ready');
    } finally {
      await quick.close();
    }
  });

  it('a small collection is re-indexed in the change itself', async () => {
    await createCollection(t.app, h, spaceId, { name: 'small', fields: [{ name: 'n', type: 'integer' }] });
    const changed = await t.app.inject({
      method: 'PATCH',
      url: `/api/spaces/${spaceId}/collections/small`,
      headers: h,
      payload: { update_fields: [{ name: 'n', type: 'integer', unique: true }] },
    });
    expect(changed.json<Collection>().index_state).toBe('ready');
  });
});

// A second instance finishes a job the first left half done (it "crashed"); the worker runs by itself.
const shared = process.env.DATABASE_URL ? describe : describe.skip;
shared('background re-index resumes on another instance', () => {
  it('picks up the saved position and completes on its own timer', async () => {
    const a = await createTestApp({ env });
    const owner = await signup(a.app);
    const spaceId = (await createSpace(a.app, owner.access_token)).id;
    const h = { 'x-api-key': (await createKey(a.app, bearer(owner.access_token), spaceId, { is_admin: true })).key };
    await createCollection(a.app, h, spaceId, { name: 'big', fields: [{ name: 'n', type: 'integer' }] });
    const records = Array.from({ length: RECORDS }, (_, i) => ({ n: i }));
    await a.app.inject({ method: 'POST', url: '/api/collections/big/records/batch', headers: h, payload: { records } });
    await a.app.inject({
      method: 'PATCH',
      url: `/api/spaces/${spaceId}/collections/big`,
      headers: h,
      payload: { update_fields: [{ name: 'n', type: 'integer', unique: true }] },
    });
    await a.app.get(CollectionIndexer).batch();
    const b = await createTestApp({ db: a.db, secrets: a.secrets, env: { ...env, REINDEX_INTERVAL_MS: '20' } });
    try {
      await a.app.close(); // the first instance goes away mid-job
      const until = Date.now() + 10_000;
      let state = 'indexing';
      while (state !== 'ready' && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 50));
        state = (
          await b.app.inject({ method: 'GET', url: `/api/spaces/${spaceId}/collections/big`, headers: h })
        ).json<Collection>().index_state;
      }
      expect(state).toBe('ready');
      const [u] = await b.sql<{ n: string }>(
        `select count(*) as n from record_uniques r join collections c on c.id = r.collection_id where c.name = 'big' and c.space_id = ?`,
        [spaceId],
      );
      expect(Number(u.n)).toBe(RECORDS);
    } finally {
      await b.close();
      await a.db.close();
    }
  });
});
