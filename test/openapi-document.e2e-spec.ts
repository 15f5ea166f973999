import { RFC6749_ROUTES } from '@app/common';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTestApp, TestApp } from './create-test-app';

type Operation = {
  operationId: string;
  tags?: string[];
  summary?: string;
  security?: Record<string, string[]>[];
  requestBody?: unknown;
  parameters?: { in: string; name: string }[];
  responses: Record<
    string,
    { content?: Record<string, { schema: { $ref?: string } }>; headers?: Record<string, unknown> }
  >;
};
type Doc = {
  paths: Record<string, Record<string, Operation>>;
  tags: { name: string }[];
  components: { securitySchemes: Record<string, unknown>; schemas: Record<string, unknown> };
};

/** The checked-in openapi.json (CI fails when it differs from what the code generates). */
const doc = JSON.parse(readFileSync(join(__dirname, '..', 'openapi.json'), 'utf8')) as Doc;
const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
  Object.entries(item).map(([method, op]) => ({ path, method, op })),
);
const PROBLEM = '#/components/schemas/ProblemDto';

describe('the OpenAPI document', () => {
  it('gives every operation a unique camelCase operationId, a declared tag and a summary', () => {
    const ids = operations.map(({ op }) => op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    const tags = new Set(doc.tags.map((t) => t.name));
    for (const { op } of operations) {
      expect(op.operationId).toMatch(/^[a-z][a-zA-Z0-9]+$/);
      expect(op.tags).toHaveLength(1);
      expect(tags.has(op.tags![0])).toBe(true);
      expect(op.summary?.length).toBeGreaterThan(5);
    }
  });

  it('documents the errors each operation can answer with the one problem schema, and the limit headers', () => {
    for (const { path, op } of operations) {
      const codes = Object.keys(op.responses);
      const secured = (op.security ?? []).length > 0;
      if (secured) expect(codes).toEqual(expect.arrayContaining(['401', '403', '429']));
      if (op.requestBody) expect(codes).toEqual(expect.arrayContaining(['400', '413']));
      if ((op.parameters ?? []).some((p) => p.in === 'path')) expect(codes).toContain('404');
      for (const [code, response] of Object.entries(op.responses)) {
        if (Number(code) < 400) continue;
        // The documented exceptions: RFC 6749 errors of the OAuth token, revocation and
        // introspection endpoints (an OAuthErrorDto each), the authorization pages' HTML
        // error pages, and the readiness probe's 503, which is its health report.
        if (RFC6749_ROUTES.has(path) && (code === '400' || code === '401')) {
          expect({ path, code, ref: response.content?.['application/json']?.schema.$ref }).toEqual({
            path,
            code,
            ref: '#/components/schemas/OAuthErrorDto',
          });
          continue;
        }
        if (response.content?.['text/html']) continue;
        if (path === '/health/ready' && code === '503') continue;
        expect({ path, code, ref: response.content?.['application/problem+json']?.schema.$ref }).toEqual({
          path,
          code,
          ref: PROBLEM,
        });
      }
      if (codes.includes('429')) {
        expect(Object.keys(op.responses['429'].headers ?? {})).toEqual(
          expect.arrayContaining(['Retry-After', 'X-RateLimit-Limit', 'X-Request-Id']),
        );
      }
    }
  });

  it('marks 409s where a conflict can happen', () => {
    const conflicts = operations.filter(({ op }) => op.responses['409']).map(({ op }) => op.operationId);
    expect(conflicts).toEqual(
      expect.arrayContaining([
        'signup',
        'addMember',
        'updateMember',
        'removeMember',
        'createCollection',
        'updateCollection',
        'createRecord',
        'createRecords',
        'updateRecord',
        'updateRecordInKeySpace',
      ]),
    );
  });

  it('offers the three credential schemes', () => {
    expect(doc.components.securitySchemes).toMatchObject({
      'x-undb-api-token': { type: 'apiKey', in: 'header', name: 'x-undb-api-token' },
      'X-Api-Key': { type: 'apiKey', in: 'header', name: 'X-Api-Key' },
      bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
    });
  });

  describe('as served', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp();
    });
    afterAll(() => t.close());

    it('has the same operations, security and responses as the checked-in file', async () => {
      const served: Doc = (await t.app.inject({ method: 'GET', url: '/docs/openapi.json' })).json();
      const shape = (d: Doc) =>
        Object.entries(d.paths).flatMap(([path, item]) =>
          Object.entries(item).map(([method, op]) =>
            [method, path, op.operationId, JSON.stringify(op.security ?? []), Object.keys(op.responses).join(',')].join(
              ' ',
            ),
          ),
        );
      expect(shape(served)).toEqual(shape(doc));
    });
  });
});
