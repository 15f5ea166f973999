import { CollectionIndexer } from '@app/collections';
import { createTestApp, TestApp } from './create-test-app';
import { bearer, createCollection, createKey, createSpace, signup } from './factories';
import type { Collection, Page, Problem } from './json';

type Person = { id: string; ssn: string | null; email: string | null; age: number };

const RECORDS = 25;
const ssnOf = (i: number) => `078-05-${1000 + i}`;
// The worker is driven by hand here (its timer never fires); conversions may end at once.
const env = { REINDEX_BATCH_SIZE: '10', REINDEX_INTERVAL_MS: '60000', CONVERSION_GRACE_MS: '0' };

/**
 * Turning encryption on or off for a field that holds values (API.md, "Encrypted fields"):
 * the change commits at once, the values convert in batches in the background, and the
 * collection stays readable, filterable and writable meanwhile.
 */
describe('converting a populated field to and from encryption', () => {
  let t: TestApp;
  let spaceId: string;
  let h: Record<string, string>;
  let indexer: CollectionIndexer;
  const collection = () => `/api/spaces/${spaceId}/collections/people`;
  const records = '/api/collections/people/records';
  const get = (url: string) => t.app.inject({ method: 'GET', url, headers: h });
  const schema = (payload: object) => t.app.inject({ method: 'PATCH', url: collection(), headers: h, payload });
  const all = async (query = '') => (await get(`${records}?limit=1000${query}`)).json<Page<Person>>().data;
  const filtered = async (filter: object) => all(`&filter=${encodeURIComponent(JSON.stringify(filter))}`);
  /** How the database holds the field: sealed objects and clear values. */
  const forms = async (field: string) => {
    const [row] = await t.sql<{ sealed: string; clear: string }>(
      `select count(*) filter (where jsonb_typeof(data->?) = 'object') as sealed,
              count(*) filter (where jsonb_typeof(data->?) = 'string') as clear from records`,
      [field, field],
    );
    return { sealed: Number(row.sealed), clear: Number(row.clear) };
  };
  const finish = async () => {
    for (let i = 0; i < 100 && (await get(collection())).json<Collection>().conversions.length > 0; i++)
      await indexer.batch();
    expect((await get(collection())).json<Collection>().conversions).toEqual([]);
  };

  beforeAll(async () => {
    t = await createTestApp({ env });
    indexer = t.app.get(CollectionIndexer);
    const owner = await signup(t.app);
    spaceId = (await createSpace(t.app, owner.access_token)).id;
    h = { 'x-api-key': (await createKey(t.app, bearer(owner.access_token), spaceId, { is_admin: true })).key };
    await createCollection(t.app, h, spaceId, {
      name: 'people',
      fields: [
        { name: 'ssn', type: 'text' },
        { name: 'email', type: 'email', unique: true },
        { name: 'age', type: 'integer' },
      ],
    });
    const rows = Array.from({ length: RECORDS }, (_, i) => ({ ssn: ssnOf(i), email: `p${i}@example.com`, age: i }));
    const made = await t.app.inject({
      method: 'POST',
      url: `${records}/batch`,
      headers: h,
      payload: { records: rows },
    });
    expect(made.statusCode).toBe(201);
  });
  afterAll(() => t.close());

  it('turns encryption on in batches, readable, filterable and writable meanwhile', async () => {
    const changed = await schema({ update_fields: [{ name: 'ssn', type: 'text', encrypted: true }] });
    expect(changed.statusCode).toBe(200);
    const body = changed.json<Collection>();
    expect(body.conversions).toEqual([{ field: 'ssn', to: 'encrypted', converted: 0, total: RECORDS }]);
    expect(body.fields.find((f) => f.name === 'ssn')).toEqual({ name: 'ssn', type: 'text', encrypted: true });

    expect(await indexer.batch()).toBe(true);
    expect(await forms('ssn')).toEqual({ sealed: 10, clear: RECORDS - 10 });
    expect((await get(collection())).json<Collection>().conversions[0]).toMatchObject({ converted: 10 });

    // Half sealed, half clear: every value reads as written, and equality finds both forms.
    expect((await all()).map((p) => p.ssn).sort()).toEqual(Array.from({ length: RECORDS }, (_, i) => ssnOf(i)).sort());
    expect((await filtered({ ssn: ssnOf(0) })).map((p) => p.age)).toEqual([0]);
    expect((await filtered({ ssn: ssnOf(20) })).map((p) => p.age)).toEqual([20]);
    expect((await filtered({ ssn: { in: [ssnOf(1), ssnOf(21)] } })).map((p) => p.age).sort()).toEqual([1, 21]);
    expect(await filtered({ ssn: { ne: ssnOf(3) } })).toHaveLength(RECORDS - 1);
    const sorted = await get(`${records}?sort=ssn`);
    expect(sorted.statusCode).toBe(400);
    expect(sorted.json<Problem>().detail).toMatch(/ssn/);
    const ranged = await get(`${records}?filter=${encodeURIComponent('{"ssn":{"starts_with":"078"}}')}`);
    expect(ranged.statusCode).toBe(400);

    // Writes store the new form, also into records the pass has not reached.
    const late = (await filtered({ age: 24 }))[0];
    const patched = await t.app.inject({
      method: 'PATCH',
      url: `${records}/${late.id}`,
      headers: h,
      payload: { ssn: '999-99-0024' },
    });
    expect(patched.json<Person>().ssn).toBe('999-99-0024');
    const created = await t.app.inject({
      method: 'POST',
      url: records,
      headers: h,
      payload: { ssn: '999-99-0100', age: 100 },
    });
    expect(created.statusCode).toBe(201);
    const [stored] = await t.sql<{ form: string }>(
      `select jsonb_typeof(data->'ssn') as form from records where id = ?`,
      [late.id],
    );
    expect(stored.form).toBe('object');
    const [audit] = await t.sql<{ changes: Record<string, unknown> }>(
      `select changes from audit_logs where action = 'record.update' and resource_id = ?`,
      [late.id],
    );
    expect(audit.changes).toEqual({ ssn: ['[encrypted]', '[encrypted]'] });

    await finish();
    expect(await forms('ssn')).toEqual({ sealed: RECORDS + 1, clear: 0 });
    expect(await t.sql('select * from field_conversions')).toEqual([]);
    expect((await filtered({ ssn: '999-99-0100' })).map((p) => p.age)).toEqual([100]);
    expect((await filtered({ ssn: ssnOf(5) })).map((p) => p.age)).toEqual([5]);
    const dump = JSON.stringify(await t.sql('select data from records'));
    expect(dump).not.toContain(ssnOf(5));
  });

  it('turns it off again, and the field sorts once its values are clear', async () => {
    const changed = await schema({ update_fields: [{ name: 'ssn', type: 'text' }] });
    expect(changed.json<Collection>().conversions).toEqual([
      { field: 'ssn', to: 'clear', converted: 0, total: RECORDS + 1 },
    ]);
    await indexer.batch();
    expect((await filtered({ ssn: ssnOf(0) })).map((p) => p.age)).toEqual([0]);
    expect((await filtered({ ssn: ssnOf(22) })).map((p) => p.age)).toEqual([22]);
    expect((await get(`${records}?sort=ssn`)).statusCode).toBe(400);
    // The space's document says so while it lasts.
    const doc = JSON.stringify((await get(`/api/spaces/${spaceId}/openapi.json`)).json());
    expect(doc).toContain('Being converted from encryption');
    await finish();
    expect(await forms('ssn')).toEqual({ sealed: 0, clear: RECORDS + 1 });
    const sorted = (await all(`&sort=-ssn&filter=${encodeURIComponent('{"ssn":{"is_null":false}}')}`)).map(
      (p) => p.ssn,
    );
    expect(sorted).toEqual([...sorted].sort().reverse());
    expect((await filtered({ ssn: { starts_with: '999-99' } })).map((p) => p.age).sort()).toEqual([100, 24]);
  });

  it('holds writes of a unique field while it converts, and further changes of the field', async () => {
    const changed = await schema({ update_fields: [{ name: 'email', type: 'email', unique: true, encrypted: true }] });
    expect(changed.json<Collection>().conversions).toEqual([
      { field: 'email', to: 'encrypted', converted: 0, total: RECORDS },
    ]);
    await indexer.batch();
    const held = await t.app.inject({
      method: 'POST',
      url: records,
      headers: h,
      payload: { email: 'p3@example.com', age: 1 },
    });
    expect(held.statusCode).toBe(409);
    expect(held.json<Problem>()).toMatchObject({ type: 'urn:portico:problem:field-converting' });
    expect((await t.app.inject({ method: 'POST', url: records, headers: h, payload: { age: 200 } })).statusCode).toBe(
      201,
    );
    expect((await schema({ update_fields: [{ name: 'email', type: 'email', unique: true }] })).statusCode).toBe(409);
    expect((await schema({ rename_fields: { email: 'mail' } })).statusCode).toBe(409);
    // Declaring the collection as GET shows it changes nothing about the converting field.
    const { fields } = (await get(collection())).json<Collection>();
    expect((await schema({ fields })).statusCode).toBe(200);

    await finish();
    const dup = await t.app.inject({ method: 'POST', url: records, headers: h, payload: { email: 'p3@example.com' } });
    expect(dup.statusCode).toBe(409);
    expect(
      (await t.app.inject({ method: 'POST', url: records, headers: h, payload: { email: 'new@example.com' } }))
        .statusCode,
    ).toBe(201);
    expect((await filtered({ email: 'p3@example.com' })).map((p) => p.age)).toEqual([3]);
  });

  it('asks for encryption to change on its own, and converts nothing for a field without values', async () => {
    const both = await schema({ update_fields: [{ name: 'ssn', type: 'text', required: true, encrypted: true }] });
    expect(both.statusCode).toBe(409);
    expect(both.json<Problem>().detail).toMatch(/change of its own/);
    const empty = await schema({ add_fields: [{ name: 'nick', type: 'text' }] });
    expect(empty.statusCode).toBe(200);
    const sealed = await schema({ update_fields: [{ name: 'nick', type: 'text', encrypted: true }] });
    expect(sealed.json<Collection>().conversions).toEqual([]);
  });

  it('stalls on a value that does not decrypt, says where, and goes on once it is rewritten', async () => {
    await schema({ update_fields: [{ name: 'ssn', type: 'text', encrypted: true }] });
    await finish();
    // The first two by id: the conversion's first batch (ids order) meets a.
    const [a, b] = await all();
    // b's sealed ssn copied onto a: bound to b's id, it does not open as a's.
    await t.sql(
      `update records set data = jsonb_set(data, '{ssn}', (select data->'ssn' from records where id = ?)) where id = ?`,
      [b.id, a.id],
    );
    expect((await schema({ update_fields: [{ name: 'ssn', type: 'text' }] })).statusCode).toBe(200);
    expect(await indexer.batch()).toBe(true);
    expect(t.logs.some((l) => l.includes('rewrite that value') && l.includes('ssn'))).toBe(true);
    expect(t.logs.join('\n')).not.toContain(ssnOf(1));
    expect((await get(collection())).json<Collection>().conversions[0]).toMatchObject({ converted: 0 });
    const repaired = await t.app.inject({
      method: 'PATCH',
      url: `${records}/${a.id}`,
      headers: h,
      payload: { ssn: ssnOf(0) },
    });
    expect(repaired.statusCode).toBe(200);
    await finish();
    expect(await forms('ssn')).toEqual({ sealed: 0, clear: RECORDS + 1 });
  });
});
