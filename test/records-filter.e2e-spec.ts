import { createTestApp, TestApp } from './create-test-app';
import { bearer, createCollection, createSpace, signup } from './factories';
import type { Page, Row, ValidationProblem } from './json';

/**
 * Property-style check of the filter compiler: random valid filters must select
 * exactly the records an independent in-memory evaluation selects; random invalid
 * ones must be 400, never 500.
 */
type Rec = Record<string, unknown> & { id: string };
type Filter = Record<string, unknown>;

let seed = 20261122;
const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
const maybe = <T>(v: T, p = 0.8): T | undefined => (rand() < p ? v : undefined);

const WORDS = ['alpha', 'beta', 'gamma', 'delta', 'al', 'be', 'zeta'];
const CHOICES = ['red', 'green', 'blue'];
const DATES = ['2026-01-01', '2026-03-15', '2026-12-31', '2025-06-30'];
const TIMES = ['2026-01-01T00:00:00.000Z', '2026-01-01T12:30:00.000Z', '2026-05-05T05:05:05.000Z'];
const FIELDS = [
  { name: 'n', type: 'number' },
  { name: 'i', type: 'integer' },
  { name: 's', type: 'text' },
  { name: 'c', type: 'select', options: { choices: CHOICES } },
  { name: 'd', type: 'date' },
  { name: 't', type: 'datetime' },
  { name: 'b', type: 'boolean' },
  { name: 'tags', type: 'multi_select', options: { choices: CHOICES } },
];

function randomRecord(): Record<string, unknown> {
  const r: Record<string, unknown> = {
    n: maybe(pick([-2, 0, 1.5, 3, 10, 100])),
    i: maybe(pick([-1, 0, 1, 2, 7])),
    s: maybe(pick(WORDS)),
    c: maybe(pick(CHOICES)),
    d: maybe(pick(DATES)),
    t: maybe(pick(TIMES)),
    b: maybe(pick([true, false])),
    tags: maybe(CHOICES.filter(() => rand() < 0.5)),
  };
  for (const k of Object.keys(r)) if (r[k] === undefined) delete r[k];
  return r;
}

const valueFor = (field: string): unknown =>
  ({
    n: pick([-2, 0, 1.5, 3, 10, 100, 2]),
    i: pick([-1, 0, 1, 2, 7, 5]),
    s: pick(WORDS),
    c: pick(CHOICES),
    d: pick(DATES),
    t: pick(TIMES),
    b: pick([true, false]),
    tags: pick(CHOICES),
  })[field];

const OPS: Record<string, string[]> = {
  n: ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'nin', 'is_null'],
  i: ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'nin', 'is_null'],
  s: ['eq', 'ne', 'gt', 'lt', 'in', 'nin', 'contains', 'starts_with', 'ends_with', 'is_null'],
  c: ['eq', 'ne', 'in', 'nin', 'contains', 'is_null'],
  d: ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'is_null'],
  t: ['eq', 'ne', 'gt', 'lte', 'is_null'],
  b: ['eq', 'ne', 'is_null'],
  tags: ['contains', 'is_null'],
};

function randomCondition(): Filter {
  const field = pick(Object.keys(OPS));
  const op = pick(OPS[field]);
  const v: unknown =
    op === 'is_null'
      ? pick([true, false])
      : ['in', 'nin'].includes(op)
        ? [valueFor(field), valueFor(field)]
        : ['contains', 'starts_with', 'ends_with'].includes(op) && field === 's'
          ? pick(['al', 'a', 'ta', 'e'])
          : valueFor(field);
  if (op === 'eq' && rand() < 0.3) return { [field]: v };
  return { [field]: { [op]: v } };
}

