import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { AuditEvent, PLATFORM_LOG, scrub } from './audit-event';
import { currentMeta, RequestMeta } from './request-meta';
import { insertAuditEntry } from './audit.queries';
import { AuditSequencer } from './audit-sequencer';

const COLUMNS =
  'space_id, actor_type, actor_id, actor_label, action, outcome, resource_type, resource_id, resource_collection, ip, user_agent, request_id, changes, metadata';
const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(scrub(v)));

/** A statement fragment with its parameters, for composing into a change's own statement. */
export interface SqlPart {
  sql: string;
  params: unknown[];
}

/**
 * Appends entries to the audit log. An entry is one INSERT in the transaction of the
 * change it records (or one extra CTE in the change's own statement), so it commits
 * or rolls back with it. It is inserted unlinked; the chain (seq, prev hash, hash) is
 * extended after commit by the space's sequencer (AuditSequencer), so writers never
 * queue on the chain's head.
 */
@Injectable()
export class AuditWriter {
  constructor(
    private readonly em: EntityManager,
    private readonly sequencer: AuditSequencer,
  ) {}

  /** A statement holding entries of `spaceId`'s chain committed: link them soon. */
  committed(spaceId: string | null | undefined): void {
    this.sequencer.soon(spaceId ?? PLATFORM_LOG);
  }

  /** In the caller's transaction (`em` from `em.transactional`). */
  async append(em: EntityManager, event: AuditEvent): Promise<void> {
    await insertAuditEntry.rows(em, this.entry(event, currentMeta()));
  }

  /** On its own, outside any transaction: denials, failures, stateless events. Never call inside a transaction. */
  async appendNow(event: AuditEvent, meta: RequestMeta = currentMeta()): Promise<void> {
    await insertAuditEntry.rows(this.em.getConnection(), this.entry(event, meta));
    this.committed(event.spaceId);
  }

  private entry(event: AuditEvent, meta: RequestMeta) {
    return {
      ...this.common(event, meta),
      resourceId: event.resource?.id ?? null,
      changesJson: json(event.changes && Object.keys(event.changes).length ? event.changes : null),
      metadataJson: json(event.metadata),
    };
  }

  /**
   * `insert into audit_logs … select … from <source>`: one entry per row of a CTE of the
   * change's statement, with the resource id and changes computed in SQL from that row.
   * No rows changed, no entry.
   */
  insertFrom(
    source: string,
    event: Omit<AuditEvent, 'changes'>,
    row: { id: string; changes: SqlPart },
    meta: RequestMeta = currentMeta(),
  ): SqlPart {
    return {
      sql: `insert into audit_logs (${COLUMNS})
            select cast(? as uuid), ?, ?, ?, ?, ?, ?, ${row.id}, ?, ?, ?, ?, ${row.changes.sql}, cast(? as jsonb) from ${source}`,
      params: [...Object.values(this.common(event, meta)), ...row.changes.params, json(event.metadata)],
    };
  }

  /**
   * The columns every entry sets alike: space, actor, action, outcome, resource type
   * and collection, request. In the column order `insertFrom` binds them in.
   */
  private common(event: Omit<AuditEvent, 'changes'>, meta: RequestMeta) {
    return {
      spaceId: event.spaceId ?? PLATFORM_LOG,
      actorType: event.actor.type,
      actorId: event.actor.id,
      actorLabel: scrub(event.actor.label),
      action: event.action,
      outcome: event.outcome ?? 'success',
      resourceType: event.resource?.type ?? null,
      resourceCollection: event.resource?.collection ?? null,
      ip: meta.ip,
      userAgent: meta.userAgent,
      requestId: meta.requestId,
    };
  }
}
