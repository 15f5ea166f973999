import { EntityManager } from '@mikro-orm/postgresql';
import { conflict } from '@app/common';
import {
  countRecordsUpTo,
  deleteReindexJob,
  deleteUniquePivots,
  deleteValuePivots,
  duplicatedValues,
  pausePivotTrigger,
  queueReindex,
  resyncPivotsNow,
  setIndexState,
} from './collections.queries';

/**
 * The pivot rows that index records (migration 8, docs/storage.md): `record_values` for
 * orderable fields, `record_uniques` for unique ones. Record writes maintain them by
 * trigger; schema changes switch the trigger off for their transaction and rebuild the
 * collection's rows once at the end. Nothing here runs DDL.
 */

/** For the rest of the transaction, record writes leave the pivot rows alone (a resync follows). */
export async function pausePivots(em: EntityManager): Promise<void> {
  await pausePivotTrigger.rows(em, {});
}

/** Drops one collection's pivot rows (its records go by cascade, with the trigger paused). */
export async function dropPivots(em: EntityManager, spaceId: string, collectionId: string): Promise<void> {
  await deleteValuePivots.rows(em, { spaceId, collectionId });
  await deleteUniquePivots.rows(em, { spaceId, collectionId });
}

/** 409 with the count when `field`'s current values are not unique (before it becomes unique). */
export async function assertUniqueValues(
  em: EntityManager,
  spaceId: string,
  collectionId: string,
  field: string,
): Promise<void> {
  const n = (await duplicatedValues.first(em, { spaceId, collectionId, field }))?.n ?? 0;
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
  const scope = { spaceId, collectionId };
  const n = (await countRecordsUpTo.first(em, { ...scope, limit: inlineMax + 1 }))?.n ?? 0;
  if (n <= inlineMax) {
    // One batch of the background re-indexer's function covers every record: one way to rebuild.
    await resyncPivotsNow.rows(em, { ...scope, batch: inlineMax + 1 });
    await setIndexState.rows(em, { ...scope, state: 'ready' });
    await deleteReindexJob.rows(em, scope);
    return 'ready';
  }
  await setIndexState.rows(em, { ...scope, state: 'indexing' });
  await queueReindex.rows(em, scope);
  return 'indexing';
}
