import { createTestApp, TestApp } from './create-test-app';
import { bearer, createCollection, createKey, createSpace, signup, TestUser } from './factories';
import { anyString } from './json';
import type { ValidationProblem } from './json';

/** Input that Postgres or the runtime cannot take answers 400 naming the field, never 500. */
describe('hostile input', () => {
  let t: TestApp;
  let owner: TestUser;
  let spaceId: string;
  let key: string;
  beforeAll(async () => {
    t = await createTestApp();
    owner = await signup(t.app);
    spaceId = (await createSpace(t.app, owner.access_token)).id;
    key = (await createKey(t.app, bearer(owner.access_token), spaceId, { is_admin: true })).key;
    await createCollection(t.app, { 'x-api-key': key }, spaceId, {
      name: 'notes',
      fields: [
        { name: 'body', type: 'text' },
        { name: 'meta', type: 'json' },
      ],
    });
  });
  afterAll(() => t.close());

  const expectProblem = (
    res: { statusCode: number; headers: Record<string, unknown>; body: string },
    status: number,
    field?: string,
  ) => {
    expect({ status: res.statusCode, body: res.body }).toEqual({ status, body: anyString });
    expect(String(res.headers['content-type'])).toContain('application/problem+json');
    if (field) expect((JSON.parse(res.body) as ValidationProblem).errors.map((e) => e.field)).toContain(field);
  };
  const k = () => ({ 'x-api-key': key });

  it.each([
    ['NUL in record text', { body: 'a\u0000b' }, 'body'],
    ['NUL in a json key', { meta: { 'a\u0000': 1 } }, 'meta'],
    ['lone surrogate in text', { body: 'x\ud800y' }, 'body'],
    ['lone surrogate in a json value', { meta: { a: ['\udfff'] } }, 'meta.a[0]'],
  ])('%s: 400', async (_name, payload, field) => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/collections/notes/records',
      headers: { ...k(), 'content-type': 'application/json' },
      payload: JSON.stringify(payload),
    });
    expectProblem(res, 400);
    expect(res.json<ValidationProblem>().errors[0].field).toContain(field.split('.')[0]);
  });

  it.each([
    ['NUL', '{"body":{"eq":"a\\u0000"}}'],
    ['lone surrogate', '{"body":{"eq":"\\ud800"}}'],
  ])('%s in a filter: 400', async (_name, filter) => {
    const res = await t.app.inject({
      method: 'GET',
      url: `/api/collections/notes/records?filter=${encodeURIComponent(filter)}`,
      headers: k(),
    });
    expectProblem(res, 400);
  });

  it('NUL in path segments and queries: 400', async () => {
    for (const url of [
      '/api/collections/no%00tes/records',
      `/api/spaces/${spaceId}/collections/no%00tes`,
      `/api/spaces/${spaceId}/audit-logs?action=a%00b`,
    ]) {
      expectProblem(await t.app.inject({ method: 'GET', url, headers: k() }), 400);
    }
    expectProblem(
      await t.app.inject({
        method: 'PATCH',
        url: `/api/spaces/${spaceId}`,
        headers: bearer(owner.access_token),
        payload: { name: 'a\u0000' },
      }),
      400,
      'name',
    );
    expectProblem(
      await t.app.inject({
        method: 'POST',
        url: `/api/spaces/${spaceId}/api-keys`,
        headers: k(),
        payload: { label: 'a\u0000' },
      }),
      400,
      'label',
    );
  });

  it('PATCH a space with name null: 400 naming the field', async () => {
    expectProblem(
      await t.app.inject({
        method: 'PATCH',
        url: `/api/spaces/${spaceId}`,
        headers: bearer(owner.access_token),
        payload: { name: null },
      }),
      400,
      'name',
    );
  });

  it('anonymous: lone surrogates in e-mails and deeply nested bodies: 400', async () => {
    const surrogate = '{"email":"a\\ud800@example.com","password":"long enough password"}';
    for (const url of ['/api/auth/signup', '/api/auth/login']) {
      expectProblem(
        await t.app.inject({
          method: 'POST',
          url,
          headers: { 'content-type': 'application/json' },
          payload: surrogate,
        }),
        400,
        'email',
      );
    }
    const deep = '['.repeat(20_000) + ']'.repeat(20_000);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: `{"email":${deep},"password":"x"}`,
    });
    expectProblem(res, 400);
    const deepObject = '{"a":'.repeat(20_000) + '1' + '}'.repeat(20_000);
    expectProblem(
      await t.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        headers: { 'content-type': 'application/json' },
        payload: deepObject,
      }),
      400,
    );
    expect(t.logs.filter((l) => l.includes('"level":50'))).toEqual([]);
  });
});
