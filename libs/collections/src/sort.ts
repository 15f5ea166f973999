import { createHmac, timingSafeEqual, KeyObject } from 'node:crypto';
import { badRequest } from '@app/common';
import { FilterContext } from './filter';
import { paramCast, QueryField, scalar, Sql } from './expressions';

const MAX_SORT_FIELDS = 8;

/** One ordering key of a list query. */
interface SortKey {
  field: QueryField;
  desc: boolean;
}

export interface Ordering {
  keys: SortKey[];
  /** Canonical spelling, bound into cursors so a cursor cannot be replayed under another sort. */
  spec: string;
}

/**
 * `?sort=-total,created_at`. `id` always ends the order, in the direction of the key
 * before it, so the order is total and a per-field (space_id, value, id) index serves
 * it in either direction. Nulls follow Postgres: last ascending, first descending.
 */
export function parseSort(raw: string | undefined, ctx: FilterContext): Ordering {
  const keys: SortKey[] = [];
  const names = (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (names.length > MAX_SORT_FIELDS)
    throw badRequest(`Sort by at most ${MAX_SORT_FIELDS} fields.`, [{ field: 'sort', message: 'too many fields' }]);
  for (const token of names) {
    const desc = token.startsWith('-');
    const name = desc ? token.slice(1) : token;
    const field = ctx.field(name);
    const error = !field
      ? `unknown field "${name}"`
      : !ctx.readable(name)
        ? `field "${name}" cannot be sorted by this credential`
        : field.type === 'json' || field.type === 'multi_select'
          ? `a ${field.type} field cannot be sorted`
          : field.encrypted
            ? `"${name}" is encrypted and cannot be sorted`
            : field.converting
              ? `"${name}" is being converted from encryption and can be sorted when that ends`
              : keys.some((k) => k.field.name === name)
                ? `"${name}" appears twice`
                : undefined;
    if (error) throw badRequest(`Invalid sort: ${error}.`, [{ field: 'sort', message: error }]);
    keys.push({ field: field!, desc });
  }
  if (!keys.some((k) => k.field.name === 'id'))
    keys.push({ field: { name: 'id', type: 'uuid', system: true }, desc: keys.at(-1)?.desc ?? false });
  return { keys, spec: keys.map((k) => `${k.desc ? '-' : ''}${k.field.name}`).join(',') };
}

/** How a query spells a field's value: `scalar` on records, a pivot column where the list is driven by one. */
export type Expr = (f: QueryField) => Sql;

export function orderBy(ordering: Ordering, expr: Expr = scalar): Sql {
  const list = ordering.keys.map((k) => ({ x: expr(k.field), desc: k.desc }));
  return {
    sql: list.map((a) => `${a.x.sql} ${a.desc ? 'desc' : 'asc'}`).join(', '),
    params: list.flatMap((a) => a.x.params),
  };
}

/** Columns selecting each key's value as text, for the next cursor. */
export function cursorColumns(ordering: Ordering, expr: Expr = scalar): Sql {
  const list = ordering.keys.map((k) => expr(k.field));
  return {
    sql: list.map((x, i) => `cast(${x.sql} as text) as _k${i}`).join(', '),
    params: list.flatMap((x) => x.params),
  };
}

/** Rows strictly after `values` in the ordering: (a > v1) or (a = v1 and b > v2) or …, nulls included. */
export function after(ordering: Ordering, values: (string | null)[], expr: Expr = scalar): Sql {
  const keys = ordering.keys;
  if (values.length !== keys.length)
    throw badRequest('The cursor does not fit this query.', [{ field: 'cursor', message: 'cursor is stale' }]);
  const ors: Sql[] = [];
  for (let i = 0; i < keys.length; i++) {
    const strict = beyond(keys[i], values[i], expr);
    if (!strict) continue;
    const parts: Sql[] = keys.slice(0, i).map((k, j) => {
      const x = expr(k.field);
      return values[j] === null
        ? { sql: `${x.sql} is null`, params: x.params }
        : { sql: `${x.sql} = cast(? as ${paramCast(k.field)})`, params: [...x.params, values[j]] };
    });
    parts.push(strict);
    ors.push({ sql: `(${parts.map((p) => p.sql).join(' and ')})`, params: parts.flatMap((p) => p.params) });
  }
  if (ors.length === 0) return { sql: 'false', params: [] };
  return { sql: `(${ors.map((o) => o.sql).join(' or ')})`, params: ors.flatMap((o) => o.params) };
}

/** Values of one key that sort after `value`; undefined when none do. */
function beyond(key: SortKey, value: string | null, expr: Expr): Sql | undefined {
  const x = expr(key.field);
  const v = { sql: `cast(? as ${paramCast(key.field)})`, params: [value] };
  if (key.desc) {
    // Descending: nulls come first, then values downwards.
    return value === null
      ? { sql: `${x.sql} is not null`, params: x.params }
      : { sql: `${x.sql} < ${v.sql}`, params: [...x.params, ...v.params] };
  }
  // Ascending: values upwards, then nulls.
  if (value === null) return undefined;
  return { sql: `(${x.sql} > ${v.sql} or ${x.sql} is null)`, params: [...x.params, ...v.params, ...x.params] };
}

/** Cursors are signed: a tampered or foreign one is 400, never a strange query. */
export function encodeCursor(key: KeyObject, spec: string, values: (string | null)[]): string {
  const body = Buffer.from(JSON.stringify({ s: spec, v: values })).toString('base64url');
  return `${body}.${createHmac('sha256', key).update(body).digest('base64url').slice(0, 22)}`;
}

export function decodeCursor(key: KeyObject, cursor: string, spec: string): (string | null)[] {
  const invalid = () =>
    badRequest('The cursor is invalid.', [{ field: 'cursor', message: 'is not a cursor of this list' }]);
  const [body, sig] = cursor.split('.');
  if (!body || !sig) throw invalid();
  const expected = Buffer.from(createHmac('sha256', key).update(body).digest('base64url').slice(0, 22));
  if (expected.length !== Buffer.byteLength(sig) || !timingSafeEqual(expected, Buffer.from(sig))) throw invalid();
  const parsed = JSON.parse(Buffer.from(body, 'base64url').toString()) as { s: string; v: (string | null)[] };
  if (parsed.s !== spec)
    throw badRequest('The cursor belongs to another sort order.', [{ field: 'cursor', message: 'sort changed' }]);
  return parsed.v;
}