function randomFilter(depth = 0): Filter {
  const r = rand();
  if (depth < 3 && r < 0.2) return { or: [randomFilter(depth + 1), randomFilter(depth + 1)] };
  if (depth < 3 && r < 0.3) return { and: [randomFilter(depth + 1), randomFilter(depth + 1)] };
  if (depth < 3 && r < 0.38) return { not: randomFilter(depth + 1) };
  return rand() < 0.3 ? { ...randomCondition(), ...randomCondition() } : randomCondition();
}

const cmpValue = (field: string, v: unknown) => (field === 't' ? Date.parse(v as string) : v);

function test(field: string, op: string, v: unknown, rec: Rec): boolean {
  const x = rec[field];
  const present = x !== undefined;
  const eq = (a: unknown, b: unknown) => JSON.stringify(cmpValue(field, a)) === JSON.stringify(cmpValue(field, b));
  switch (op) {
    case 'eq':
      return present && eq(x, v);
    case 'ne':
      return !(present && eq(x, v));
    case 'gt':
      return present && (cmpValue(field, x) as number) > (cmpValue(field, v) as number);
    case 'gte':
      return present && (cmpValue(field, x) as number) >= (cmpValue(field, v) as number);
    case 'lt':
      return present && (cmpValue(field, x) as number) < (cmpValue(field, v) as number);
    case 'lte':
      return present && (cmpValue(field, x) as number) <= (cmpValue(field, v) as number);
    case 'in':
      return present && (v as unknown[]).some((y) => eq(x, y));
    case 'nin':
      return !(present && (v as unknown[]).some((y) => eq(x, y)));
    case 'contains':
      return present && (Array.isArray(x) ? x.includes(v) : (x as string).includes(v as string));
    case 'starts_with':
      return present && (x as string).startsWith(v as string);
    case 'ends_with':
      return present && (x as string).endsWith(v as string);
    case 'is_null':
      return v ? !present : present;
  }
  throw new Error(op);
}

function evaluate(f: Filter, rec: Rec): boolean {
  return Object.entries(f).every(([k, v]) => {
    if (k === 'and') return (v as Filter[]).every((s) => evaluate(s, rec));
    if (k === 'or') return (v as Filter[]).some((s) => evaluate(s, rec));
    if (k === 'not') return !evaluate(v as Filter, rec);
    const ops = typeof v === 'object' && v !== null && !Array.isArray(v) ? Object.entries(v) : [['eq', v]];
    return ops.every(([op, val]) => test(k, op as string, val, rec));
  });
}

const SORTABLE = ['n', 'i', 's', 'c', 'd', 't', 'b', 'id', 'created_at'];

function randomSort(): string {
  const keys: string[] = [];
  for (let k = Math.floor(rand() * 3); k > 0; k--) {
    const f = pick(SORTABLE);
    if (!keys.some((x) => x.replace('-', '') === f)) keys.push(`${rand() < 0.5 ? '-' : ''}${f}`);
  }
  return keys.join(',');
}

/** Postgres' order: nulls last ascending, first descending; id ends the order in the last key's direction. */
function comparator(sort: string): (a: Rec, b: Rec) => number {
  const keys = sort ? sort.split(',').map((k) => ({ name: k.replace('-', ''), desc: k.startsWith('-') })) : [];
  if (!keys.some((k) => k.name === 'id')) keys.push({ name: 'id', desc: keys.at(-1)?.desc ?? false });
  const asc = (x: unknown, y: unknown) => {
    if (x === undefined || x === null) return y === undefined || y === null ? 0 : 1;
    if (y === undefined || y === null) return -1;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    if (typeof x === 'boolean') return Number(x) - Number(y);
    // What is left are strings (text, dates): compared as Postgres' "C" collation does.
    const [sx, sy] = [x as string, y as string];
    return sx < sy ? -1 : sx > sy ? 1 : 0;
  };
  return (a, b) => {
    for (const k of keys) {
      const c = asc(a[k.name], b[k.name]);
      if (c !== 0) return k.desc ? -c : c;
    }
    return 0;
  };
}

