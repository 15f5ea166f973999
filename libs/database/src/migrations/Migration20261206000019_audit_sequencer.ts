import { Migration } from '@mikro-orm/migrations';

/** The append-only trigger as this migration leaves it (migration 21 replaces it; its down restores this). */
export const APPEND_ONLY_19 = `
      create or replace function audit_logs_append_only() returns trigger language plpgsql as $$
      begin
        if tg_op = 'DELETE' and current_setting('portico.audit_retention', true) = 'on' then
          return old;
        end if;
        if tg_op = 'UPDATE' and current_setting('portico.audit_link', true) = 'on' and old.seq is null
           and new.seq is not null and new.hash is not null
           and to_jsonb(new) - '{seq,prev_hash,hash}'::text[] = to_jsonb(old) - '{seq,prev_hash,hash}'::text[] then
          return new;
        end if;
        raise exception 'audit_logs is append-only: % refused', tg_op using errcode = '42501';
      end
      $$`;

/** The sequencer as this migration leaves it (likewise). */
export const AUDIT_LINK_19 = `
      create or replace function audit_link(p_space uuid, p_limit int) returns int language plpgsql as $$
      declare
        head audit_chains%rowtype;
        e audit_logs%rowtype;
        n int := 0;
      begin
        select * into head from audit_chains where space_id = p_space for update;
        if not found then
          insert into audit_chains (space_id) values (p_space) on conflict do nothing;
          select * into head from audit_chains where space_id = p_space for update;
        end if;
        perform set_config('portico.audit_link', 'on', true);
        for e in select * from audit_logs where space_id = p_space and seq is null order by at, id limit p_limit loop
          e.seq := head.seq + 1;
          e.prev_hash := head.hash;
          e.hash := audit_entry_hash(e);
          update audit_logs set seq = e.seq, prev_hash = e.prev_hash, hash = e.hash where space_id = p_space and id = e.id;
          head.seq := e.seq;
          head.hash := e.hash;
          n := n + 1;
        end loop;
        perform set_config('portico.audit_link', 'off', true);
        if n > 0 then
          update audit_chains set seq = head.seq, hash = head.hash where space_id = p_space;
        end if;
        return n;
      end
      $$`;

/**
 * Entries join their chain after they commit, not while their change runs (docs/audit.md).
 *
 * Before: a BEFORE INSERT trigger locked the chain's head row and linked the entry, so
 * every write in a space queued on that row for the length of its transaction. Now an
 * entry is inserted unlinked (`seq`, `prev_hash`, `hash` null) in its change's statement
 * or transaction, and commits with it exactly as before. `audit_link` — the space's one
 * sequencer, a short transaction of its own — takes the head lock, links the committed
 * unlinked entries in (at, id) order, and moves the head. Only it may set the three
 * columns, once, on an unlinked row; every other update, delete and truncate is refused
 * as before.
 */
export class Migration20261206000019_audit_sequencer extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table audit_logs drop constraint audit_logs_pkey');
    this.addSql('alter table audit_logs alter column seq drop not null, alter column hash drop not null');
    this.addSql('alter table audit_logs add constraint audit_logs_pkey primary key using index audit_logs_id_key');
    this.addSql('create unique index audit_logs_seq_key on audit_logs (space_id, seq)');
    this.addSql('create index audit_logs_unlinked on audit_logs (space_id, at, id) where seq is null');
    this.addSql(`
      create or replace function audit_logs_chain() returns trigger language plpgsql as $$
      begin
        -- Linking is audit_link's alone: whatever the inserter says, the entry starts unlinked.
        new.seq := null;
        new.prev_hash := null;
        new.hash := null;
        new.at := clock_timestamp();
        return new;
      end
      $$`);
    this.addSql(APPEND_ONLY_19);
    // Links up to p_limit committed entries of one chain; returns how many. Entries
    // committed while it runs are invisible to it and wait for the next call.
    this.addSql(AUDIT_LINK_19);
  }

  override async down(): Promise<void> {
    this.addSql('drop function audit_link(uuid, int)');
    this.addSql('drop index audit_logs_unlinked');
    this.addSql('drop index audit_logs_seq_key');
    this.addSql('alter table audit_logs drop constraint audit_logs_pkey');
    this.addSql('create unique index audit_logs_id_key on audit_logs (space_id, id)');
    this.addSql('alter table audit_logs alter column seq set not null, alter column hash set not null');
    this.addSql('alter table audit_logs add primary key (space_id, seq)');
    this.addSql(`
      create or replace function audit_logs_append_only() returns trigger language plpgsql as $$
      begin
        if tg_op = 'DELETE' and current_setting('portico.audit_retention', true) = 'on' then
          return old;
        end if;
        raise exception 'audit_logs is append-only: % refused', tg_op using errcode = '42501';
      end
      $$`);
    this.addSql(`
      create or replace function audit_logs_chain() returns trigger language plpgsql as $$
      declare
        head audit_chains%rowtype;
      begin
        select * into head from audit_chains where space_id = new.space_id for update;
        if not found then
          insert into audit_chains (space_id) values (new.space_id) on conflict do nothing;
          select * into head from audit_chains where space_id = new.space_id for update;
        end if;
        new.seq := head.seq + 1;
        new.at := clock_timestamp();
        new.prev_hash := head.hash;
        new.hash := audit_entry_hash(new);
        update audit_chains set seq = new.seq, hash = new.hash where space_id = new.space_id;
        return new;
      end
      $$`);
  }
}
