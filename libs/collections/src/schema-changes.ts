import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { badRequest, conflict, FieldError, isIdentifier } from '@app/common';
import { CollectionRow } from './collection-row';
import { checkedFields } from './checked-fields';
import { convertValue } from './convert';
import { FieldDef, normaliseFieldDef, SYSTEM_FIELDS } from './fields';
import { assertUniqueValues, pausePivots, reindexCollection } from './pivots';
import { CollectionIndexer } from './collection-indexer';
import { APP_CONFIG, AppConfig } from '@app/config';
import { UpdateCollectionDto } from './dto/collection.dto';
import { fieldValues, removeFieldValues, renameFieldValues, setFieldValues } from './collections.queries';
import { countFieldValues, deleteFieldConversion, insertFieldConversion } from './field-conversion.queries';

/**
 * Evolves a live collection inside the caller's transaction: existing records are
 * rewritten to match (dropped, renamed, converted, defaulted), or the change is
 * refused with 409 and the number of records in the way. Records never become
 * unreadable under their schema.
 */
@Injectable()
export class SchemaChanges {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly indexer: CollectionIndexer,
  ) {}

  async apply(em: EntityManager, current: CollectionRow, body: UpdateCollectionDto): Promise<FieldDef[]> {
    const dto = body.fields === undefined ? body : declarative(current.fields, body);
    let fields = [...current.fields];
    const scope = { spaceId: current.space_id, collectionId: current.id };
    const errors: FieldError[] = [];
    const has = (name: string) => fields.some((f) => f.name === name);

    for (const [i, name] of (dto.remove_fields ?? []).entries()) {
      if (typeof name !== 'string' || !has(name))
        errors.push({ field: `remove_fields[${i}]`, message: `no field "${String(name)}"` });
    }
    for (const [from, to] of Object.entries(dto.rename_fields ?? {})) {
      if (!has(from)) errors.push({ field: `rename_fields.${from}`, message: `no field "${from}"` });
      else if (!isIdentifier(to) || (SYSTEM_FIELDS as readonly string[]).includes(to))
        errors.push({ field: `rename_fields.${from}`, message: 'is not a valid new name' });
      else if (has(to)) errors.push({ field: `rename_fields.${from}`, message: `"${to}" already exists` });
    }
    if (errors.length) throw badRequest('The schema change is invalid.', errors, 'validation-error');
    // Rewrites below would each re-index their records; the collection is re-indexed once instead (resync).
    await pausePivots(em);

    for (const name of dto.remove_fields ?? []) {
      await removeFieldValues.rows(em, { ...scope, field: name });
      await deleteFieldConversion.rows(em, { ...scope, field: name });
      fields = fields.filter((f) => f.name !== name);
    }
    for (const [from, to] of Object.entries(dto.rename_fields ?? {})) {
      const renamed = fields.find((f) => f.name === from)!;
      if (renamed.converting) throw converting(from);
      // Sealed values are bound to their field's name: a rename would need them re-sealed.
      if (renamed.encrypted) await this.refuseIfValued(em, current, from, 'rename');
      await renameFieldValues.rows(em, { ...scope, from, to });
      fields = fields.map((f) => (f.name === from ? { ...f, name: to } : f));
    }
    if (dto.update_fields) {
      const updates = checkedFields(dto.update_fields, 'update_fields');
      updates.forEach((u, i) => {
        if (!has(u.name)) errors.push({ field: `update_fields[${i}].name`, message: `no field "${u.name}"` });
      });
      if (errors.length) throw badRequest('The schema change is invalid.', errors, 'validation-error');
      for (const next of updates) {
        const before = fields.find((f) => f.name === next.name)!;
        if (before.converting) throw converting(next.name);
        const stored = before.encrypted !== next.encrypted ? await this.convert(em, current, next, before) : next;
        if (stored === next) await this.rewrite(em, current, next, before);
        if (next.unique && !before.unique) await assertUniqueValues(em, current.space_id, current.id, next.name);
        fields = fields.map((f) => (f.name === next.name ? stored : f));
      }
    }
    if (dto.add_fields) {
      const added = checkedFields(dto.add_fields, 'add_fields');
      added.forEach((a, i) => {
        if (has(a.name) || added.findIndex((b) => b.name === a.name) !== i)
          errors.push({ field: `add_fields[${i}].name`, message: `"${a.name}" already exists` });
      });
      if (errors.length) throw badRequest('The schema change is invalid.', errors, 'validation-error');
      for (const field of added) {
        await this.rewrite(em, current, field);
        if (field.unique) await assertUniqueValues(em, current.space_id, current.id, field.name);
        fields.push(field);
      }
    }
    // The declarative form also sets the order.
    if (body.fields !== undefined) fields = orderLike(fields, body.fields as FieldDef[]);
    return fields;
  }

  /**
   * Turning encryption on or off for a field that holds values: the field is stored marked
   * `converting`, and a job converts its values in the background (field-converter.ts),
   * so the change commits at once whatever the collection's size. Anything else changed
   * in the same definition would have to apply to values in both forms: 409.
   */
  private async convert(
    em: EntityManager,
    current: CollectionRow,
    next: FieldDef,
    before: FieldDef,
  ): Promise<FieldDef> {
    const scope = { spaceId: current.space_id, collectionId: current.id, field: next.name };
    const total = (await countFieldValues.first(em, scope))?.n ?? 0;
    if (total === 0) return next;
    const rest = (f: FieldDef) => JSON.stringify({ ...normaliseFieldDef(f), encrypted: undefined });
    if (rest(next) !== rest(before))
      throw conflict(
        `${total} record(s) hold values of "${next.name}": turn its encryption on or off in a change of its own, then change the rest.`,
        [{ field: next.name, message: 'change encryption on its own' }],
      );
    await insertFieldConversion.rows(em, { ...scope, encrypt: Boolean(next.encrypted) });
    // The job commits with the change; the worker's next look finds it.
    this.indexer.wake();
    return { ...next, converting: { converted: 0, total } };
  }

  /** 409 with the count when records hold values of an encrypted field that `what` would have to re-seal. */
  private async refuseIfValued(em: EntityManager, current: CollectionRow, field: string, what: string): Promise<void> {
    const rows = await fieldValues.rows(em, { spaceId: current.space_id, collectionId: current.id, field });
    const n = rows.filter((r) => r.v !== null && r.v !== undefined).length;
    if (n > 0)
      throw conflict(
        `${n} record(s) hold values of "${field}": to ${what} an encrypted field with values is not available yet.`,
        [{ field, message: `${n} record(s) hold values` }],
      );
  }

  /** Converts every existing value of `field` to its (new) definition, fills defaults, or refuses with the count. */
  private async rewrite(em: EntityManager, current: CollectionRow, field: FieldDef, before?: FieldDef): Promise<void> {
    const scope = { spaceId: current.space_id, collectionId: current.id, field: field.name };
    if (field.encrypted || before?.encrypted) {
      // Sealed values are written by the records service (it holds the data key), not here.
      if (!before || before.type !== field.type)
        await this.refuseIfValued(em, current, field.name, before ? 'convert' : 'fill');
      if (field.encrypted && field.options?.default !== undefined && !before?.encrypted)
        await this.refuseIfAny(em, current, field.name);
      return this.requirePresent(em, current, field);
    }
    const rows = await fieldValues.rows(em, scope);
    const changed: { id: string; val: string }[] = [];
    let offending = 0;
    const fallback = field.options?.default;
    for (const { id, v } of rows) {
      if (v === null || v === undefined) {
        if (fallback !== undefined) changed.push({ id, val: JSON.stringify(fallback) });
        else if (field.required) offending++;
        continue;
      }
      const converted = convertValue(field, v);
      if (!converted.ok) offending++;
      else if (JSON.stringify(converted.value) !== JSON.stringify(v))
        changed.push({ id, val: JSON.stringify(converted.value) });
    }
    if (offending > 0) {
      throw conflict(`${offending} existing record(s) do not fit the new definition of "${field.name}".`, [
        { field: field.name, message: `${offending} record(s) do not convert` },
      ]);
    }
    for (let i = 0; i < changed.length; i += 1000) {
      await setFieldValues.rows(em, { ...scope, changesJson: JSON.stringify(changed.slice(i, i + 1000)) });
    }
  }

  /** A default for a new encrypted field would be written in clear into existing records. */
  private async refuseIfAny(em: EntityManager, current: CollectionRow, field: string): Promise<void> {
    const rows = await fieldValues.rows(em, { spaceId: current.space_id, collectionId: current.id, field });
    if (rows.length > 0)
      throw conflict(
        `${rows.length} existing record(s) would need a default for the encrypted field "${field}", which is not available yet; add it without a default.`,
        [{ field, message: `${rows.length} record(s) would need a default` }],
      );
  }

  /** A required (encrypted) field: every existing record must already hold a value. */
  private async requirePresent(em: EntityManager, current: CollectionRow, field: FieldDef): Promise<void> {
    if (!field.required) return;
    const rows = await fieldValues.rows(em, { spaceId: current.space_id, collectionId: current.id, field: field.name });
    const missing = rows.filter((r) => r.v === null || r.v === undefined).length;
    if (missing > 0)
      throw conflict(`${missing} existing record(s) do not fit the new definition of "${field.name}".`, [
        { field: field.name, message: `${missing} record(s) have no value` },
      ]);
  }

  /** Call once the collection row holds the new definitions: re-indexes its records by them (inline or in the background). */
  async reindex(em: EntityManager, current: CollectionRow): Promise<'ready' | 'indexing'> {
    const state = await reindexCollection(em, current.space_id, current.id, this.config.storage.reindexInlineMax);
    // The job commits with the change; the indexer's next look finds it.
    if (state === 'indexing') this.indexer.wake();
    return state;
  }
}

