import { Inject, Injectable } from '@nestjs/common';
import { EntityManager, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { SECRETS, Secrets } from '@app/config';
import {
  badRequest,
  conflict,
  DEFAULT_PAGE_SIZE,
  FieldError,
  forbidden,
  isUuid,
  JsonText,
  notFound,
  Page,
  Principal,
  ProblemException,
  uuidv7,
} from '@app/common';
import { actorOf, AuditEvent, AuditWriter, SqlPart } from '@app/audit';
import { HotQueries } from '@app/database';
import type { OpenCollection } from './collection-access';
import { CollectionsService } from './collections.service';
import { batchRecords, ListRecordsQueryDto } from './dto/record.dto';
import { queryField } from './expressions';
import { compileFilter } from './filter';
import { cursorValues, filterContext, guardedList, ListedRow, listQuery } from './records-query';
import { normaliseRecord } from './values';
import { pageJson, RECORD_COLUMNS, RecordRow, recordJson, toRecord } from './record-row';
import { encodeCursor } from './sort';
import { uniqueFieldOf } from './pivots';
import { CollectionKeyring } from './collection-keyring';
import type { FieldCipher } from './field-crypto';
import { revealRecord, sealedFields, sealValues, usesCipher } from './record-sealing';

/** Marks a write the version guard stopped: the schema it was checked against is not the current one. */
const STALE = Symbol('stale schema');
const SCHEMA_GUARD = 'exists (select 1 from collections where space_id = ? and id = ? and version = ?)';
const guard = (open: OpenCollection) => [open.row.space_id, open.row.id, open.row.version];

const MAX_BATCH = 1000;
const recordNotFound = () => notFound('The record does not exist.');

@Injectable()
export class RecordsService {
  constructor(
    private readonly em: EntityManager,
    private readonly collections: CollectionsService,
    private readonly audit: AuditWriter,
    private readonly keyring: CollectionKeyring,
    @Inject(SECRETS) private readonly secrets: Secrets,
    private readonly hot: HotQueries,
  ) {}

  /** The collection's cipher when it has encrypted fields (its data key, opened once per process). */
  private cipherOf(open: OpenCollection): Promise<FieldCipher | undefined> {
    return usesCipher(open.row) ? this.keyring.cipher(open.row.space_id, open.row.id) : Promise.resolve(undefined);
  }

  /** What the caller may see of a row: projected by its field rules, then opened. */
  private shown(
    open: OpenCollection,
    cipher: FieldCipher | undefined,
    row: RecordRow,
    only?: string[],
    written?: Record<string, unknown>,
  ): Record<string, unknown> {
    return revealRecord(cipher, open.row, open.access.project(toRecord(row), only), written);
  }

  /**
   * One statement: the change as a CTE named \`change\` (returning the record columns,
   * and \`old_data\` for updates and deletes), plus one audit entry per changed row
   * computed from it. The entry commits with the change at no extra round trip, and
   * a change that touches no row writes no entry.
   */
  private audited(
    change: SqlPart,
    principal: Principal,
    spaceId: string,
    open: OpenCollection,
    action: string,
    diff: { old: string; new: string },
    metadata?: Record<string, unknown>,
    select = RECORD_COLUMNS,
    order = '',
  ): SqlPart {
    const hidden = JSON.stringify(open.row.fields.filter((f) => f.sensitive).map((f) => f.name));
    const encrypted = JSON.stringify(sealedFields(open.row));
    const event: Omit<AuditEvent, 'changes'> = {
      spaceId,
      actor: actorOf(principal),
      action,
      resource: { type: 'record', collection: open.row.name },
      metadata,
    };
    const entry = this.audit.insertFrom('change', event, {
      id: 'change.id::text',
      changes: {
        sql: `nullif(audit_diff(${diff.old}, ${diff.new}, cast(? as jsonb), cast(? as jsonb)), '{}'::jsonb)`,
        params: [hidden, encrypted],
      },
    });
    return {
      sql: `with ${change.sql}, audit as (${entry.sql}) select ${select} from change${order}`,
      params: [...change.params, ...entry.params],
    };
  }

  /** An audited statement (autocommit): once it has written entries, the space's chain links them soon. */
  private async run<R = RecordRow>(part: SqlPart, spaceId: string): Promise<R[]> {
    const rows = await this.hot.query<R>(part.sql, part.params);
    if (rows.length) this.audit.committed(spaceId);
    return rows;
  }

  /** `?fields=a,b`: known, readable fields only. */
  private projection(open: OpenCollection, raw: string | undefined): string[] | undefined {
    if (!raw) return undefined;
    const names = raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const bad = names.filter((n) => !queryField(open.row.fields, n) || !open.access.readable(n));
    if (bad.length)
      throw badRequest(
        'Unknown or unreadable fields in `fields`.',
        bad.map((n) => ({ field: 'fields', message: `cannot return "${n}"` })),
      );
    return names;
  }

  /**
   * A page of records. From the collection row this instance read last (one statement:
   * the list carries the row's version and index state as a guard, see `guardedList`),
   * or, when there is none, when the guard finds it stale, or when the request fails
   * against it (a field added elsewhere), from a fresh read.
   */
  async list(
    principal: Principal,
    spaceId: string,
    name: string,
    query: ListRecordsQueryDto,
  ): Promise<Page<Record<string, unknown>> | JsonText> {
    return this.againIfStale(principal, spaceId, name, (open) => this.page(open, query, open.cached));
  }

  private async page(
    open: OpenCollection,
    query: ListRecordsQueryDto,
    guarded: boolean,
  ): Promise<Page<Record<string, unknown>> | JsonText | typeof STALE> {
    open.access.require('read');
    const only = this.projection(open, query.fields);
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const cipher = await this.cipherOf(open);
    // Records shown as stored are printed by Postgres (no parse, no stringify here).
    const asText = !cipher && open.access.showsAll(only);
    const list = listQuery(open, query, limit, this.secrets.pepper, cipher, asText);
    const { sql, params } = guarded ? guardedList(open, list) : list;
    let rows = await this.hot.inline<ListedRow>(sql, params);
    if (guarded) {
      const head = rows[0];
      if (!head || head._v !== open.row.version || head._s !== open.row.index_state) return STALE;
      // An empty page is the one row of nulls the outer join leaves.
      if ((asText ? head.json : head.id) === null) rows = [];
    }
    const more = rows.length > limit;
    const page = more ? rows.slice(0, limit) : rows;
    const next = more
      ? encodeCursor(this.secrets.pepper, list.ordering.spec, cursorValues(page[page.length - 1], list.ordering))
      : null;
    if (asText) return new JsonText(pageJson(page, next));
    return { data: page.map((r) => this.shown(open, cipher, r, only)), next_cursor: next };
  }

  async get(
    principal: Principal,
    spaceId: string,
    name: string,
    id: string,
    fields?: string,
  ): Promise<Record<string, unknown>> {
    const open = await this.collections.openWithRecord(principal, spaceId, name, id);
    open.access.require('read');
    const only = this.projection(open, fields);
    if (!open.record) throw recordNotFound();
    return this.shown(open, await this.cipherOf(open), open.record, only);
  }

  /** 403 naming every field the caller may not write. */
  private assertWritable(open: OpenCollection, body: unknown): void {
    if (typeof body !== 'object' || body === null) return;
    const denied = Object.keys(body).filter((k) => queryField(open.row.fields, k) && !open.access.writable(k));
    if (denied.length) throw forbidden(`This credential may not write ${denied.map((d) => `"${d}"`).join(', ')}.`);
  }

  private validated(
    open: OpenCollection,
    body: unknown,
    mode: 'create' | 'patch',
    prefix = '',
  ): { values: Record<string, unknown>; removed: string[] } {
    this.assertWritable(open, body);
    const { values, removed, errors } = normaliseRecord(open.row.fields, body, mode);
    if (errors.length) {
      throw badRequest(
        'The record is invalid.',
        errors.map((e) => ({ field: prefix + e.field, message: e.message })),
        'validation-error',
      );
    }
    const converting = open.row.fields.find((f) => f.unique && f.converting && values[f.name] != null);
    if (converting)
      // Sealed and clear values hash differently: a new value could not be checked against both forms.
      throw new ProblemException(409, {
        type: 'field-converting',
        detail: `"${converting.name}" is unique and being converted to or from encryption; it can be written when the conversion ends (see the collection's conversions).`,
        errors: [{ field: prefix + converting.name, message: 'is being converted' }],
      });
    return { values, removed };
  }

  private uniqueConflict(open: OpenCollection, error: unknown): never {
    if (!(error instanceof UniqueConstraintViolationException)) throw error;
    const field = uniqueFieldOf(error);
    throw conflict(
      field ? `Another record already has this "${field}".` : 'A unique field value is taken.',
      field ? [{ field, message: 'is already taken' }] : undefined,
    );
  }

  async create(principal: Principal, spaceId: string, name: string, body: unknown): Promise<Record<string, unknown>> {
    return this.againIfStale(principal, spaceId, name, async (open) => {
      open.access.require('write');
      const { values } = this.validated(open, body, 'create');
      const cipher = await this.cipherOf(open);
      const id = uuidv7();
      try {
        const change = {
          sql: `change as (insert into records (space_id, collection_id, id, data) select ?, ?, ?, cast(? as jsonb) where ${SCHEMA_GUARD} returning ${RECORD_COLUMNS})`,
          params: [
            spaceId,
            open.row.id,
            id,
            JSON.stringify(cipher ? sealValues(cipher, open.row, id, values) : values),
            ...guard(open),
          ],
        };
        const [row] = await this.run(
          this.audited(change, principal, spaceId, open, 'record.create', { old: 'null', new: 'change.data' }),
          spaceId,
        );
        return row ? this.shown(open, cipher, row, undefined, values) : STALE;
      } catch (error) {
        this.uniqueConflict(open, error);
      }
    });
  }

  /**
   * A record write or list against the collection row this instance read last, with that
   * row's version as a guard in the statement (one statement each, like the get by id).
   * When the guard stops it (the schema changed elsewhere, or the collection went), or the
   * request fails against it with a 400, it runs once more against a fresh read,
   * answering as it would have.
   */
  private async againIfStale<T>(
    principal: Principal,
    spaceId: string,
    name: string,
    write: (open: OpenCollection & { cached: boolean }) => Promise<T | typeof STALE>,
  ): Promise<T> {
    const remembered = await this.collections.openCached(principal, spaceId, name);
    let first: T | typeof STALE;
    try {
      first = await write(remembered);
    } catch (error) {
      // A body checked against a remembered schema may name a field added elsewhere since.
      if (!remembered.cached || !(error instanceof ProblemException) || error.getStatus() !== 400) throw error;
      first = STALE;
    }
    if (first !== STALE) return first;
    this.collections.forgetSchema(spaceId, name);
    const second = await write({ ...(await this.collections.open(principal, spaceId, name)), cached: false });
    if (second === STALE) throw conflict('The collection changed while this request ran; send it again.');
    return second;
  }

  /** Up to 1000 records in one statement: all are stored, or none. */
  async createMany(
    principal: Principal,
    spaceId: string,
    name: string,
    body: unknown,
  ): Promise<{ data: Record<string, unknown>[] } | JsonText> {
    const records = batchRecords(body);
    return this.againIfStale(principal, spaceId, name, (open) => this.insertMany(principal, spaceId, open, records));
  }

  private async insertMany(
    principal: Principal,
    spaceId: string,
    open: OpenCollection,
    records: unknown[],
  ): Promise<{ data: Record<string, unknown>[] } | JsonText | typeof STALE> {
    open.access.require('write');
    if (records.length === 0 || records.length > MAX_BATCH)
      throw badRequest(`Send 1–${MAX_BATCH} records.`, [
        { field: 'records', message: `must hold 1–${MAX_BATCH} records` },
      ]);
    const errors: FieldError[] = [];
    const rows: { id: string; data: Record<string, unknown> }[] = [];
    for (let i = 0; i < records.length; i++) {
      try {
        rows.push({ id: uuidv7(), data: this.validated(open, records[i], 'create', `records[${i}].`).values });
      } catch (error) {
        const problem = (error as { problem?: { errors?: FieldError[] } }).problem;
        if (!problem?.errors) throw error;
        errors.push(...problem.errors);
      }
    }
    if (errors.length) throw badRequest('Some records are invalid; none were stored.', errors, 'validation-error');
    const cipher = await this.cipherOf(open);
    const plain = cipher ? new Map(rows.map((r) => [r.id, r.data])) : undefined;
    if (cipher) for (const r of rows) r.data = sealValues(cipher, open.row, r.id, r.data);
    // Records shown as stored come back printed by Postgres, in the request's order
    // (ids count up in the order they were made).
    const asText = !cipher && open.access.showsAll();
    try {
      const change = {
        sql: `change as (insert into records (space_id, collection_id, id, data)
               select ?, ?, x.id, x.data from jsonb_to_recordset(cast(? as jsonb)) as x(id uuid, data jsonb) where ${SCHEMA_GUARD} returning ${RECORD_COLUMNS})`,
        params: [spaceId, open.row.id, JSON.stringify(rows), ...guard(open)],
      };
      const created = await this.run<RecordRow & { json: string }>(
        this.audited(
          change,
          principal,
          spaceId,
          open,
          'record.create',
          { old: 'null', new: 'change.data' },
          { batch: true, count: rows.length },
          asText ? `${recordJson('change')} as json` : RECORD_COLUMNS,
          ' order by change.id',
        ),
        spaceId,
      );
      if (created.length === 0) return STALE;
      if (asText) return new JsonText(`{"data":[${created.map((r) => r.json).join(',')}]}`);
      return { data: created.map((r) => this.shown(open, cipher, r, undefined, plain?.get(r.id))) };
    } catch (error) {
      this.uniqueConflict(open, error);
    }
  }

  async update(
    principal: Principal,
    spaceId: string,
    name: string,
    id: string,
    body: unknown,
  ): Promise<Record<string, unknown>> {
    return this.againIfStale(principal, spaceId, name, async (open) => {
      open.access.require('write');
      const { values: plain, removed } = this.validated(open, body, 'patch');
      if (!isUuid(id)) throw recordNotFound();
      const cipher = await this.cipherOf(open);
      const values = cipher ? sealValues(cipher, open.row, id, plain) : plain;
      try {
        // \`old\` locks the row and reads it as it is when the lock is granted, so the
        // entry's "before" is the version this update replaced, even under concurrent updates.
        const change = {
          sql: `old as (select id, data from records where space_id = ? and collection_id = ? and id = ? and ${SCHEMA_GUARD} for update),
                change as (update records r set data = (r.data || cast(? as jsonb)) - array(select jsonb_array_elements_text(cast(? as jsonb))), updated_at = now()
                  from old where r.space_id = ? and r.collection_id = ? and r.id = old.id
                  returning r.id, r.data, r.created_at, r.updated_at, old.data as old_data)`,
          params: [
            spaceId,
            open.row.id,
            id,
            ...guard(open),
            JSON.stringify(values),
            JSON.stringify(removed),
            spaceId,
            open.row.id,
          ],
        };
        const [row] = await this.run(
          this.audited(change, principal, spaceId, open, 'record.update', {
            old: 'change.old_data',
            new: 'change.data',
          }),
          spaceId,
        );
        // No row: no such record, or (from a remembered schema) the collection moved on.
        if (!row) {
          if (open.cached) return STALE;
          throw recordNotFound();
        }
        return this.shown(open, cipher, row, undefined, plain);
      } catch (error) {
        this.uniqueConflict(open, error);
      }
    });
  }

  async remove(principal: Principal, spaceId: string, name: string, id: string): Promise<void> {
    await this.againIfStale(principal, spaceId, name, async (open) => {
      open.access.require('delete');
      if (!isUuid(id)) throw recordNotFound();
      const change = {
        sql: `change as (delete from records where space_id = ? and collection_id = ? and id = ? and ${SCHEMA_GUARD} returning ${RECORD_COLUMNS})`,
        params: [spaceId, open.row.id, id, ...guard(open)],
      };
      const rows = await this.run(
        this.audited(change, principal, spaceId, open, 'record.delete', { old: 'change.data', new: 'null' }),
        spaceId,
      );
      if (rows[0]) return undefined;
      if (open.cached) return STALE;
      throw recordNotFound();
    });
  }

  /** DELETE …/records?filter=…: a filter is required, so nobody empties a collection by accident. */
  async removeMany(
    principal: Principal,
    spaceId: string,
    name: string,
    filterRaw: string,
  ): Promise<{ deleted: number }> {
    const open = await this.collections.open(principal, spaceId, name);
    open.access.require('delete');
    const filter = compileFilter(filterRaw, filterContext(open, await this.cipherOf(open)));
    if (filter.sql === 'true')
      throw badRequest('A non-empty filter is required to delete records.', [
        { field: 'filter', message: 'is required' },
      ]);
    const change = {
      sql: `change as (delete from records where space_id = ? and collection_id = ? and (${filter.sql}) returning ${RECORD_COLUMNS})`,
      params: [spaceId, open.row.id, ...filter.params],
    };
    const audited = this.audited(
      change,
      principal,
      spaceId,
      open,
      'record.delete',
      { old: 'change.data', new: 'null' },
      { batch: true, filter: filterRaw },
      'count(*)::int as n',
    );
    const [{ n }] = await this.em.execute<{ n: number }[]>(audited.sql, audited.params);
    if (n > 0) this.audit.committed(spaceId);
    return { deleted: n };
  }
}
