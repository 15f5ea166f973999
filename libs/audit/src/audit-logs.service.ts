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
import { AuditLogDto, AuditLogQueryDto, AuditVerifyDto } from './dto/audit-log.dto';

interface EntryRow {
  id: string;
  seq: string;
  at: Date;
  actor_type: string;
  actor_id: string | null;
  actor_label: string | null;
  action: string;
  outcome: string;
  resource_type: string | null;
  resource_id: string | null;
  resource_collection: string | null;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  changes: Record<string, [unknown, unknown]> | null;
  metadata: Record<string, unknown> | null;
  hash: string;
}

const FILTERS: [keyof AuditLogQueryDto, string][] = [
  ['action', 'action = ?'],
  ['actor_type', 'actor_type = ?'],
  ['actor_id', 'actor_id = ?'],
  ['resource_type', 'resource_type = ?'],
  ['resource_id', 'resource_id = ?'],
  ['outcome', 'outcome = ?'],
  ['from', 'at >= cast(? as timestamptz)'],
  ['to', 'at < cast(? as timestamptz)'],
];

function toDto(r: EntryRow): AuditLogDto {
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
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const after = decodeCursor<{ seq: number }>(query.cursor, ['seq']);
    const where = ['space_id = ?'];
    const params: unknown[] = [spaceId];
    for (const [name, clause] of FILTERS) {
      if (query[name] !== undefined) {
        where.push(clause);
        params.push(query[name]);
      }
    }
    if (after) {
      where.push('seq < ?');
      params.push(after.seq);
    }
    const rows = await this.em.execute<EntryRow[]>(
      `select id, seq, at, actor_type, actor_id, actor_label, action, outcome, resource_type, resource_id, resource_collection,
              ip, user_agent, request_id, changes, metadata, encode(hash, 'hex') as hash
         from audit_logs where ${where.join(' and ')} order by seq desc limit ?`,
      [...params, limit + 1],
    );
    return toPage(rows, limit, (r) => ({ seq: Number(r.seq) }), toDto);
  }

  /**
   * Recomputes every kept entry's hash and checks each links to the one before it
   * (the first to the anchor left by retention) with no gaps, and that the newest is
   * the chain's recorded head. Reports the oldest entry that fails.
   */
  async verifyChain(spaceId: string): Promise<AuditVerifyDto> {
    const [result] = await this.em.execute<
      {
        checked: number;
        first_broken_id: string | null;
        reason: string | null;
        head_ok: boolean | null;
        last_id: string | null;
      }[]
    >(
      `with head as (
         select seq, hash, anchor_seq, anchor_hash from audit_chains where space_id = ?
       ), entries as (
         select a.id, a.seq, a.prev_hash, a.hash, a.hash = audit_entry_hash(a) as hash_ok,
                lag(a.seq) over w as p_seq, lag(a.hash) over w as p_hash
           from audit_logs a where a.space_id = ? window w as (order by a.seq)
       ), checked as (
         select e.id, e.seq,
                case when not e.hash_ok then 'hash_mismatch'
                     when e.p_seq is null and e.seq <> coalesce(h.anchor_seq, 0) + 1 then 'missing_entries'
                     when e.p_seq is null and e.prev_hash is distinct from h.anchor_hash then 'broken_link'
                     when e.p_seq is not null and e.seq <> e.p_seq + 1 then 'missing_entries'
                     when e.p_seq is not null and e.prev_hash is distinct from e.p_hash then 'broken_link'
                end as problem
           from entries e left join head h on true
       )
       select (select count(*)::int from checked) as checked,
              (select id from checked where problem is not null order by seq limit 1) as first_broken_id,
              (select problem from checked where problem is not null order by seq limit 1) as reason,
              (select coalesce((select max(seq) from entries), (select anchor_seq from head), 0) = coalesce((select seq from head), 0)
                  and coalesce((select e.hash = h.hash from entries e join head h on e.seq = h.seq), true)) as head_ok,
              (select id from entries order by seq desc limit 1) as last_id`,
      [spaceId, spaceId],
    );
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
