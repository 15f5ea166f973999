import { createTestApp, TestApp } from './create-test-app';
import { bearer, createSpace, signup } from './factories';

/** The request log as operators read it: why a request was refused, quiet probes, the caller's trace. */
describe('request log lines', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  type Line = Record<string, unknown> & { request_id?: string; msg?: string; level?: number };
  const lineFor = (requestId: string) =>
    t.logs.map((l) => JSON.parse(l) as Line).find((l) => l.request_id === requestId && l.msg === 'request completed');

  it('names the problem type and the space of a refused request', async () => {
    const owner = await signup(t.app);
    const stranger = await signup(t.app);
    const space = await createSpace(t.app, owner.access_token);
    const res = await t.app.inject({
      method: 'GET',
      url: `/api/spaces/${space.id}/collections/nope`,
      headers: bearer(stranger.access_token),
    });
    expect(res.statusCode).toBe(404);
    expect(lineFor(String(res.headers['x-request-id']))).toMatchObject({
      status: 404,
      problem_type: 'urn:portico:problem:not-found',
      space_id: space.id,
    });
  });

  it('logs a filter by its fields and operators, never its values, and no credential in the query', async () => {
    const filter = JSON.stringify({ ssn: '078-05-1120', or: [{ age: { gte: 40 } }, { tags: { in: ['vip'] } }] });
    const res = await t.app.inject({
      method: 'GET',
      url: `/api/collections/anything/records?filter=${encodeURIComponent(filter)}&api_key=pk_secret123`,
    });
    const line = lineFor(String(res.headers['x-request-id']))!;
    const query = new URLSearchParams(String((line.request as { url: string }).url).split('?')[1]);
    expect(JSON.parse(query.get('filter')!)).toEqual({
      ssn: '?',
      or: [{ age: { gte: '?' } }, { tags: { in: ['?'] } }],
    });
    expect(query.get('api_key')).toBe('[redacted]');
    expect(JSON.stringify(line)).not.toMatch(/078-05-1120|vip|pk_secret123/);
  });

  it('keeps successful health probes out of the info log', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/health/live' });
    expect(res.statusCode).toBe(200);
    expect(lineFor(String(res.headers['x-request-id']))).toBeUndefined();
    // …while an ordinary request right after it is logged.
    const other = await t.app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
    expect(lineFor(String(other.headers['x-request-id']))).toMatchObject({ status: 200 });
  });

  it('honours a W3C traceparent: its trace id is logged and answered in traceresponse', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const res = await t.app.inject({
      method: 'GET',
      url: '/api/auth/me',
      headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    });
    expect(String(res.headers.traceresponse)).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    expect(lineFor(String(res.headers['x-request-id']))).toMatchObject({ trace_id: traceId, status: 401 });
    // An invalid one (all-zero trace id) is ignored.
    const bad = await t.app.inject({
      method: 'GET',
      url: '/api/auth/me',
      headers: { traceparent: `00-${'0'.repeat(32)}-00f067aa0ba902b7-01` },
    });
    expect(bad.headers.traceresponse).toBeUndefined();
    expect(lineFor(String(bad.headers['x-request-id']))?.trace_id).toBeUndefined();
  });
});