const converting = (field: string) =>
  conflict(
    `"${field}" is being converted to or from encryption: change it when that ends (see the collection's conversions).`,
    [{ field, message: 'is being converted' }],
  );

/**
 * The declarative `fields` turned into the operation form: fields absent from it are
 * removed, new names added, changed definitions updated. Renames (by their old names in
 * `rename_fields`) apply first, so a renamed field is matched under its new name.
 */
function declarative(current: FieldDef[], dto: UpdateCollectionDto): UpdateCollectionDto {
  const mixed = (['add_fields', 'update_fields', 'remove_fields'] as const).filter((k) => dto[k] !== undefined);
  if (mixed.length) {
    throw badRequest(
      'Send either the full `fields` list or the operation form, not both.',
      mixed.map((k) => ({ field: k, message: 'cannot be combined with fields' })),
      'validation-error',
    );
  }
  const desired = checkedFields(dto.fields, 'fields');
  const renames = dto.rename_fields ?? {};
  const renamed = current.map((f) => ({ original: f.name, field: { ...f, name: renames[f.name] ?? f.name } }));
  const wanted = new Map(desired.map((f) => [f.name, f]));
  const existing = new Map(renamed.map((r) => [r.field.name, r.field]));
  const same = (a: FieldDef, b: FieldDef) =>
    JSON.stringify(normaliseFieldDef(a)) === JSON.stringify(normaliseFieldDef(b));
  return {
    description: dto.description,
    rename_fields: dto.rename_fields,
    remove_fields: renamed.filter((r) => !wanted.has(r.field.name)).map((r) => r.original),
    update_fields: desired.filter((f) => existing.has(f.name) && !same(existing.get(f.name)!, f)),
    add_fields: desired.filter((f) => !existing.has(f.name)),
  };
}

/** `fields` in the order of `desired` (every name in one is in the other by now). */
function orderLike(fields: FieldDef[], desired: FieldDef[]): FieldDef[] {
  const position = new Map(desired.map((f, i) => [f.name, i]));
  return [...fields].sort((a, b) => (position.get(a.name) ?? 0) - (position.get(b.name) ?? 0));
}
