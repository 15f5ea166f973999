import { createTestApp, TestApp } from './create-test-app';
import { bearer, createCollection, createKey, createSpace, signup } from './factories';
import type { Page, Problem, Resource, Row, ValidationProblem } from './json';

/**
 * Record storage at tenant scale (docs/storage.md): uniqueness and ordering come from
 * shared pivot rows, so tenant actions never create or drop an index.
 */
describe('tenant-scale record storage', () => {
  let t: TestApp;
  let spaceId: string;
  let h: Record<string, string>;
  beforeAll(async () => {
    t = await createTestApp();
    const owner = await signup(t.app);
    spaceId = (await createSpace(t.app, owner.access_token)).id;
    h = { 'x-api-key': (await createKey(t.app, bearer(owner.access_token), spaceId, { is_admin: true })).key };
  });
  afterAll(() => t.close());

  const indexCount = async () =>
    Number(
      (await t.sql<{ n: string }>(`select count(*) as n from pg_indexes where schemaname = current_schema()`))[0].n,
    );

  it('50 parallel inserts of one unique value: exactly one 201 and 49 409s naming the field', async () => {
    await createCollection(t.app, h, spaceId, {
      name: 'people',
      fields: [
        { name: 'email', type: 'email', unique: true },
        { name: 'n', type: 'integer' },
      ],
    });
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, n) =>
        t.app.inject({
          method: 'POST',
          url: '/api/collections/people/records',
          headers: h,
          payload: { email: 'same@example.com', n },
        }),
      ),
    );
    const statuses = answers.map((a) => a.statusCode).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(49);
    const conflict = answers.find((a) => a.statusCode === 409)!.json<ValidationProblem>();
    expect(conflict.errors).toEqual([{ field: 'email', message: 'is already taken' }]);
    // Two of one batch collide too; an update onto a taken value is a 409; a freed value is free again.
    const batch = await t.app.inject({
      method: 'POST',
      url: '/api/collections/people/records/batch',
      headers: h,
      payload: { records: [{ email: 'x@example.com' }, { email: 'x@example.com' }] },
    });
    expect(batch.statusCode).toBe(409);
    const other = (
      await t.app.inject({
        method: 'POST',
        url: '/api/collections/people/records',
        headers: h,
        payload: { email: 'other@example.com' },
      })
    ).json<Row>();
    const takeSameEmail = async () =>
      (
        await t.app.inject({
          method: 'PATCH',
          url: `/api/collections/people/records/${other.id}`,
          headers: h,
          payload: { email: 'same@example.com' },
        })
      ).statusCode;
    expect(await takeSameEmail()).toBe(409);
    const first = answers.find((a) => a.statusCode === 201)!.json<Row>();
    expect(
      (await t.app.inject({ method: 'DELETE', url: `/api/collections/people/records/${first.id}`, headers: h }))
        .statusCode,
    ).toBe(204);
    expect(await takeSameEmail()).toBe(200);
  });

  it('an update rewrites the pivot rows of the fields it changed, and only those', async () => {
    await createCollection(t.app, h, spaceId, {
      name: 'tickets',
      fields: [
        { name: 'title', type: 'text' },
        { name: 'rank', type: 'integer' },
        { name: 'code', type: 'text', unique: true },
      ],
    });
    const url = '/api/collections/tickets/records';
    const make = async (payload: object) =>
      (await t.app.inject({ method: 'POST', url, headers: h, payload })).json<Row>();
    const a = await make({ title: 'a', rank: 1, code: 'A' });
    const b = await make({ title: 'b', rank: 2, code: 'B' });
    // Each pivot row's version (xmin): a row rewritten gets a new one.
    const versions = async (id: string) =>
      Object.fromEntries(
        (
          await t.sql<{ field: string; xmin: string }>(
            `select field, xmin::text from record_values where record_id = ?
             union all select 'unique:' || field, xmin::text from record_uniques where record_id = ?`,
            [id, id],
          )
        ).map((r) => [r.field, r.xmin]),
      );
    const before = await versions(a.id);
    expect(Object.keys(before).sort()).toEqual(['code', 'rank', 'title', 'unique:code']);
    const patch = (id: unknown, payload: object) =>
      t.app.inject({ method: 'PATCH', url: `${url}/${String(id)}`, headers: h, payload });
    expect((await patch(a.id, { rank: 3 })).statusCode).toBe(200);
    const after = await versions(a.id);
    expect(after.rank).not.toBe(before.rank);
    expect({ ...after, rank: undefined }).toEqual({ ...before, rank: undefined });
    // The rewritten row orders the list; unchanged ones still do their part.
    const ranked = await t.app.inject({ method: 'GET', url: `${url}?sort=-rank`, headers: h });
    expect(ranked.json<Page<Row>>().data.map((r) => r.title)).toEqual(['a', 'b']);
    // Unique values move with their field: a taken value is refused, a freed one is free.
    expect((await patch(b.id, { code: 'A' })).statusCode).toBe(409);
    expect((await patch(a.id, { code: 'C', title: null })).statusCode).toBe(200);
    expect((await patch(b.id, { code: 'A' })).statusCode).toBe(200);
    const sorted = await t.app.inject({ method: 'GET', url: `${url}?sort=title`, headers: h });
    // a lost its title: it sorts last (nulls last), by the rewritten pivot row.
    expect(sorted.json<Page<Row>>().data.map((r) => r.code)).toEqual(['A', 'C']);
    expect(await versions(a.id)).toMatchObject({ rank: after.rank });
  });

  it('creating, changing and dropping collections runs no DDL: the index count never moves', async () => {
    const before = await indexCount();
    const fields = [
      { name: 'sku', type: 'text', unique: true },
      { name: 'price', type: 'number' },
      { name: 'added', type: 'datetime' },
    ];
    await createCollection(t.app, h, spaceId, { name: 'churn', fields });
    await t.app.inject({
      method: 'POST',
      url: '/api/collections/churn/records/batch',
      headers: h,
      payload: {
        records: [
          { sku: 'a', price: 2 },
          { sku: 'b', price: 1 },
        ],
      },
    });
    const changed = await t.app.inject({
      method: 'PATCH',
      url: `/api/spaces/${spaceId}/collections/churn`,
      headers: h,
      payload: {
        rename_fields: { sku: 'code' },
        add_fields: [{ name: 'tag', type: 'text', unique: true }],
        update_fields: [{ name: 'price', type: 'integer' }],
      },
    });
    expect(changed.statusCode).toBe(200);
    expect(await indexCount()).toBe(before);
    // The renamed unique field keeps its uniqueness; the new one has it; sorting uses the new names.
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: '/api/collections/churn/records',
          headers: h,
          payload: { code: 'a' },
        })
      ).statusCode,
    ).toBe(409);
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: '/api/collections/churn/records',
          headers: h,
          payload: { code: 'c', tag: 't' },
        })
      ).statusCode,
    ).toBe(201);
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: '/api/collections/churn/records',
          headers: h,
          payload: { code: 'd', tag: 't' },
        })
      ).statusCode,
    ).toBe(409);
    const sorted = (
      await t.app.inject({ method: 'GET', url: '/api/collections/churn/records?sort=price', headers: h })
    ).json<Page<Row>>();
    expect(sorted.data.map((r) => r.code)).toEqual(['b', 'a', 'c']);
    // Making a field with duplicates unique is a 409 with the count; nothing changes.
    await t.app.inject({
      method: 'POST',
      url: '/api/collections/churn/records',
      headers: h,
      payload: { code: 'e', price: 1 },
    });
    const dup = await t.app.inject({
      method: 'PATCH',
      url: `/api/spaces/${spaceId}/collections/churn`,
      headers: h,
      payload: { update_fields: [{ name: 'price', type: 'integer', unique: true }] },
    });
    expect(dup.statusCode).toBe(409);
    expect(dup.json<Problem>().detail).toContain('1 values occur more than once');
    expect(
      (await t.app.inject({ method: 'DELETE', url: `/api/spaces/${spaceId}/collections/churn`, headers: h }))
        .statusCode,
    ).toBe(204);
    expect(await indexCount()).toBe(before);
    const left = await t.sql<{ n: string }>(
      `select (select count(*) from record_values where collection_id = ?) + (select count(*) from record_uniques where collection_id = ?) as n`,
      [changed.json<Resource>().id, changed.json<Resource>().id],
    );
    expect(Number(left[0].n)).toBe(0);
  });
});
