import { createTestApp, TestApp } from '../../../test/create-test-app';
import { ShellFixtureModule } from './shell-fixture.module';
import { anyString } from '../../../test/json';
import type { ValidationProblem } from '../../../test/json';

const PROBLEM = 'application/problem+json; charset=utf-8';

describe('HTTP shell', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ imports: [ShellFixtureModule], env: { BODY_LIMIT: '4kb' } });
    await t.sql('create table fixture_things (id int primary key, name text not null unique)');
  });
  afterAll(() => t.close());

  const inject = (opts: Parameters<TestApp['app']['inject']>[0]) => t.app.inject(opts);

  function expectProblem(res: Awaited<ReturnType<typeof inject>>, status: number) {
    expect(res.statusCode).toBe(status);
    expect(res.headers['content-type']).toBe(PROBLEM);
    const body = res.json<ValidationProblem>();
    expect(body).toMatchObject({ status, title: anyString, type: anyString });
    expect(body.request_id).toBe(res.headers['x-request-id']);
    expect(JSON.stringify(body)).not.toMatch(/at .*\.(js|ts):\d+|stack/i);
    return body;
  }

  it('answers an unknown route with a 404 problem', async () => {
    const body = expectProblem(await inject({ method: 'GET', url: '/api/nowhere' }), 404);
    expect(body.type).toBe('urn:portico:problem:not-found');
  });

  it('answers malformed JSON with 400', async () => {
    const res = await inject({
      method: 'POST',
      url: '/fixture/echo',
      headers: { 'content-type': 'application/json' },
      payload: '{"name": ',
    });
    expect(expectProblem(res, 400).type).toBe('urn:portico:problem:malformed-json');
  });

  it('answers a wrong content type with 415', async () => {
    const res = await inject({
      method: 'POST',
      url: '/fixture/echo',
      headers: { 'content-type': 'text/xml' },
      payload: '<a/>',
    });
    expectProblem(res, 415);
  });

  it('answers a body over the limit with 413', async () => {
    const res = await inject({
      method: 'POST',
      url: '/fixture/echo',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ name: 'x'.repeat(5000) }),
    });
    expectProblem(res, 413);
  });

  it('answers invalid fields with 400 and one entry per problem', async () => {
    const res = await inject({
      method: 'POST',
      url: '/fixture/echo',
      payload: { name: 'too long name', count: -1, extra: true },
    });
    const body = expectProblem(res, 400);
    expect(body.type).toBe('urn:portico:problem:validation-error');
    const fields = body.errors.map((e) => e.field).sort();
    expect(fields).toEqual(['count', 'extra', 'name']);
    for (const e of body.errors) expect(typeof e.message).toBe('string');
  });

  it('passes a valid body through the pipe', async () => {
    const res = await inject({ method: 'POST', url: '/fixture/echo', payload: { name: 'ok', count: 2 } });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({ name: 'ok', count: 2 });
  });

  it('maps ORM not-found to 404 and unique violations to 409', async () => {
    expectProblem(await inject({ method: 'GET', url: '/fixture/things/41' }), 404);
    expect((await inject({ method: 'POST', url: '/fixture/things', payload: { id: 1, name: 'a' } })).statusCode).toBe(
      201,
    );
    expect((await inject({ method: 'GET', url: '/fixture/things/1' })).json()).toEqual({ id: 1, name: 'a' });
    const dup = expectProblem(
      await inject({ method: 'POST', url: '/fixture/things', payload: { id: 2, name: 'a' } }),
      409,
    );
    expect(JSON.stringify(dup)).not.toMatch(/fixture_things|duplicate key|insert/i);
  });

  it('answers an unexpected error with a bare 500 that reveals nothing', async () => {
    const res = await inject({ method: 'GET', url: '/fixture/boom' });
    const body = expectProblem(res, 500);
    expect(body.title).toBe('Internal Server Error');
    expect(res.body).not.toMatch(/hunter2|secret|internal detail/);
  });

  it('rejects an anonymous call to a non-public route with 401', async () => {
    const res = await inject({ method: 'GET', url: '/fixture/private' });
    expectProblem(res, 401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
  });

  it('echoes a valid X-Request-Id and replaces an invalid one', async () => {
    const echoed = await inject({ method: 'GET', url: '/health/live', headers: { 'x-request-id': 'trace-42.abc' } });
    expect(echoed.headers['x-request-id']).toBe('trace-42.abc');
    const replaced = await inject({
      method: 'GET',
      url: '/health/live',
      headers: { 'x-request-id': 'bad id <script>' },
    });
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('sets security headers', async () => {
    const res = await inject({ method: 'GET', url: '/health/live' });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
  });

  it('never writes a credential sent in a header to the logs', async () => {
    const secrets = [
      'ptc_thisIsASecretKeyValue1234567890',
      'eyJhbGciOiJFUzI1NiJ9.secret-token.sig',
      'undb-secret-777',
      'session=cookie-secret',
    ];
    const res = await inject({
      method: 'POST',
      url: '/fixture/echo',
      headers: {
        'x-api-key': secrets[0],
        authorization: `Bearer ${secrets[1]}`,
        'x-undb-api-token': secrets[2],
        cookie: secrets[3],
        'x-request-id': 'redaction-check',
      },
      payload: { name: 'ok', count: 1, password: 'hunter2-password' },
    });
    expect(res.statusCode).toBe(400);
    const lines = t.logs.filter((l) => l.includes('redaction-check'));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of t.logs) {
      for (const secret of [...secrets, 'hunter2-password']) expect(line).not.toContain(secret);
    }
    // The request line names the caller but carries no headers, where credentials travel.
    expect((JSON.parse(lines[lines.length - 1]) as { request: unknown }).request).toEqual({
      method: 'POST',
      url: '/fixture/echo',
      ip: '127.0.0.1',
      user_agent: 'lightMyRequest',
    });
  });
});
