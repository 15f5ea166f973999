import { createTestApp, TestApp } from './create-test-app';
import { bearer, createCollection, createKey, createSpace, signup } from './factories';

/**
 * Record writes validate against the collection row this instance read last and carry its
 * version as a guard in their one statement. A schema changed elsewhere (another instance:
 * here, SQL) stops the guarded write, which runs again against the fresh schema.
 */
describe('record writes against a remembered schema', () => {
  let t: TestApp;
  let h: Record<string, string>;
  let spaceId: string;
  const records = '/api/collections/notes/records';
  const send = (method: 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
    t.app.inject({ method, url, headers: h, ...(payload ? { payload } : {}) });

  beforeAll(async () => {
    t = await createTestApp();
    const owner = await signup(t.app);
    spaceId = (await createSpace(t.app, owner.access_token)).id;
    h = { 'x-api-key': (await createKey(t.app, bearer(owner.access_token), spaceId, { is_admin: true })).key };
    await createCollection(t.app, h, spaceId, { name: 'notes', fields: [{ name: 'title', type: 'text' }] });
  });
  afterAll(() => t.close());

  it('validates against the schema another instance changed, and keeps one statement per write after', async () => {
    const first = await send('POST', records, { title: 'first' });
    expect(first.statusCode).toBe(201);
    const id = first.json<{ id: string }>().id;
    // Another instance shortens the title: this one still remembers the old row.
    await t.sql(
      `update collections set fields = '[{"name":"title","type":"text","options":{"max_length":3}}]', version = version + 1
        where space_id = ? and name = 'notes'`,
      [spaceId],
    );
    const created = await send('POST', records, { title: 'too long' });
    expect(created.statusCode).toBe(400);
    expect(created.json()).toMatchObject({ errors: [{ field: 'title' }] });
    expect((await send('PATCH', `${records}/${id}`, { title: 'still too long' })).statusCode).toBe(400);
    expect((await send('POST', records, { title: 'ok' })).statusCode).toBe(201);
    const before = t.queries.length;
    expect((await send('PATCH', `${records}/${id}`, { title: 'abc' })).statusCode).toBe(200);
    expect(t.queries.slice(before)).toHaveLength(1);
  });

  it('answers 404 for a collection gone elsewhere, and for a record that is not there', async () => {
    await createCollection(t.app, h, spaceId, { name: 'scratch', fields: [{ name: 'n', type: 'integer' }] });
    const made = await send('POST', '/api/collections/scratch/records', { n: 1 });
    expect(made.statusCode).toBe(201);
    expect(
      (await send('DELETE', '/api/collections/scratch/records/0190b7a4-3333-7000-8000-000000000003')).statusCode,
    ).toBe(404);
    await t.sql(`delete from collections where space_id = ? and name = 'scratch'`, [spaceId]);
    expect((await send('POST', '/api/collections/scratch/records', { n: 2 })).statusCode).toBe(404);
    expect(
      (await send('PATCH', `/api/collections/scratch/records/${made.json<{ id: string }>().id}`, { n: 3 })).statusCode,
    ).toBe(404);
  });

  it('lists in one statement from a remembered schema, and from a fresh one when it changed elsewhere', async () => {
    await createCollection(t.app, h, spaceId, { name: 'tasks', fields: [{ name: 'title', type: 'text' }] });
    const tasks = '/api/collections/tasks/records';
    expect((await send('POST', tasks, { title: 'a' })).statusCode).toBe(201);
    const list = (query = '') => t.app.inject({ method: 'GET', url: `${tasks}${query}`, headers: h });
    expect((await list()).statusCode).toBe(200);
    let before = t.queries.length;
    expect((await list()).json<{ data: unknown[] }>().data).toHaveLength(1);
    expect(t.queries.slice(before)).toHaveLength(1);
    // An empty page from the remembered schema: still one statement, still a page.
    before = t.queries.length;
    const none = await list(`?filter=${encodeURIComponent('{"title":"zzz"}')}`);
    expect(none.json()).toEqual({ data: [], next_cursor: null });
    expect(t.queries.slice(before)).toHaveLength(1);

    // Another instance adds a field: a filter and a write naming it succeed here at once.
    await t.sql(
      `update collections set fields = '[{"name":"title","type":"text"},{"name":"tag","type":"text"}]', version = version + 1
        where space_id = ? and name = 'tasks'`,
      [spaceId],
    );
    expect((await send('POST', tasks, { title: 'b', tag: 'x' })).statusCode).toBe(201);
    await t.sql(`update collections set version = version + 1 where space_id = ? and name = 'tasks'`, [spaceId]);
    const tagged = await list(`?filter=${encodeURIComponent('{"tag":"x"}')}`);
    expect(tagged.statusCode).toBe(200);
    expect(tagged.json<{ data: { title: string }[] }>().data.map((r) => r.title)).toEqual(['b']);
    // A schema changed elsewhere under an empty page is noticed too.
    await t.sql(
      `update collections set fields = '[{"name":"title","type":"text"}]', version = version + 1 where space_id = ? and name = 'tasks'`,
      [spaceId],
    );
    expect((await list(`?filter=${encodeURIComponent('{"tag":"nothing"}')}`)).statusCode).toBe(400);

    await t.sql(`delete from collections where space_id = ? and name = 'tasks'`, [spaceId]);
    expect((await list()).statusCode).toBe(404);
  });

  it('prints records in Postgres exactly as the API shapes them in Node', async () => {
    await createCollection(t.app, h, spaceId, {
      name: 'shapes',
      fields: [
        { name: 'title', type: 'text' },
        { name: 'n', type: 'number' },
        { name: 'doc', type: 'json' },
        { name: 'tags', type: 'multi_select', options: { choices: ['a', 'b'] } },
      ],
    });
    const shapes = '/api/collections/shapes/records';
    const bodies = [
      {},
      { title: 'Zoë "quoted" \\ back\nslash \u0001 \u2028 😀 </script>', n: -1.5e-7 },
      {
        n: 12345678.25,
        doc: { nested: { deep: [1, 'two', null, true, { '': 0 }] }, 'key with space': [] },
        tags: ['b'],
      },
    ];
    const made = [];
    for (const body of bodies) {
      const res = await send('POST', shapes, body);
      expect(res.statusCode).toBe(201);
      made.push(res.json<{ id: string }>());
    }
    const listed = await t.app.inject({ method: 'GET', url: shapes, headers: h });
    expect(listed.headers['content-type']).toMatch(/^application\/json/);
    const page = listed.json<{ data: { id: string }[]; next_cursor: null }>();
    // The list (printed by Postgres) and each get by id (built in Node) agree, field for field and in key order.
    expect(page.data).toEqual(made);
    for (const record of page.data) {
      const got = await t.app.inject({ method: 'GET', url: `${shapes}/${record.id}`, headers: h });
      expect(Object.keys(record)).toEqual(Object.keys(got.json()));
      expect(record).toEqual(got.json());
    }
    // A cursor is printed too: one record a page.
    const first = (await t.app.inject({ method: 'GET', url: `${shapes}?limit=1`, headers: h })).json<{
      data: { id: string }[];
      next_cursor: string;
    }>();
    expect(first.data[0].id).toBe(made[0].id);
    const second = await t.app.inject({
      method: 'GET',
      url: `${shapes}?limit=1&cursor=${encodeURIComponent(first.next_cursor)}`,
      headers: h,
    });
    expect(second.json<{ data: { id: string }[] }>().data[0].id).toBe(made[1].id);
  });
});