describe('filter compiler (property-style)', () => {
  let t: TestApp;
  let base: string;
  let h: Record<string, string>;
  let records: Rec[];

  beforeAll(async () => {
    t = await createTestApp();
    const u = await signup(t.app);
    h = bearer(u.access_token);
    const space = await createSpace(t.app, u.access_token);
    await createCollection(t.app, h, space.id, { name: 'props', fields: FIELDS });
    base = `/api/spaces/${space.id}/collections/props/records`;
    const res = await t.app.inject({
      method: 'POST',
      url: `${base}/batch`,
      headers: h,
      payload: { records: Array.from({ length: 80 }, randomRecord) },
    });
    expect(res.statusCode).toBe(201);
    records = res.json<Page<Row>>().data;
  });
  afterAll(() => t.close());

  it('agrees with an in-memory evaluation on 500 random filters and sorts, paged by cursor too', async () => {
    let nonEmpty = 0;
    for (let n = 0; n < 500; n++) {
      const filter = randomFilter();
      const sort = randomSort();
      const qs = `filter=${encodeURIComponent(JSON.stringify(filter))}${sort ? `&sort=${sort}` : ''}`;
      const res = await t.app.inject({ method: 'GET', url: `${base}?limit=1000&${qs}`, headers: h });
      expect({ filter, sort, status: res.statusCode }).toEqual({ filter, sort, status: 200 });
      const got = res.json<Page<Row>>().data.map((r: Rec) => r.id);
      const want = records
        .filter((r) => evaluate(filter, r))
        .sort(comparator(sort))
        .map((r) => r.id);
      expect({ filter, sort, got }).toEqual({ filter, sort, got: want });
      if (want.length > 0 && want.length < records.length) nonEmpty++;
      if (n % 5 === 0) {
        // The same list through keyset pages of 7.
        const paged: string[] = [];
        let cursor: string | null = null;
        do {
          const page: { data: Rec[]; next_cursor: string | null } = (
            await t.app.inject({
              method: 'GET',
              url: `${base}?limit=7&${qs}${cursor ? `&cursor=${cursor}` : ''}`,
              headers: h,
            })
          ).json();
          paged.push(...page.data.map((r) => r.id));
          cursor = page.next_cursor;
        } while (cursor);
        expect({ filter, sort, paged }).toEqual({ filter, sort, paged: want });
      }
    }
    expect(nonEmpty).toBeGreaterThan(150);
  });

  it('answers random invalid filters with 400, never 500', async () => {
    const invalid = () =>
      pick<unknown>([
        { [pick(['zz', 'N', '1a'])]: 1 },
        { n: { [pick(['like', 'regex', 'between', ''])]: 1 } },
        { n: { gt: pick(['x', true, null, [1], {}]) } },
        { b: { gt: true } },
        { tags: { gt: 'red' } },
        { s: { in: pick([[], 'x', [1], Array(1001).fill('a')]) } },
        { and: pick([[], {}, 'x', [1]]) },
        { or: [{ n: 1 }, pick([null, 3, 'x'])] },
        { not: pick([null, [], 5]) },
        { d: { eq: pick(['2026-13-01', 'yesterday', 20260101]) } },
        { t: { lt: pick(['noon', 5]) } },
        { id: { eq: 'not-a-uuid' } },
        pick([[], 'x', 5, null]),
        { a: { b: { c: { d: 1 } } } },
        JSON.parse(`${'{"not":'.repeat(9)}{"n":1}${'}'.repeat(9)}`),
        { or: Array.from({ length: 101 }, () => ({ n: 1 })) },
      ]);
    for (let n = 0; n < 100; n++) {
      const filter = invalid();
      const res = await t.app.inject({
        method: 'GET',
        url: `${base}?filter=${encodeURIComponent(JSON.stringify(filter))}`,
        headers: h,
      });
      expect({ filter, status: res.statusCode }).toEqual({ filter, status: 400 });
      expect(res.json<ValidationProblem>().errors[0].field).toBe('filter');
    }
  });
});
