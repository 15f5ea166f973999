import { statement } from '@app/database';
import type { CollectionRow } from './collection-row';
import type { FieldDef } from './fields';
import type { RecordRow } from './record-row';

/**
 * Every fixed statement of the collections lib. Record lists, filters and sorts are
 * composed per request by the filter compiler (filter.ts, sort.ts, records-query.ts);
 * field names always travel as parameters, never as SQL text.
 */

const COLUMNS = 'space_id, id, name, description, fields, version, index_state, created_at, updated_at';

export const collectionByName = statement<{ spaceId: string; name: string }, CollectionRow>(
  'collection-by-name',
  `select ${COLUMNS} from collections where space_id = :spaceId and name = :name`,
);

/** A schema change holds the row: a second change of the same collection waits. */
export const lockCollectionByName = statement<{ spaceId: string; name: string }, CollectionRow>(
  'lock-collection-by-name',
  `select ${COLUMNS} from collections where space_id = :spaceId and name = :name for update`,
);

export type CollectionWithRecord = CollectionRow & {
  r_id: string | null;
  r_data: RecordRow['data'];
  r_created_at: Date;
  r_updated_at: Date;
};

/** The hot read path (get a record by id): the collection and the record in one prepared statement. */
export const collectionWithRecord = statement<
  { spaceId: string; name: string; recordId: string | null },
  CollectionWithRecord
>(
  'portico_collection_with_record',
  `select ${COLUMNS.split(', ')
    .map((c) => `c.${c}`)
    .join(', ')}, r.id as r_id, r.data as r_data, r.created_at as r_created_at, r.updated_at as r_updated_at
     from collections c
     left join records r on r.space_id = c.space_id and r.collection_id = c.id and r.id = :recordId
    where c.space_id = :spaceId and c.name = :name`,
);

export const collectionsOfSpace = statement<{ spaceId: string }, CollectionRow>(
  'collections-of-space',
  `select ${COLUMNS} from collections where space_id = :spaceId order by name`,
);

/** What the space's OpenAPI document depends on: its cache key. */
export const collectionVersions = statement<{ spaceId: string }, { name: string; version: number }>(
  'collection-versions',
  'select name, version from collections where space_id = :spaceId order by name',
);

export const collectionSchemas = statement<
  { spaceId: string },
  { name: string; description: string | null; fields: FieldDef[] }
>('collection-schemas', 'select name, description, fields from collections where space_id = :spaceId order by name');

export const insertCollection = statement<
  { spaceId: string; id: string; name: string; description: string | null; fieldsJson: string },
  CollectionRow
>(
  'insert-collection',
  `insert into collections (space_id, id, name, description, fields)
   values (:spaceId, :id, :name, :description, cast(:fieldsJson as jsonb))
   returning ${COLUMNS}`,
);

export const updateCollection = statement<
  { spaceId: string; id: string; fieldsJson: string; setDescription: boolean; description: string | null },
  CollectionRow
>(
  'update-collection',
  `update collections
      set fields = cast(:fieldsJson as jsonb),
          description = case when :setDescription then :description else description end,
          version = version + 1, updated_at = now()
    where space_id = :spaceId and id = :id
    returning ${COLUMNS}`,
);

/** Deletes the collection (its records go by cascade) and says how many records went with it. */
export const deleteCollection = statement<
  { spaceId: string; name: string },
  { id: string; fields: FieldDef[]; records: number }
>(
  'delete-collection',
  `with gone as (delete from collections where space_id = :spaceId and name = :name returning id, fields)
   select gone.id, gone.fields,
          (select count(*)::int from records r where r.space_id = :spaceId and r.collection_id = gone.id) as records
     from gone`,
);

type InCollection = { spaceId: string; collectionId: string };

export const removeFieldValues = statement<InCollection & { field: string }>(
  'remove-field-values',
  `update records set data = data - :field
    where space_id = :spaceId and collection_id = :collectionId and (data->:field) is not null`,
);

export const renameFieldValues = statement<InCollection & { from: string; to: string }>(
  'rename-field-values',
  `update records set data = (data - :from) || jsonb_build_object(cast(:to as text), data->:from)
    where space_id = :spaceId and collection_id = :collectionId and (data->:from) is not null`,
);

export const fieldValues = statement<InCollection & { field: string }, { id: string; v: unknown }>(
  'field-values',
  'select id, data->:field as v from records where space_id = :spaceId and collection_id = :collectionId',
);

/** `changesJson`: `[{ id, val }]`, `val` the new value as JSON text. */
export const setFieldValues = statement<InCollection & { field: string; changesJson: string }>(
  'set-field-values',
  `update records r set data = jsonb_set(r.data, array[cast(:field as text)], cast(x.val as jsonb)), updated_at = now()
     from jsonb_to_recordset(cast(:changesJson as jsonb)) as x(id uuid, val text)
    where r.space_id = :spaceId and r.collection_id = :collectionId and r.id = x.id`,
);

