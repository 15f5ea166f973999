import type { FieldCipher } from './field-crypto';
import { blindOf } from './record-sealing';
import type { KeyObject } from 'node:crypto';
import type { OpenCollection } from './collection-access';
import { queryField, Sql } from './expressions';
import { compileFilter, FilterContext } from './filter';
import { RecordRow, recordJson } from './record-row';
import { after, cursorColumns, decodeCursor, Expr, Ordering, orderBy, parseSort } from './sort';
import { scalar } from './expressions';
import type { FieldType } from './fields';

/**
 * The pivot column (migration 8) that orders each orderable type, and its kind. A list
 * sorted first by such a field is driven by `record_values`' index on (space,
 * collection, field, value, record id) and joins records by primary key.
 */
const PIVOT: Partial<Record<FieldType, { kind: number; column: string }>> = {
  number: { kind: 0, column: 'num' },
  integer: { kind: 0, column: 'num' },
  text: { kind: 1, column: 'txt' },
  email: { kind: 1, column: 'txt' },
  url: { kind: 1, column: 'txt' },
  select: { kind: 1, column: 'txt' },
  date: { kind: 2, column: 'ctxt' },
  datetime: { kind: 2, column: 'ctxt' },
};

export function filterContext(
  { row, access }: Pick<OpenCollection, 'row' | 'access'>,
  cipher?: FieldCipher,
): FilterContext {
  return {
    field: (name) => queryField(row.fields, name),
    readable: (name) => access.readable(name),
    ...(cipher ? { blind: blindOf(cipher) } : {}),
  };
}

/**
 * The one SELECT of a record list: filter, keyset position, order, limit+1 rows, and
 * the sort values of each row for the next cursor. Pure, so the benchmark can
 * EXPLAIN exactly what the service runs.
 */
export function listQuery(
  open: Pick<OpenCollection, 'row' | 'access'>,
  query: { filter?: string; sort?: string; cursor?: string },
  limit: number,
  cursorKey: KeyObject,
  cipher?: FieldCipher,
  /** Each record as its API JSON (column `json`, see recordJson) instead of its columns. */
  json = false,
): Sql & { ordering: Ordering } {
  const columns = json ? `${recordJson('r')} as json` : 'r.id, r.data, r.created_at, r.updated_at';
  const ctx = filterContext(open, cipher);
  const filter = compileFilter(query.filter, ctx);
  const ordering = parseSort(query.sort, ctx);
  const lead = ordering.keys[0].field;
  // While a background re-index runs, pivot rows may still follow the old definitions.
  const pivot = lead.system || open.row.index_state !== 'ready' ? undefined : PIVOT[lead.type as FieldType];
  // Driven by the pivot: the lead key reads its pivot column (text: its first 256 characters,
  // ties broken by id), and id the pivot's record_id, so the index order is the list order.
  const expr: Expr = pivot
    ? (f) =>
        f === lead
          ? { sql: `v.${pivot.column}`, params: [] }
          : f.system && f.name === 'id'
            ? { sql: 'v.record_id', params: [] }
            : scalar(f)
    : scalar;
  const keyset = query.cursor
    ? after(ordering, decodeCursor(cursorKey, query.cursor, ordering.spec), expr)
    : { sql: 'true', params: [] };
  const cols = cursorColumns(ordering, expr);
  const order = orderBy(ordering, expr);
  if (pivot) {
    return {
      sql: `select ${columns}, ${cols.sql}
              from record_values v join records r on r.space_id = v.space_id and r.collection_id = v.collection_id and r.id = v.record_id
             where v.space_id = ? and v.collection_id = ? and v.field = ? and v.kind = ${pivot.kind} and (${filter.sql}) and ${keyset.sql}
             order by ${order.sql} limit ?`,
      params: [
        ...cols.params,
        open.row.space_id,
        open.row.id,
        lead.name,
        ...filter.params,
        ...keyset.params,
        ...order.params,
        limit + 1,
      ],
      ordering,
    };
  }
  return {
    sql: `select ${columns}, ${cols.sql} from records r
           where space_id = ? and collection_id = ? and (${filter.sql}) and ${keyset.sql}
           order by ${order.sql} limit ?`,
    params: [
      ...cols.params,
      open.row.space_id,
      open.row.id,
      ...filter.params,
      ...keyset.params,
      ...order.params,
      limit + 1,
    ],
    ordering,
  };
}

/** A listed row: the record (as columns, or as `json`), its sort values and, guarded, the schema it was read under. */
export type ListedRow = RecordRow & { json: string; _v?: number; _s?: string };

/**
 * The list, run against a remembered collection row, with that row's version and index
 * state read in the same statement, so a list costs one statement like the get by id.
 * The outer join always yields the collection's row: with its page, or once with nulls
 * when the page is empty; no row means the collection went. The single outer row drives
 * a nested loop, which keeps the page's order.
 */
export function guardedList(open: Pick<OpenCollection, 'row'>, list: Sql): Sql {
  return {
    sql: `select g.version as _v, g.index_state as _s, x.* from (select version, index_state from collections where space_id = ? and id = ?) g left join lateral (${list.sql}) x on true`,
    params: [open.row.space_id, open.row.id, ...list.params],
  };
}

/** The row's sort values, in key order, for the next cursor. */
export function cursorValues(row: RecordRow, ordering: Ordering): (string | null)[] {
  return ordering.keys.map((_, i) => row[`_k${i}`] ?? null);
}
