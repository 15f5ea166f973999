import { createTestApp, TestApp } from '../../../test/create-test-app';

describe('health', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('is live without a credential', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/health/live' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('is ready when the database answers (and Redis, when configured)', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/health/ready' });
    expect(res.statusCode).toBe(200);
    const body = res.json<{ details: Record<string, { status: string } | undefined> }>();
    expect(body.details.database?.status).toBe('up');
    if (process.env.REDIS_URL) expect(body.details.redis?.status).toBe('up');
    else expect(body.details.redis).toBeUndefined();
  });

  it('is not ready, with a 503 problem, when Redis is configured but unreachable', async () => {
    const other = await createTestApp({ db: t.db, secrets: t.secrets, env: { REDIS_URL: 'redis://127.0.0.1:1' } });
    try {
      const res = await other.app.inject({ method: 'GET', url: '/health/ready' });
      expect(res.statusCode).toBe(503);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json<{ checks: Record<string, { status: string }> }>().checks.redis.status).toBe('down');
    } finally {
      await other.close();
    }
  });

  it('serves Swagger UI and the OpenAPI document', async () => {
    const ui = await t.app.inject({ method: 'GET', url: '/docs' });
    expect(ui.statusCode).toBe(200);
    expect(ui.body).toContain('swagger-ui');
    const doc = await t.app.inject({ method: 'GET', url: '/docs/openapi.json' });
    expect(doc.json<{ openapi: string }>().openapi).toMatch(/^3\./);
  });
});
