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
});
