import { Injectable } from '@nestjs/common';
import { EntityManager, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { conflict, forbidden, isUuid, notFound, Principal, uuidv7 } from '@app/common';
import type { RecordRow } from './record-row';
import { SpaceAccessService } from '@app/spaces';
import { HotQueries } from '@app/database';
import { actorOf, AuditWriter, diff } from '@app/audit';
import { CollectionAccess, OpenCollection } from './collection-access';
import { CollectionRow, toCollectionDto } from './collection-row';
import {
  collectionByName,
  collectionsOfSpace,
  collectionWithRecord,
  deleteCollection,
  insertCollection,
  lockCollectionByName,
  updateCollection,
} from './collections.queries';
import { CollectionDto, CreateCollectionDto, UpdateCollectionDto } from './dto/collection.dto';
import { checkedFields } from './checked-fields';
import { SchemaChanges } from './schema-changes';
import { dropPivots, pausePivots } from './pivots';

const collectionNotFound = () => notFound('The collection does not exist.');
const MAX_SCHEMAS = 10_000;

function assertVisible(access: CollectionAccess, name: string): void {
  if (!access.can('read') && !access.can('admin'))
    throw forbidden(`This credential may not read records of "${name}".`);
}

@Injectable()
export class CollectionsService {
  constructor(
    private readonly em: EntityManager,
    private readonly spaces: SpaceAccessService,
    private readonly changes: SchemaChanges,
    private readonly audit: AuditWriter,
    private readonly hot: HotQueries,
  ) {}

  /** Collection rows by space and name, as last read here (bounded; the oldest goes first). */
  private readonly schemas = new Map<string, CollectionRow>();

  /**
   * Resolves a collection for the caller. Not there: 404. There, in a space the
   * caller belongs to, but neither readable nor administrable by it: 403 (a valid
   * credential without the permission). Another tenant's space is 404 before this
   * (SpaceAccessService), so nothing leaks across tenants.
   */
  async open(principal: Principal, spaceId: string, name: string): Promise<OpenCollection> {
    const access = await this.access(principal, spaceId, name);
    const row = await collectionByName.first(this.em, { spaceId, name });
    if (!row) {
      this.forgetSchema(spaceId, name);
      throw collectionNotFound();
    }
    assertVisible(access, name);
    this.rememberSchema(spaceId, name, row);
    return { row, access };
  }

  /**
   * `open` from the collection row this instance read last, when it has one (`cached`):
   * for record writes, which carry the row's version as a guard in their statement and
   * come back for a fresh row when it no longer matches (records.service.ts). A schema
   * changed by another instance is caught by that guard; one changed here is forgotten.
   */
  async openCached(principal: Principal, spaceId: string, name: string): Promise<OpenCollection & { cached: boolean }> {
    const row = this.schemas.get(`${spaceId}/${name}`);
    if (!row) return { ...(await this.open(principal, spaceId, name)), cached: false };
    const access = await this.access(principal, spaceId, name);
    assertVisible(access, name);
    return { row, access, cached: true };
  }

  forgetSchema(spaceId: string, name: string): void {
    this.schemas.delete(`${spaceId}/${name}`);
  }

  private rememberSchema(spaceId: string, name: string, row: CollectionRow): void {
    if (this.schemas.size >= MAX_SCHEMAS) this.schemas.delete(this.schemas.keys().next().value!);
    this.schemas.set(`${spaceId}/${name}`, row);
  }

  /** `open` and the record `id` in one statement: the hot read path (get by id) costs one query. */
  async openWithRecord(
    principal: Principal,
    spaceId: string,
    name: string,
    id: string,
  ): Promise<OpenCollection & { record?: RecordRow }> {
    const access = await this.access(principal, spaceId, name);
    const rows = await this.hot.rows(collectionWithRecord, { spaceId, name, recordId: isUuid(id) ? id : null });
    if (!rows[0]) throw collectionNotFound();
    assertVisible(access, name);
    const { r_id, r_data, r_created_at, r_updated_at, ...row } = rows[0];
    // Fresh on every get: lists and writes that follow start from it.
    this.rememberSchema(spaceId, name, row);
    return {
      row,
      access,
      record: r_id ? { id: r_id, data: r_data, created_at: r_created_at, updated_at: r_updated_at } : undefined,
    };
  }

  /** What the caller may do with the collection (checked against it once it is known to exist). */
  private async access(principal: Principal, spaceId: string, name: string): Promise<CollectionAccess> {
    return CollectionAccess.resolve(await this.spaces.resolve(principal, spaceId), name);
  }

  async create(principal: Principal, spaceId: string, dto: CreateCollectionDto): Promise<CollectionDto> {
    await this.spaces.authorize(principal, spaceId, 'collections.manage');
    const fields = checkedFields(dto.fields, 'fields');
    try {
      const row = await this.em.transactional(async (em) => {
        const [created] = await insertCollection.rows(em, {
          spaceId,
          id: uuidv7(),
          name: dto.name,
          description: dto.description ?? null,
          fieldsJson: JSON.stringify(fields),
        });
        await this.audit.append(em, {
          spaceId,
          actor: actorOf(principal),
          action: 'collection.create',
          resource: { type: 'collection', id: created.id, collection: created.name },
          changes: { fields: [null, created.fields], description: [null, created.description] },
        });
        return created;
      });
      return toCollectionDto(row);
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException)
        throw conflict(`A collection named "${dto.name}" already exists.`);
      throw error;
    }
  }

  /** The collections the caller may read (keys see only their grants). */
  async list(principal: Principal, spaceId: string): Promise<{ data: CollectionDto[]; next_cursor: null }> {
    const space = await this.spaces.resolve(principal, spaceId);
    const rows = await collectionsOfSpace.rows(this.em, { spaceId });
    const visible = rows.filter((r) => CollectionAccess.resolve(space, r.name).can('read'));
    return { data: visible.map(toCollectionDto), next_cursor: null };
  }

  async get(principal: Principal, spaceId: string, name: string): Promise<CollectionDto> {
    return toCollectionDto((await this.open(principal, spaceId, name)).row);
  }

  async update(principal: Principal, spaceId: string, name: string, dto: UpdateCollectionDto): Promise<CollectionDto> {
    const { access } = await this.open(principal, spaceId, name);
    if (!access.can('admin')) throw forbidden(`This credential may not change the schema of "${name}".`);
    const row = await this.em.transactional(async (em) => {
      const current = await lockCollectionByName.first(em, { spaceId, name });
      if (!current) throw collectionNotFound();
      const fields = await this.changes.apply(em, current, dto);
      const [updated] = await updateCollection.rows(em, {
        spaceId,
        id: current.id,
        fieldsJson: JSON.stringify(fields),
        setDescription: dto.description !== undefined,
        description: dto.description ?? null,
      });
      updated.index_state = await this.changes.reindex(em, current);
      await this.audit.append(em, {
        spaceId,
        actor: actorOf(principal),
        action: 'collection.update',
        resource: { type: 'collection', id: current.id, collection: name },
        changes: diff(
          { fields: current.fields, description: current.description },
          { fields: updated.fields, description: updated.description },
        ),
        metadata: { version: updated.version },
      });
      return updated;
    });
    this.forgetSchema(spaceId, name);
    return toCollectionDto(row);
  }

  async remove(principal: Principal, spaceId: string, name: string): Promise<void> {
    await this.open(principal, spaceId, name);
    await this.spaces.authorize(principal, spaceId, 'collections.manage');
    // Records go with it (ON DELETE CASCADE), their pivot rows in two set deletes.
    await this.em.transactional(async (em) => {
      await pausePivots(em);
      const row = await deleteCollection.first(em, { spaceId, name });
      if (!row) return;
      await dropPivots(em, spaceId, row.id);
      // The records go by cascade: one entry for the collection, with how many records went with it.
      await this.audit.append(em, {
        spaceId,
        actor: actorOf(principal),
        action: 'collection.delete',
        resource: { type: 'collection', id: row.id, collection: name },
        changes: { fields: [row.fields, null] },
        metadata: { records_deleted: row.records },
      });
    });
    this.forgetSchema(spaceId, name);
  }
}
