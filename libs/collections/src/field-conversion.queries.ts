import { statement } from '@app/database';
import type { CollectionRow } from './collection-row';

/** The statements of field conversions (migration 18, field-converter.ts). */

type InField = { spaceId: string; collectionId: string; field: string };

/** Records holding a value of `field`: the size of a conversion. */
export const countFieldValues = statement<InField, { n: number }>(
  'count-field-values',
  `select count(*)::int as n from records
    where space_id = :spaceId and collection_id = :collectionId and (data->>:field) is not null`,
);

export const insertFieldConversion = statement<InField & { encrypt: boolean }>(
  'insert-field-conversion',
  `insert into field_conversions (space_id, collection_id, field, encrypt) values (:spaceId, :collectionId, :field, :encrypt)`,
);

export const deleteFieldConversion = statement<InField>(
  'delete-field-conversion',
  `delete from field_conversions where space_id = :spaceId and collection_id = :collectionId and field = :field`,
);

export interface FieldConversionJob {
  space_id: string;
  collection_id: string;
  field: string;
  encrypt: boolean;
  after_record_id: string | null;
  started_at: string;
  collection: CollectionRow;
}

/**
 * The conversion least recently advanced, with its collection row (locked NO KEY UPDATE:
 * record writes, which take KEY SHARE, go on; a schema change of it waits for this batch
 * or is skipped). SKIP LOCKED: instances share the work and never wait on each other.
 */
export const takeFieldConversion = statement<Record<string, never>, FieldConversionJob>(
  'take-field-conversion',
  `/* background */ select j.space_id, j.collection_id, j.field, j.encrypt, j.after_record_id, j.started_at, to_jsonb(c) as collection
     from field_conversions j join collections c on c.space_id = j.space_id and c.id = j.collection_id
    order by j.updated_at limit 1
      for update of j skip locked
      for no key update of c skip locked`,
);

/** The next records in id order, locked (a concurrent write of one waits for the batch, then writes over it). */
export const conversionBatch = statement<
  InField & { afterRecordId: string | null; batch: number },
  { id: string; v: unknown }
>(
  'conversion-batch',
  `/* background */ select id, data->:field as v from records
    where space_id = :spaceId and collection_id = :collectionId and (cast(:afterRecordId as uuid) is null or id > cast(:afterRecordId as uuid))
    order by id limit :batch for update`,
);

/**
 * Values of `field` anywhere in the collection still in the old form (`sealed`: the
 * shape of a sealed value, when converting to clear), locked: the last look before a
 * conversion ends.
 */
export const stragglers = statement<InField & { sealed: boolean; batch: number }, { id: string; v: unknown }>(
  'conversion-stragglers',
  `/* background */ select id, data->:field as v from records
    where space_id = :spaceId and collection_id = :collectionId and (data->>:field) is not null
      and coalesce(jsonb_typeof(data->:field->'c') = 'string' and jsonb_typeof(data->:field->'b') = 'string', false) = :sealed
    limit :batch for update`,
);

export const advanceFieldConversion = statement<InField & { afterRecordId: string; fieldsJson: string }>(
  'advance-field-conversion',
  `/* background */ with job as (
       update field_conversions set after_record_id = :afterRecordId, updated_at = now()
        where space_id = :spaceId and collection_id = :collectionId and field = :field)
     update collections set fields = cast(:fieldsJson as jsonb) where space_id = :spaceId and id = :collectionId`,
);

/** The last batch: the field loses its marker (a new schema version) and the job ends. */
export const finishFieldConversion = statement<InField & { fieldsJson: string }>(
  'finish-field-conversion',
  `/* background */ with job as (
       delete from field_conversions where space_id = :spaceId and collection_id = :collectionId and field = :field)
     update collections set fields = cast(:fieldsJson as jsonb), version = version + 1, updated_at = now()
      where space_id = :spaceId and id = :collectionId`,
);

/** A batch that failed is put at the back of the queue, so other jobs go on. */
export const postponeFieldConversion = statement<InField>(
  'postpone-field-conversion',
  `/* background */ update field_conversions set updated_at = now()
    where space_id = :spaceId and collection_id = :collectionId and field = :field`,
);
