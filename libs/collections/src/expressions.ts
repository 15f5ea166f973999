import { FieldDef, FieldType, SYSTEM_FIELDS } from './fields';

/** A field as queries see it: a user field in `data`, or a column. */
export interface QueryField {
  name: string;
  type: FieldType | 'uuid' | 'timestamptz';
  system: boolean;
  /** Stored sealed: compared through its blind index only. */
  encrypted?: boolean;
  /** Encryption is being turned on or off: values are in either form, compared in both. */
  converting?: boolean;
}

export function queryField(fields: readonly FieldDef[], name: string): QueryField | undefined {
  if (name === 'id') return { name, type: 'uuid', system: true };
  if (name === 'created_at' || name === 'updated_at') return { name, type: 'timestamptz', system: true };
  const f = fields.find((x) => x.name === name);
  return (
    f && {
      name,
      type: f.type,
      system: false,
      ...(f.encrypted ? { encrypted: true } : {}),
      ...(f.converting ? { converting: true } : {}),
    }
  );
}

/** SQL type a field's values are compared as; field names always travel as parameters. */
const CAST: Partial<Record<QueryField['type'], string>> = {
  number: 'numeric',
  integer: 'numeric',
  boolean: 'boolean',
};

/**
 * Dates and date-times are stored normalised (YYYY-MM-DD, ISO-8601 UTC with
 * milliseconds), so their byte order is their time order. Comparing them as "C"
 * collated text keeps the expression immutable, hence indexable (a cast to
 * timestamptz depends on the session time zone and cannot be indexed).
 */
const BYTE_ORDERED: QueryField['type'][] = ['date', 'datetime'];

export interface Sql {
  sql: string;
  params: unknown[];
}

/**
 * Numbers go through `portico_number` (migration 5), a cast that yields null rather
 * than failing, because an index build also reads deleted rows that may hold text.
 */
const NUMERIC: QueryField['type'][] = ['number', 'integer'];

/** The typed scalar expression of a field (columns are typed already). */
export function scalar(f: QueryField): Sql {
  if (f.system) return { sql: f.name === 'id' ? 'id' : f.name, params: [] };
  if (NUMERIC.includes(f.type)) return { sql: 'portico_number(data->>?)', params: [f.name] };
  const cast = CAST[f.type as FieldType];
  if (cast) return { sql: `cast(data->>? as ${cast})`, params: [f.name] };
  if (BYTE_ORDERED.includes(f.type)) return { sql: '((data->>?) collate "C")', params: [f.name] };
  return { sql: '(data->>?)', params: [f.name] };
}

/** The SQL type a parameter must be cast to, to compare with `scalar(f)`. */
export function paramCast(f: QueryField): string {
  if (f.type === 'uuid') return 'uuid';
  if (f.type === 'timestamptz') return 'timestamptz';
  return CAST[f.type] ?? 'text';
}

export const isSystemField = (name: string) => (SYSTEM_FIELDS as readonly string[]).includes(name);
