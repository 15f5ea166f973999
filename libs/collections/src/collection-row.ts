import { FieldDef } from './fields';

export interface CollectionRow {
  space_id: string;
  id: string;
  name: string;
  description: string | null;
  fields: FieldDef[];
  version: number;
  /** 'ready', or 'indexing' while a background re-index after a schema change runs. */
  index_state: 'ready' | 'indexing' | 'failed';
  created_at: Date;
  updated_at: Date;
}

export function toCollectionDto(row: CollectionRow) {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    // The `converting` marker is the server's; callers see it as `conversions`.
    fields: row.fields.map(({ converting: _, ...f }) => f),
    version: row.version,
    index_state: row.index_state,
    conversions: row.fields
      .filter((f) => f.converting)
      .map((f) => ({
        field: f.name,
        to: f.encrypted ? ('encrypted' as const) : ('clear' as const),
        converted: Math.min(f.converting!.converted, f.converting!.total),
        total: f.converting!.total,
      })),
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
  };
}
