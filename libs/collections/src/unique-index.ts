import { createHash } from 'node:crypto';
import { EntityManager } from '@mikro-orm/postgresql';
import { conflict } from '@app/common';
import { NAME } from './fields';

const UUID = /^[0-9a-f-]{36}$/;

/** One partial unique index per unique field, on (space_id, value) within the collection. */
function indexName(collectionId: string, field: string): string {
  return `records_uq_${createHash('sha256').update(`${collectionId}:${field}`).digest('hex').slice(0, 40)}`;
}

/**
 * DDL takes no parameters; both parts are checked here (a generated uuid and a
 * field name matching ^[a-z][a-z0-9_]{0,62}$), so nothing a caller typed reaches SQL raw.
 */
function assertSafe(collectionId: string, field: string): void {
  if (!UUID.test(collectionId) || !NAME.test(field)) throw new Error('unsafe identifier');
}

export async function createUniqueIndex(em: EntityManager, spaceId: string, collectionId: string, field: string): Promise<void> {
  assertSafe(collectionId, field);
  const [{ n }] = await em.execute<{ n: number }[]>(
    `select count(*)::int as n from (select data->>? as v from records where space_id = ? and collection_id = ? and (data->?) is not null
       group by 1 having count(*) > 1) d`,
    [field, spaceId, collectionId, field],
  );
  if (n > 0) throw conflict(`"${field}" cannot become unique: ${n} values occur more than once.`, [{ field, message: `${n} duplicated values` }]);
  await em.execute(
    `create unique index ${indexName(collectionId, field)} on records (space_id, (data->>'${field}')) where collection_id = '${collectionId}'`,
  );
}

export async function dropUniqueIndex(em: EntityManager, collectionId: string, field: string): Promise<void> {
  assertSafe(collectionId, field);
  await em.execute(`drop index if exists ${indexName(collectionId, field)}`);
}

/** Which unique field a violated index belongs to, for a 409 naming it. */
export function uniqueFieldOf(constraint: string | undefined, collectionId: string, fields: readonly string[]): string | undefined {
  return fields.find((f) => constraint === indexName(collectionId, f));
}
