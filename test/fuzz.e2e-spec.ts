import { RFC6749_ROUTES } from '@app/common';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTestApp, TestApp } from './create-test-app';
import { addMember, bearer, createCollection, createKey, createSpace, signup } from './factories';
import type { KeyTokenDto, Resource } from './json';

/**
 * A fuzzer generated from the checked-in openapi.json: every operation, anonymous ones
 * included, gets hostile path parameters, queries, bodies and headers. No answer may be
 * a 5xx, every error must be a problem body (RFC 6749 on /oauth/token), and the server
 * must be healthy afterwards. Seeded, so a failure names a reproducible request.
 */

type Schema = {
  $ref?: string;
  type?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  enum?: unknown[];
  format?: string;
  required?: string[];
  oneOf?: Schema[];
  anyOf?: Schema[];
  allOf?: Schema[];
};
interface Operation {
  method: string;
  path: string;
  params: { name: string; in: string }[];
  body?: Schema;
  /** Statuses the document answers with an HTML page (the OAuth authorization pages). */
  htmlStatuses: Set<number>;
}

const spec = JSON.parse(readFileSync(join(__dirname, '..', 'openapi.json'), 'utf8')) as {
  paths: Record<string, unknown>;
  components: { schemas: Record<string, Schema> };
};
const operations: Operation[] = Object.entries(
  spec.paths as Record<
    string,
    Record<
      string,
      {
        parameters?: { name: string; in: string }[];
        requestBody?: { content: Record<string, { schema: Schema }> };
        responses?: Record<string, { content?: Record<string, unknown> }>;
      }
    >
  >,
).flatMap(([path, ops]) =>
  Object.entries(ops).map(([method, op]) => ({
    method: method.toUpperCase(),
    path,
    params: op.parameters ?? [],
    body: op.requestBody ? Object.values(op.requestBody.content)[0]?.schema : undefined,
    htmlStatuses: new Set(
      Object.entries(op.responses ?? {})
        .filter(([, response]) => response.content?.['text/html'])
        .map(([status]) => Number(status)),
    ),
  })),
);

