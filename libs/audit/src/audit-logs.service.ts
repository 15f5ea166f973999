import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import {
  decodeCursor,
  DEFAULT_PAGE_SIZE,
  forbidden,
  isUuid,
  notFound,
  Page,
  Ports,
  Principal,
  toPage,
} from '@app/common';
import { PLATFORM_LOG } from './audit-event';
import { AuditSequencer } from './audit-sequencer';
import { auditPage, AuditEntryRow, verifyAuditChain } from './audit.queries';
import { AuditLogDto, AuditLogQueryDto, AuditVerifyDto } from './dto/audit-log.dto';

function toDto(r: AuditEntryRow): AuditLogDto {
  return {
    id: r.id,
    seq: Number(r.seq),
    at: new Date(r.at).toISOString(),
    actor: { type: r.actor_type, id: r.actor_id, label: r.actor_label },
    action: r.action,
    outcome: r.outcome,
    resource: r.resource_type ? { type: r.resource_type, id: r.resource_id, collection: r.resource_collection } : null,
    ip: r.ip,
    user_agent: r.user_agent,
    request_id: r.request_id,
    changes: r.changes,
    metadata: r.metadata,
    hash: r.hash,
  };
}

/** Reading and verifying the log. Nothing here (nor anywhere) updates or deletes an entry. */
@Injectable()
export class AuditLogsService {
  constructor(
    private readonly em: EntityManager,
    private readonly ports: Ports,
    private readonly sequencer: AuditSequencer,
  ) {}

  async list(principal: Principal, spaceId: string, query: AuditLogQueryDto): Promise<Page<AuditLogDto>> {
    await this.ports.get('spaceAuthorizer').authorize(principal, spaceId, 'audit.read');
    return this.page(spaceId, query);
  }

  async listPlatform(principal: Principal, query: AuditLogQueryDto): Promise<Page<AuditLogDto>> {
    this.assertPlatformAdmin(principal);
    return this.page(PLATFORM_LOG, query);
  }

  async verify(principal: Principal, spaceId: string): Promise<AuditVerifyDto> {
    await this.ports.get('spaceAuthorizer').authorize(principal, spaceId, 'audit.read');
    return this.verifyChain(spaceId);
  }

  async verifyPlatform(principal: Principal): Promise<AuditVerifyDto> {
    this.assertPlatformAdmin(principal);
    return this.verifyChain(PLATFORM_LOG);
  }

  private assertPlatformAdmin(principal: Principal): void {
    if (principal.kind !== 'user' || !principal.isPlatformAdmin)
      throw forbidden('Only platform admins may read the platform audit log.');
  }

  /** Newest first, keyset on the chain position. */
  private async page(spaceId: string, query: AuditLogQueryDto): Promise<Page<AuditLogDto>> {
    if (!isUuid(spaceId)) throw notFound('The space does not exist.');
    // What is read is linked: entries committed before this request join the chain first.
    await this.sequencer.settle(spaceId);
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const after = decodeCursor<{ seq: number }>(query.cursor, ['seq']);
    const rows = await auditPage.rows(this.em, {
      spaceId,
      action: query.action ?? null,
      actorType: query.actor_type ?? null,
      actorId: query.actor_id ?? null,
      resourceType: query.resource_type ?? null,
      resourceId: query.resource_id ?? null,
      outcome: query.outcome ?? null,
      from: query.from ?? null,
      to: query.to ?? null,
      beforeSeq: after?.seq ?? null,
      limit: limit + 1,
    });
    return toPage(rows, limit, (r) => ({ seq: Number(r.seq) }), toDto);
  }

  /**
   * Recomputes every kept entry's hash and checks each links to the one before it
   * (the first to the anchor left by retention) with no gaps, and that the newest is
   * the chain's recorded head. Reports the oldest entry that fails.
   */
  async verifyChain(spaceId: string): Promise<AuditVerifyDto> {
    await this.sequencer.settle(spaceId);
    const result = await verifyAuditChain.first(this.em, { spaceId });
    if (!result) throw new Error('the chain check returned no row');
    if (result.first_broken_id)
      return { valid: false, checked: result.checked, first_broken_id: result.first_broken_id, reason: result.reason! };
    if (!result.head_ok)
      return {
        valid: false,
        checked: result.checked,
        ...(result.last_id ? { first_broken_id: result.last_id } : {}),
        reason: 'truncated',
      };
    return { valid: true, checked: result.checked };
  }
}