/** How many distinct values of `field` occur more than once. */
export const duplicatedValues = statement<InCollection & { field: string }, { n: number }>(
  'duplicated-values',
  `select count(*)::int as n from (
     select data->>:field as v from records
      where space_id = :spaceId and collection_id = :collectionId and (data->>:field) is not null
      group by 1 having count(*) > 1) d`,
);

/** For the rest of the transaction, record writes leave the pivot rows alone (a resync follows). */
export const pausePivotTrigger = statement('pause-pivot-trigger', `select set_config('portico.pivot', 'off', true)`);

export const deleteValuePivots = statement<InCollection>(
  'delete-value-pivots',
  'delete from record_values where space_id = :spaceId and collection_id = :collectionId',
);

export const deleteUniquePivots = statement<InCollection>(
  'delete-unique-pivots',
  'delete from record_uniques where space_id = :spaceId and collection_id = :collectionId',
);

/** Counts records up to `limit`, so a large collection is not counted through. */
export const countRecordsUpTo = statement<InCollection & { limit: number }, { n: number }>(
  'count-records-up-to',
  `select count(*)::int as n from (
     select 1 from records where space_id = :spaceId and collection_id = :collectionId limit :limit) r`,
);

/** The same function in a schema change's own transaction, for a collection small enough to re-index at once. */
export const resyncPivotsNow = statement<InCollection & { batch: number }>(
  'resync-pivots-now',
  'select portico_pivot_resync_batch(:spaceId, :collectionId, null, :batch)',
);

/** Rebuilds the pivot rows of up to `batch` records after `afterRecordId`; returns the last one done, null at the end. */
export const resyncPivotBatch = statement<
  InCollection & { afterRecordId: string | null; batch: number },
  { last: string | null }
>(
  'resync-pivot-batch',
  '/* background */ select portico_pivot_resync_batch(:spaceId, :collectionId, :afterRecordId, :batch) as last',
);

export const setIndexState = statement<InCollection & { state: CollectionRow['index_state'] }>(
  'set-index-state',
  'update collections set index_state = :state where space_id = :spaceId and id = :collectionId',
);

/** Queues (or restarts from the beginning) the collection's background re-index. */
export const queueReindex = statement<InCollection>(
  'queue-reindex',
  `insert into collection_jobs (space_id, collection_id) values (:spaceId, :collectionId)
   on conflict (space_id, collection_id) do update set after_record_id = null, started_at = now(), updated_at = now()`,
);

export const deleteReindexJob = statement<InCollection>(
  'delete-reindex-job',
  'delete from collection_jobs where space_id = :spaceId and collection_id = :collectionId',
);

/** Re-index jobs and field conversions (field-conversion.queries.ts) share the background worker. */
export const anyReindexJob = statement(
  'any-reindex-job',
  '/* background */ (select 1 from collection_jobs limit 1) union all (select 1 from field_conversions limit 1) limit 1',
);

export interface ReindexJob {
  space_id: string;
  collection_id: string;
  after_record_id: string | null;
}

/**
 * The job least recently advanced, and its collection row too (NO KEY UPDATE: record
 * writes, which take KEY SHARE, go on), so a schema change of it waits for this batch
 * or is skipped, never crossing it.
 */
export const takeReindexJob = statement<Record<string, never>, ReindexJob>(
  'take-reindex-job',
  `/* background */ select j.space_id, j.collection_id, j.after_record_id
     from collection_jobs j join collections c on c.space_id = j.space_id and c.id = j.collection_id
    order by j.updated_at limit 1
      for update of j skip locked
      for no key update of c skip locked`,
);

export const advanceReindexJob = statement<InCollection & { afterRecordId: string }>(
  'advance-reindex-job',
  `/* background */ update collection_jobs set after_record_id = :afterRecordId, updated_at = now()
    where space_id = :spaceId and collection_id = :collectionId`,
);

/** A collection's current data key, wrapped (field-crypto.ts). */
export const collectionKey = statement<
  { spaceId: string; collectionId: string },
  { wrapped: Buffer; master_version: string; generation: number }
>(
  'collection-key',
  `select wrapped, master_version, generation from collection_keys
    where space_id = :spaceId and collection_id = :collectionId order by generation desc limit 1`,
);

/** The first data key of a collection; a concurrent first use keeps the one stored first. */
export const insertCollectionKey = statement<{
  spaceId: string;
  collectionId: string;
  wrapped: Buffer;
  masterVersion: string;
}>(
  'insert-collection-key',
  `insert into collection_keys (space_id, collection_id, generation, wrapped, master_version)
   values (:spaceId, :collectionId, 1, :wrapped, :masterVersion) on conflict do nothing`,
);
