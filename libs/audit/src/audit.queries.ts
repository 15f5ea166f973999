import { statement } from '@app/database';

/**
 * Every fixed statement of the audit lib. The one composed statement, an entry per
 * row of a change's CTE, is built by AuditWriter.insertFrom.
 */

export interface AuditEntryRow {
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

/** Newest first, keyset on the chain position; a null filter does not filter (MikroORM inlines the values, so the planner drops it). */
export const auditPage = statement<
  {
    spaceId: string;
    action: string | null;
    actorType: string | null;
    actorId: string | null;
    resourceType: string | null;
    resourceId: string | null;
    outcome: string | null;
    from: string | null;
    to: string | null;
    beforeSeq: number | null;
    limit: number;
  },
  AuditEntryRow
>(
  'audit-page',
  `select id, seq, at, actor_type, actor_id, actor_label, action, outcome, resource_type, resource_id,
          resource_collection, ip, user_agent, request_id, changes, metadata, encode(hash, 'hex') as hash
     from audit_logs
    where space_id = :spaceId
      and (:action::text is null or action = :action::text)
      and (:actorType::text is null or actor_type = :actorType::text)
      and (:actorId::text is null or actor_id = :actorId::text)
      and (:resourceType::text is null or resource_type = :resourceType::text)
      and (:resourceId::text is null or resource_id = :resourceId::text)
      and (:outcome::text is null or outcome = :outcome::text)
      and (:from::timestamptz is null or at >= :from::timestamptz)
      and (:to::timestamptz is null or at < :to::timestamptz)
      and (:beforeSeq::bigint is null or seq < :beforeSeq::bigint)
      and seq is not null
    order by seq desc limit :limit`,
);

export interface ChainCheckRow {
  checked: number;
  first_broken_id: string | null;
  reason: string | null;
  head_ok: boolean | null;
  last_id: string | null;
}

/**
 * Recomputes every kept entry's hash and checks each links to the one before it
 * (the first to the anchor left by retention) with no gaps, and that the newest is
 * the chain's recorded head.
 */
export const verifyAuditChain = statement<{ spaceId: string }, ChainCheckRow>(
  'verify-audit-chain',
  `with head as (
         select seq, hash, anchor_seq, anchor_hash from audit_chains where space_id = :spaceId
       ), entries as (
         select a.id, a.seq, a.prev_hash, a.hash, a.hash = audit_entry_hash(a) as hash_ok,
                lag(a.seq) over w as p_seq, lag(a.hash) over w as p_hash
           from audit_logs a where a.space_id = :spaceId and a.seq is not null window w as (order by a.seq)
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
);

export const auditChains = statement<Record<string, never>, { space_id: string; tier: string | null }>(
  'audit-chains',
  'select c.space_id, s.tier from audit_chains c left join spaces s on s.id = c.space_id',
);

/** Lets the retention job delete entries (a trigger refuses every other delete); transaction-local. */
export const allowRetention = statement('allow-retention', `set local portico.audit_retention = 'on'`);

/** The head row lock keeps writers of this chain out while its prefix moves. */
export const lockAuditChain = statement<{ spaceId: string }>(
  'lock-audit-chain',
  'select 1 from audit_chains where space_id = :spaceId for update',
);

/** Deletes a chain's entries older than `cutoff` and anchors the chain at the newest one deleted. */
export const trimAuditChain = statement<{ spaceId: string; cutoff: Date }, { n: number }>(
  'trim-audit-chain',
  `with last as (
     select seq, hash from audit_logs
      where space_id = :spaceId and seq = (select max(seq) from audit_logs where space_id = :spaceId and at < :cutoff)
   ), gone as (
     delete from audit_logs a using last where a.space_id = :spaceId and a.seq <= last.seq returning 1
   ), anchored as (
     update audit_chains c set anchor_seq = last.seq, anchor_hash = last.hash from last where c.space_id = :spaceId returning 1
   )
   select count(*)::int as n from gone`,
);

/** One entry; `changes` and `metadata` arrive as JSON text, already scrubbed. */
export const insertAuditEntry = statement<{
  spaceId: string;
  actorType: string;
  actorId: string | null;
  actorLabel: string | null;
  action: string;
  outcome: string;
  resourceType: string | null;
  resourceId: string | null;
  resourceCollection: string | null;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  changesJson: string | null;
  metadataJson: string | null;
}>(
  'insert-audit-entry',
  `insert into audit_logs (space_id, actor_type, actor_id, actor_label, action, outcome, resource_type, resource_id,
     resource_collection, ip, user_agent, request_id, changes, metadata)
   values (cast(:spaceId as uuid), :actorType, :actorId, :actorLabel, :action, :outcome, :resourceType, :resourceId,
     :resourceCollection, :ip, :userAgent, :requestId, cast(:changesJson as jsonb), cast(:metadataJson as jsonb))`,
);

/** Links up to `limit` committed, unlinked entries of a chain (migration 19); one short transaction. */
export const linkAuditChain = statement<{ spaceId: string; limit: number }, { n: number }>(
  'link-audit-chain',
  '/* background */ select audit_link(cast(:spaceId as uuid), cast(:limit as int)) as n',
);

/** Chains with entries waiting to be linked (a partial index holds exactly those). */
export const unlinkedChains = statement<Record<string, never>, { space_id: string }>(
  'unlinked-audit-chains',
  '/* background */ select distinct space_id from audit_logs where seq is null',
);
