import { Migration } from '@mikro-orm/migrations';

/**
 * The append-only, hash-chained audit log.
 *
 * Each space's entries (and the platform's, under the nil UUID) form one chain:
 * `seq` counts up from 1 with no gaps and `hash` = sha256 of the entry's canonical
 * content, which includes the previous entry's hash. The chain is extended by a
 * BEFORE INSERT trigger that locks the chain's head row in `audit_chains`, so two
 * concurrent writers in one space queue on that row and can never fork the chain,
 * and so an entry costs no extra round trip: it is one INSERT in the transaction
 * (often the same statement) of the change it records.
 *
 * No FK to spaces: a deleted space's history must outlive it. UPDATE, DELETE and
 * TRUNCATE are refused by trigger; only the retention job may delete, and only a
 * prefix of a chain, recording the last deleted hash as the chain's anchor so the
 * rest still verifies.
 */
export class Migration20261202000004_audit extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table audit_chains (
        space_id uuid primary key,
        seq bigint not null default 0,
        hash bytea,
        anchor_seq bigint not null default 0,
        anchor_hash bytea
      )`);
    this.addSql(`
      create table audit_logs (
        space_id uuid not null,
        seq bigint not null,
        id uuid not null default gen_random_uuid(),
        at timestamptz not null default clock_timestamp(),
        actor_type text not null check (actor_type in ('user', 'api_key', 'anonymous')),
        actor_id text,
        actor_label text,
        action text not null,
        outcome text not null check (outcome in ('success', 'denied', 'failure')),
        resource_type text,
        resource_id text,
        resource_collection text,
        ip text,
        user_agent text,
        request_id text,
        changes jsonb,
        metadata jsonb,
        prev_hash bytea,
        hash bytea not null,
        primary key (space_id, seq)
      )`);
    this.addSql(`create unique index audit_logs_id_key on audit_logs (space_id, id)`);
    this.addSql(`create index audit_logs_action_idx on audit_logs (space_id, action, seq)`);
    this.addSql(`create index audit_logs_actor_idx on audit_logs (space_id, actor_id, seq)`);
    this.addSql(`create index audit_logs_resource_idx on audit_logs (space_id, resource_id, seq)`);
    this.addSql(`create index audit_logs_at_idx on audit_logs (space_id, at)`);

    // Canonical content: a jsonb array (its text form is deterministic), the time as
    // integer microseconds (independent of the session's TimeZone), the previous hash as hex.
    this.addSql(`
      create function audit_entry_hash(e audit_logs) returns bytea language sql immutable as $$
        select sha256(convert_to(jsonb_build_array(
          e.id, e.space_id, e.seq, (extract(epoch from e.at) * 1000000)::bigint,
          e.actor_type, e.actor_id, e.actor_label, e.action, e.outcome,
          e.resource_type, e.resource_id, e.resource_collection,
          e.ip, e.user_agent, e.request_id, e.changes, e.metadata, encode(e.prev_hash, 'hex')
        )::text, 'UTF8'))
      $$`);
    this.addSql(`
      create function audit_logs_chain() returns trigger language plpgsql as $$
      declare
        head audit_chains%rowtype;
      begin
        select * into head from audit_chains where space_id = new.space_id for update;
        if not found then
          insert into audit_chains (space_id) values (new.space_id) on conflict do nothing;
          select * into head from audit_chains where space_id = new.space_id for update;
        end if;
        new.seq := head.seq + 1;
        -- Taken under the head lock, so time never runs backwards along a chain.
        new.at := clock_timestamp();
        new.prev_hash := head.hash;
        new.hash := audit_entry_hash(new);
        update audit_chains set seq = new.seq, hash = new.hash where space_id = new.space_id;
        return new;
      end
      $$`);
    this.addSql(
      `create trigger audit_logs_chain before insert on audit_logs for each row execute function audit_logs_chain()`,
    );
    this.addSql(`
      create function audit_logs_append_only() returns trigger language plpgsql as $$
      begin
        if tg_op = 'DELETE' and current_setting('portico.audit_retention', true) = 'on' then
          return old;
        end if;
        raise exception 'audit_logs is append-only: % refused', tg_op using errcode = '42501';
      end
      $$`);
    this.addSql(
      `create trigger audit_logs_append_only before update or delete on audit_logs for each row execute function audit_logs_append_only()`,
    );
    this.addSql(
      `create trigger audit_logs_no_truncate before truncate on audit_logs for each statement execute function audit_logs_append_only()`,
    );

    // Field-level differences of two record documents: { field: [before, after] } for
    // every field whose value changed; fields named in \`hidden\` show that they changed, never their values.
    this.addSql(`
      create function audit_diff(old_doc jsonb, new_doc jsonb, hidden jsonb) returns jsonb language sql immutable as $$
        select coalesce(jsonb_object_agg(k,
                 case when hidden @> to_jsonb(k) then jsonb_build_array('[redacted]', '[redacted]')
                      else jsonb_build_array(coalesce(old_doc -> k, 'null'::jsonb), coalesce(new_doc -> k, 'null'::jsonb)) end), '{}'::jsonb)
          from (select jsonb_object_keys(coalesce(old_doc, '{}'::jsonb)) as k
                union select jsonb_object_keys(coalesce(new_doc, '{}'::jsonb))) keys
         where (old_doc -> k) is distinct from (new_doc -> k)
      $$`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table audit_logs, audit_chains');
    this.addSql('drop function audit_entry_hash, audit_logs_chain, audit_logs_append_only, audit_diff');
  }
}
