export interface RecordRow {
  id: string;
  data: Record<string, unknown>;
  created_at: Date | string;
  updated_at: Date | string;
  [cursorKey: `_k${number}`]: string | null;
}

export const RECORD_COLUMNS = 'id, data, created_at, updated_at';

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