/** mulberry32: small, fast, deterministic. */
function prng(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HOSTILE_STRINGS = [
  '',
  ' ',
  'a\u0000b',
  '\ud800',
  'x\udfffy',
  'A'.repeat(600),
  'é'.repeat(5000),
  '../../etc/passwd',
  "' or 1=1 --",
  '"; drop table records; --',
  '%00',
  '%',
  '{{7*7}}',
  '${jndi:ldap://x}',
  '<script>alert(1)</script>',
  '0',
  '-1',
  '1e309',
  'NaN',
  'null',
  'true',
  '[]',
  '{}',
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  '0190a0a0-0000-7000-8000-000000000000',
  '\u202e\u2066',
  '🦄'.repeat(50),
  'ptc_' + 'A'.repeat(71),
  'prt_' + 'A'.repeat(43),
  'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.',
  'orders',
  'ORDERS',
  'a'.repeat(64),
];

const HOSTILE_FILTERS = [
  '{',
  '[]',
  '{"status":{"eq":"new"}}',
  '{"status":{"$where":"1"}}',
  '{"total":{"gt":"abc"}}',
  '{"total":{"gt":1e400}}',
  '{"created_at":{"lt":"not a date"}}',
  '{"$or":[]}',
  '{"or":[{"status":"new"},{"total":{"between":[1]}}]}',
  '{"and":' + '['.repeat(200) + ']'.repeat(200) + '}',
  '{"status":{"in":' + JSON.stringify(Array.from({ length: 2000 }, (_, i) => String(i))) + '}}',
  '{"email":{"like":"%\\u0000%"}}',
  '{"notes":{"contains":"\\ud800"}}',
  '{"__proto__":{"x":1}}',
  '{"constructor":{"prototype":{}}}',
];

/** encodeURIComponent, except that lone surrogates go out as the invalid UTF-8 a hostile client would send. */
const encode = (s: string) => [...s].map((c) => (c.isWellFormed() ? encodeURIComponent(c) : '%ED%A0%80')).join('');

const HOSTILE_SORTS = ['-', '--total', 'total,', '-total,-status,id', 'nope', 'total;drop', ',,,', 'a'.repeat(2000)];

describe('fuzz: every operation of openapi.json', () => {
  let t: TestApp;
  const ids: Record<string, string[]> = {};
  let credentials: Record<string, string>[] = [];

  beforeAll(async () => {
    t = await createTestApp();
    const owner = await signup(t.app);
    const member = await signup(t.app);
    const space = await createSpace(t.app, owner.access_token);
    await addMember(t.app, owner.access_token, space.id, member.email, 'viewer');
    const h = bearer(owner.access_token);
    await createCollection(t.app, h, space.id);
    const adminKey = await createKey(t.app, h, space.id, { is_admin: true, expires_in: 'never' });
    const readKey = await createKey(t.app, h, space.id, { collection_permissions: { orders: ['read'] } });
    const sacrificial = await createKey(t.app, h, space.id, {});
    const rec = await t.app.inject({
      method: 'POST',
      url: `/api/spaces/${space.id}/collections/orders/records`,
      headers: h,
      payload: { status: 'new', total: 10 },
    });
    const jwt = (
      await t.app.inject({ method: 'POST', url: '/api/auth/token', payload: { api_key: readKey.key } })
    ).json<KeyTokenDto>().token;
    Object.assign(ids, {
      space_id: [space.id],
      user_id: [member.id],
      key_id: [sacrificial.id, readKey.id],
      id: [rec.json<Resource>().id],
      name: ['orders'],
    });
    credentials = [
      {},
      h,
      { 'x-api-key': adminKey.key },
      { 'x-undb-api-token': readKey.key },
      bearer(jwt),
      bearer(member.access_token),
      { 'x-api-key': 'ptc_' + 'A'.repeat(71) },
      { authorization: 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.' },
      { authorization: 'Basic Zm9vOmJhcg==' },
      { 'x-api-key': adminKey.key, authorization: `Bearer ${owner.access_token}` },
    ];
  }, 60_000);
  afterAll(() => t.close());

  it('answers 2,000+ hostile requests with no 5xx and only problem bodies, and stays healthy', async () => {
    const random = prng(20261203);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
    const chance = (p: number) => random() < p;
    const hostileString = () => pick(HOSTILE_STRINGS);

    const resolve = (s: Schema): Schema => (s.$ref ? resolve(spec.components.schemas[s.$ref.split('/').pop()!]) : s);
    const generate = (schema: Schema, depth = 0): unknown => {
      const s = resolve(schema);
      if (chance(0.12))
        return pick([
          null,
          0,
          -1,
          1e308,
          true,
          'x',
          [],
          {},
          hostileString(),
          [hostileString()],
          { nested: { deeper: hostileString() } },
        ]);
      if (s.oneOf || s.anyOf) return generate(pick((s.oneOf ?? s.anyOf)!), depth);
      if (s.enum) return chance(0.8) ? pick(s.enum) : hostileString();
      switch (s.type) {
        case 'object': {
          const out: Record<string, unknown> = {};
          for (const [k, v] of Object.entries(s.properties ?? {}))
            if (chance(0.75) || s.required?.includes(k)) out[k] = depth > 4 ? null : generate(v, depth + 1);
          if (chance(0.1)) out[hostileString() || 'extra'] = hostileString();
          return out;
        }
        case 'array':
          return Array.from({ length: pick([0, 1, 2, 3, 50]) }, () =>
            s.items && depth < 5 ? generate(s.items, depth + 1) : hostileString(),
          );
        case 'integer':
        case 'number':
          return pick([0, 1, -1, 2 ** 31, -(2 ** 53), 1.5, 100, 1e21]);
        case 'boolean':
          return chance(0.5);
        case 'string':
          if (s.format === 'email')
            return pick([
              'a@example.com',
              'nobody@',
              `fuzz${Math.floor(random() * 1e9)}@example.com`,
              'x\ud800@example.com',
            ]);
          return chance(0.3) ? `valid_${Math.floor(random() * 1000)}` : hostileString();
        default:
          return hostileString();
      }
    };
    const records = () =>
      pick([
        { status: 'new', total: 5 },
        { status: hostileString(), total: hostileString() },
        { notes: '\u0000' },
        { data: 'x'.repeat(70_000) },
        [],
        'text',
        null,
      ]);

    const paramValue = (name: string) => (chance(0.6) && ids[name] ? pick(ids[name]) : hostileString());
    const queryValue = (name: string) => {
      if (name === 'filter') return pick(HOSTILE_FILTERS);
      if (name === 'sort') return pick(HOSTILE_SORTS);
      if (name === 'limit') return pick(['0', '-5', '1001', '50', 'abc', '1e3', '9'.repeat(40)]);
      if (name === 'cursor')
        return pick([
          'x',
          Buffer.from('{"id":"\\u0000"}').toString('base64url'),
          Buffer.from('{"id":"not-a-uuid"}').toString('base64url'),
          'a.b',
          hostileString(),
        ]);
      return hostileString();
    };

    const failures: string[] = [];
    let sent = 0;
    const ROUNDS = 45;
    for (let round = 0; round < ROUNDS; round++) {
      for (const op of operations) {
        // Keep the fixtures alive for later rounds: the space and collection are never deleted with their real ids.
        const destructive =
          op.method === 'DELETE' && (op.path === '/api/spaces/{space_id}' || op.path.endsWith('/collections/{name}'));
        let url = op.path.replace(/\{(\w+)\}/g, (_, name: string) =>
          encode(destructive ? hostileString() || 'x' : paramValue(name)),
        );
        const query = new URLSearchParams();
        for (const p of op.params.filter((p) => p.in === 'query'))
          if (chance(0.5)) query.set(p.name, queryValue(p.name));
        if (chance(0.05)) query.set(hostileString() || 'q', hostileString());
        if ([...query].length) url += `?${query.toString()}`;
        const headers: Record<string, string> = { ...pick(credentials) };
        let payload: string | undefined;
        if (op.body || chance(0.1)) {
          const shape = random();
          const value =
            op.path.includes('/records') && op.method !== 'DELETE'
              ? op.path.endsWith('/batch')
                ? { records: [records(), records()] }
                : records()
              : op.body
                ? generate(op.body)
                : {};
          if (shape < 0.75) payload = JSON.stringify(value);
          else if (shape < 0.82) payload = '{"a":' + '['.repeat(5000) + ']'.repeat(5000) + '}';
          else if (shape < 0.88) payload = '{"email": "a@b.c", "password": ';
          else if (shape < 0.92) payload = JSON.stringify(value).replace(/"/g, "'");
          else payload = JSON.stringify(value);
          headers['content-type'] =
            shape < 0.95
              ? 'application/json'
              : pick([
                  'text/plain',
                  'application/x-www-form-urlencoded',
                  'multipart/form-data; boundary=x',
                  'application/json; charset=utf-16',
                ]);
        }
        const res = await t.app.inject({ method: op.method as 'GET', url, headers, payload });
        sent++;
        const where = `${op.method} ${url.slice(0, 200)} [${headers['content-type'] ?? ''}] ${payload?.slice(0, 120) ?? ''}`;
        if (res.statusCode >= 500) failures.push(`${res.statusCode} ${where} → ${res.body.slice(0, 200)}`);
        else if (res.statusCode >= 400) {
          const type = String(res.headers['content-type'] ?? '');
          if (RFC6749_ROUTES.has(op.path) && res.statusCode !== 413 && res.statusCode !== 415) {
            if (!type.includes('application/json') || typeof res.json<{ error?: unknown }>().error !== 'string')
              failures.push(`not RFC 6749: ${res.statusCode} ${where}`);
          } else if (op.htmlStatuses.has(res.statusCode) && type.includes('text/html')) {
            // A documented page; what the framework refuses before the page (hostile input) stays a problem.
          } else if (!type.includes('application/problem+json'))
            failures.push(`not a problem: ${res.statusCode} ${type} ${where}`);
        }
      }
    }
    console.log(`fuzz: ${sent} requests over ${operations.length} operations, ${failures.length} failures`);
    expect(sent).toBeGreaterThanOrEqual(2000);
    expect(failures.slice(0, 20)).toEqual([]);
    expect((await t.app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(200);
    expect(t.logs.filter((l) => l.includes('"level":50')).slice(0, 5)).toEqual([]);
  }, 240_000);
});
