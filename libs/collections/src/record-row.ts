export interface RecordRow {
  id: string;
  data: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
  [cursorKey: `_k${number}`]: string | null;
}

export const RECORD_COLUMNS = 'id, data, created_at, updated_at';

/** The API shape of a record: id, its fields, then the timestamps. */
export function toRecord(row: RecordRow): Record<string, unknown> {
  return {
    id: row.id,
    ...row.data,
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
  };
}
