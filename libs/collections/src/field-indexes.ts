import { createHash } from 'node:crypto';
import { EntityManager } from '@mikro-orm/postgresql';
import { conflict } from '@app/common';
import { indexExpression } from './expressions';
import { FieldDef, NAME } from './fields';

/**
 * Per-field indexes of a collection's records, all partial on its collection id and
 * leading with space_id: a unique expression index for each unique field (the
 * database decides uniqueness), and a (space_id, value, id) index for each orderable
 * field, which serves sorted, keyset-paginated lists and range filters.
 */
const UUID = /^[0-9a-f-]{36}$/;

function indexName(kind: 'uq' | 'ix', collectionId: string, field: string): string {
  return `records_${kind}_${createHash('sha256').update(`${collectionId}:${field}`).digest('hex').slice(0, 40)}`;
}

/**
 * DDL takes no parameters; both parts are checked here (a generated uuid and a
 * field name matching ^[a-z][a-z0-9_]{0,62}$), so nothing a caller typed reaches SQL raw.
 */
function assertSafe(collectionId: string, field: string): void {
  if (!UUID.test(collectionId) || !NAME.test(field)) throw new Error('unsafe identifier');
}

async function createUnique(em: EntityManager, spaceId: string, collectionId: string, field: string): Promise<void> {
  const [{ n }] = await em.execute<{ n: number }[]>(
    `select count(*)::int as n from (select data->>? as v from records where space_id = ? and collection_id = ? and (data->?) is not null
       group by 1 having count(*) > 1) d`,
    [field, spaceId, collectionId, field],
  );
  if (n > 0) throw conflict(`"${field}" cannot become unique: ${n} values occur more than once.`, [{ field, message: `${n} duplicated values` }]);
  await em.execute(`create unique index ${indexName('uq', collectionId, field)} on records (space_id, (data->>'${field}')) where collection_id = '${collectionId}'`);
}

/** Brings a field's indexes from its old definition to its new one (either may be absent). */
export async function syncFieldIndexes(em: EntityManager, spaceId: string, collectionId: string, before?: FieldDef, after?: FieldDef): Promise<void> {
  for (const f of [before, after]) if (f) assertSafe(collectionId, f.name);
  const renamed = before && after && before.name !== after.name;
  const sortBefore = before && indexExpression(before);
  const sortAfter = after && indexExpression(after);
  if (sortBefore && (renamed || sortBefore !== sortAfter)) await em.execute(`drop index if exists ${indexName('ix', collectionId, before!.name)}`);
  if (sortAfter && (!before || renamed || sortBefore !== sortAfter)) {
    await em.execute(`create index ${indexName('ix', collectionId, after!.name)} on records (space_id, ${sortAfter}, id) where collection_id = '${collectionId}'`);
  }
  if (before?.unique && (!after?.unique || renamed)) await em.execute(`drop index if exists ${indexName('uq', collectionId, before.name)}`);
  if (after?.unique && (!before?.unique || renamed)) await createUnique(em, spaceId, collectionId, after.name);
}

/** Which unique field a violated index belongs to, for a 409 naming it. */
export function uniqueFieldOf(constraint: string | undefined, collectionId: string, fields: readonly string[]): string | undefined {
  return fields.find((f) => constraint === indexName('uq', collectionId, f));
}
