import { createHmac, timingSafeEqual, KeyObject } from 'node:crypto';
import { badRequest } from '@app/common';
import { FilterContext } from './filter';
import { paramCast, QueryField, scalar, Sql } from './expressions';

const MAX_SORT_FIELDS = 8;

/** One ordering key of a list query. `nullable` keys get an `is null` flag key first, so nulls sort last either way. */
interface SortKey {
  field: QueryField;
  desc: boolean;
}

export interface Ordering {
  keys: SortKey[];
  /** Canonical spelling, bound into cursors so a cursor cannot be replayed under another sort. */
  spec: string;
}

/** `?sort=-total,created_at`; `id` always ends the order so it is total and stable. */
export function parseSort(raw: string | undefined, ctx: FilterContext): Ordering {
  const keys: SortKey[] = [];
  const names = (raw ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (names.length > MAX_SORT_FIELDS) throw badRequest(`Sort by at most ${MAX_SORT_FIELDS} fields.`, [{ field: 'sort', message: 'too many fields' }]);
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
          : keys.some((k) => k.field.name === name)
            ? `"${name}" appears twice`
            : undefined;
    if (error) throw badRequest(`Invalid sort: ${error}.`, [{ field: 'sort', message: error }]);
    keys.push({ field: field!, desc });
  }
  if (!keys.some((k) => k.field.name === 'id')) keys.push({ field: { name: 'id', type: 'uuid', system: true }, desc: false });
  return { keys, spec: keys.map((k) => `${k.desc ? '-' : ''}${k.field.name}`).join(',') };
}

interface Atom {
  sql: Sql;
  desc: boolean;
  cast: string;
}

/** The ordering expanded into comparable atoms (null flags included). */
function atoms(ordering: Ordering): Atom[] {
  return ordering.keys.flatMap((k) => {
    const x = scalar(k.field);
    const value: Atom = { sql: x, desc: k.desc, cast: paramCast(k.field) };
    if (k.field.system) return [value];
    return [{ sql: { sql: `(${x.sql} is null)`, params: x.params }, desc: false, cast: 'boolean' }, value];
  });
}

export function orderBy(ordering: Ordering): Sql {
  const list = atoms(ordering);
  return { sql: list.map((a) => `${a.sql.sql} ${a.desc ? 'desc' : 'asc'}`).join(', '), params: list.flatMap((a) => a.sql.params) };
}

/** Columns selecting each atom's value as text, for the next cursor. */
export function cursorColumns(ordering: Ordering): Sql {
  const list = atoms(ordering);
  return { sql: list.map((a, i) => `cast(${a.sql.sql} as text) as _k${i}`).join(', '), params: list.flatMap((a) => a.sql.params) };
}

/** Rows strictly after `values` in the ordering: (a > v1) or (a = v1 and b > v2) or … */
export function after(ordering: Ordering, values: (string | null)[]): Sql {
  const list = atoms(ordering);
  if (values.length !== list.length) throw badRequest('The cursor does not fit this query.', [{ field: 'cursor', message: 'cursor is stale' }]);
  const ors: Sql[] = [];
  for (let i = 0; i < list.length; i++) {
    const parts: Sql[] = [];
    for (let j = 0; j < i; j++) {
      const a = list[j];
      parts.push(values[j] === null ? { sql: `${a.sql.sql} is null`, params: a.sql.params } : { sql: `${a.sql.sql} = cast(? as ${a.cast})`, params: [...a.sql.params, values[j]] });
    }
    const a = list[i];
    if (values[i] === null) continue; // nothing sorts after null within the same prefix
    parts.push({ sql: `${a.sql.sql} ${a.desc ? '<' : '>'} cast(? as ${a.cast})`, params: [...a.sql.params, values[i]] });
    ors.push({ sql: `(${parts.map((p) => p.sql).join(' and ')})`, params: parts.flatMap((p) => p.params) });
  }
  if (ors.length === 0) return { sql: 'false', params: [] };
  return { sql: `(${ors.map((o) => o.sql).join(' or ')})`, params: ors.flatMap((o) => o.params) };
}

/** Cursors are signed: a tampered or foreign one is 400, never a strange query. */
export function encodeCursor(key: KeyObject, spec: string, values: (string | null)[]): string {
  const body = Buffer.from(JSON.stringify({ s: spec, v: values })).toString('base64url');
  return `${body}.${createHmac('sha256', key).update(body).digest('base64url').slice(0, 22)}`;
}

export function decodeCursor(key: KeyObject, cursor: string, spec: string): (string | null)[] {
  const invalid = () => badRequest('The cursor is invalid.', [{ field: 'cursor', message: 'is not a cursor of this list' }]);
  const [body, sig] = cursor.split('.');
  if (!body || !sig) throw invalid();
  const expected = Buffer.from(createHmac('sha256', key).update(body).digest('base64url').slice(0, 22));
  if (expected.length !== Buffer.byteLength(sig) || !timingSafeEqual(expected, Buffer.from(sig))) throw invalid();
  const parsed = JSON.parse(Buffer.from(body, 'base64url').toString()) as { s: string; v: (string | null)[] };
  if (parsed.s !== spec) throw badRequest('The cursor belongs to another sort order.', [{ field: 'cursor', message: 'sort changed' }]);
  return parsed.v;
}
