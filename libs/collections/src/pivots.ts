import { EntityManager } from '@mikro-orm/postgresql';
import { conflict } from '@app/common';

/**
 * The pivot rows that index records (migration 8, docs/storage.md): `record_values` for
 * orderable fields, `record_uniques` for unique ones. Record writes maintain them by
 * trigger; schema changes switch the trigger off for their transaction and rebuild the
 * collection's rows once at the end. Nothing here runs DDL.
 */

/** For the rest of the transaction, record writes leave the pivot rows alone (a resync follows). */
export async function pausePivots(em: EntityManager): Promise<void> {
  await em.execute(`select set_config('portico.pivot', 'off', true)`);
}

/** Drops one collection's pivot rows (its records go by cascade, with the trigger paused). */
export async function dropPivots(em: EntityManager, spaceId: string, collectionId: string): Promise<void> {
  await em.execute('delete from record_values where space_id = ? and collection_id = ?', [spaceId, collectionId]);
  await em.execute('delete from record_uniques where space_id = ? and collection_id = ?', [spaceId, collectionId]);
}

/** 409 with the count when `field`'s current values are not unique (before it becomes unique). */
export async function assertUniqueValues(
  em: EntityManager,
  spaceId: string,
  collectionId: string,
  field: string,
): Promise<void> {
  const [{ n }] = await em.execute<{ n: number }[]>(
    `select count(*)::int as n from (select data->>? as v from records where space_id = ? and collection_id = ? and (data->>?) is not null
       group by 1 having count(*) > 1) d`,
    [field, spaceId, collectionId, field],
  );
  if (n > 0)
    throw conflict(`"${field}" cannot become unique: ${n} values occur more than once.`, [
      { field, message: `${n} duplicated values` },
    ]);
}

/** The unique field a refused write collided on: the trigger names it in the error's `column`. */
export function uniqueFieldOf(error: unknown): string | undefined {
  const e = error as { constraint?: string; column?: string };
  return e.constraint === 'record_uniques_pkey' ? e.column : undefined;
}

/**
 * After a schema change, once the collection row holds the new definitions: small
 * collections are re-indexed in the change's own transaction; larger ones are handed to
 * the background re-indexer (state 'indexing', position reset if a re-index was running).
 */
export async function reindexCollection(
  em: EntityManager,
  spaceId: string,
  collectionId: string,
  inlineMax: number,
): Promise<'ready' | 'indexing'> {
  const [{ n }] = await em.execute<{ n: number }[]>(
    'select count(*)::int as n from (select 1 from records where space_id = ? and collection_id = ? limit ?) r',
    [spaceId, collectionId, inlineMax + 1],
  );
  if (n <= inlineMax) {
    // One batch of the background re-indexer's function covers every record: one way to rebuild.
    await em.execute('select portico_pivot_resync_batch(?, ?, null, ?)', [spaceId, collectionId, inlineMax + 1]);
    await em.execute(`update collections set index_state = 'ready' where space_id = ? and id = ?`, [
      spaceId,
      collectionId,
    ]);
    await em.execute('delete from collection_jobs where space_id = ? and collection_id = ?', [spaceId, collectionId]);
    return 'ready';
  }
  await em.execute(`update collections set index_state = 'indexing' where space_id = ? and id = ?`, [
    spaceId,
    collectionId,
  ]);
  await em.execute(
    `insert into collection_jobs (space_id, collection_id) values (?, ?)
     on conflict (space_id, collection_id) do update set after_record_id = null, started_at = now(), updated_at = now()`,
    [spaceId, collectionId],
  );
  return 'indexing';
}
