export interface RecordRow {
  id: string;
  data: Record<string, unknown>;
  created_at: Date | string;
  updated_at: Date | string;
  [cursorKey: `_k${number}`]: string | null;
}

export const RECORD_COLUMNS = 'id, data, created_at, updated_at';

const ISO_MS = 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"';

/**
 * The API JSON of a record, printed by Postgres from the row aliased `t`: the same
 * shape and key order as `toRecord` (id, the document's fields in jsonb's order, then
 * the timestamps in UTC with milliseconds, truncated as `isoTime` does). The document's
 * own text is spliced in without its braces, so nothing is parsed on either side.
 */
export const recordJson = (t: string): string =>
  `'{"id":"' || ${t}.id || '"' || case when ${t}.data = '{}'::jsonb then '' else ',' || left(right(${t}.data::text, -1), -1) end` +
  ` || ',"created_at":"' || to_char(${t}.created_at at time zone 'UTC', '${ISO_MS}')` +
  ` || '","updated_at":"' || to_char(${t}.updated_at at time zone 'UTC', '${ISO_MS}') || '"}'`;

/** A page of records printed by `recordJson` (column `json`), as the API's list body. */
export const pageJson = (rows: { json: string }[], nextCursor: string | null): string =>
  `{"data":[${rows.map((r) => r.json).join(',')}],"next_cursor":${nextCursor === null ? 'null' : JSON.stringify(nextCursor)}}`;

/** The API shape of a record: id, its fields, then the timestamps. */
export function toRecord(row: RecordRow): Record<string, unknown> {
  return {
    id: row.id,
    ...row.data,
    created_at: isoTime(row.created_at),
    updated_at: isoTime(row.updated_at),
  };
}

/** Postgres's text form of a UTC timestamptz, e.g. `2026-12-04 17:14:37.432105+00`. */
const PG_UTC = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?\+00$/;

/**
 * A timestamp as the API writes it (ISO-8601, UTC, milliseconds). The driver hands
 * timestamps over as Postgres's text; rewriting that text costs a fraction of parsing
 * it into a Date and printing it (two per record, fifty or a thousand records a
 * response). Anything else (another offset, a Date) takes the Date path; both truncate
 * microseconds, as Date does.
 */
export function isoTime(value: Date | string): string {
  const m = typeof value === 'string' ? PG_UTC.exec(value) : null;
  if (!m) return new Date(value).toISOString();
  return `${m[1]}T${m[2]}.${(m[3] ?? '').padEnd(3, '0').slice(0, 3)}Z`;
}
