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

/** Rebuilds one collection's pivot rows from its records and current field definitions. */
export async function resyncPivots(em: EntityManager, spaceId: string, collectionId: string): Promise<void> {
  await em.execute('select portico_pivot_resync(?, ?)', [spaceId, collectionId]);
}

/** Drops one collection's pivot rows (its records go by cascade, with the trigger paused). */
export async function dropPivots(em: EntityManager, spaceId: string, collectionId: string): Promise<void> {
  await em.execute('delete from record_values where space_id = ? and collection_id = ?', [spaceId, collectionId]);
  await em.execute('delete from record_uniques where space_id = ? and collection_id = ?', [spaceId, collectionId]);
}

/** 409 with the count when `field`'s current values are not unique (before it becomes unique). */
export async function assertUniqueValues(em: EntityManager, spaceId: string, collectionId: string, field: string): Promise<void> {
  const [{ n }] = await em.execute<{ n: number }[]>(
    `select count(*)::int as n from (select data->>? as v from records where space_id = ? and collection_id = ? and (data->>?) is not null
       group by 1 having count(*) > 1) d`,
    [field, spaceId, collectionId, field],
  );
  if (n > 0) throw conflict(`"${field}" cannot become unique: ${n} values occur more than once.`, [{ field, message: `${n} duplicated values` }]);
}

/** The unique field a refused write collided on: the trigger names it in the error's `column`. */
export function uniqueFieldOf(error: unknown): string | undefined {
  const e = error as { constraint?: string; column?: string };
  return e.constraint === 'record_uniques_pkey' ? e.column : undefined;
}
