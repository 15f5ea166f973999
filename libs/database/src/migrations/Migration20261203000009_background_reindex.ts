import { Migration } from '@mikro-orm/migrations';

/**
 * Re-indexing a large collection after a schema change happens in the background, in
 * batches (docs/storage.md): the change commits at once with the collection's
 * `index_state` = 'indexing' and a row in `collection_jobs`; a worker rebuilds the pivot
 * rows of a few thousand records per transaction in id order, saving its position, so
 * it resumes after a crash; then the state returns to 'ready'. Meanwhile the collection
 * stays readable and writable: lists sort by expression instead of the pivot, and the
 * trigger also probes `records` (through the GIN index) before accepting a unique value,
 * since records not yet re-indexed have no `record_uniques` row for it.
 */
export class Migration20261203000009_background_reindex extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table collections add column index_state text not null default 'ready'`);
    this.addSql(`
      create table collection_jobs (
        space_id uuid not null,
        collection_id uuid not null,
        after_record_id uuid,
        started_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        primary key (space_id, collection_id),
        foreign key (space_id, collection_id) references collections (space_id, id) on delete cascade
      )`);

    // One batch: locks the records (so a concurrent write to one waits, then re-indexes it
    // after us), rebuilds their pivot rows, returns the last id (null when none were left).
    this.addSql(`
      create function portico_pivot_resync_batch(p_space uuid, p_collection uuid, p_after uuid, p_limit int) returns uuid language plpgsql as $$
      declare ids uuid[]; taken text;
      begin
        select array_agg(id order by id) into ids from (
          select id from records where space_id = p_space and collection_id = p_collection and (p_after is null or id > p_after)
           order by id limit p_limit for update) b;
        if ids is null then return null; end if;
        delete from record_values where space_id = p_space and collection_id = p_collection and record_id = any(ids);
        delete from record_uniques where space_id = p_space and collection_id = p_collection and record_id = any(ids);
        insert into record_values (space_id, collection_id, record_id, field, kind, num, txt, ctxt)
        select v.* from records r join collections c on c.space_id = r.space_id and c.id = r.collection_id,
               lateral portico_value_rows(r.space_id, r.collection_id, r.id, r.data, c.fields) v
         where r.space_id = p_space and r.collection_id = p_collection and r.id = any(ids);
        with expected as (
               select u.* from records r join collections c on c.space_id = r.space_id and c.id = r.collection_id,
                      lateral portico_unique_rows(r.space_id, r.collection_id, r.id, r.data, c.fields) u
                where r.space_id = p_space and r.collection_id = p_collection and r.id = any(ids)),
             stored as (insert into record_uniques select * from expected on conflict do nothing returning field, record_id)
        select e.field into taken from expected e where not exists (select 1 from stored s where s.field = e.field and s.record_id = e.record_id) limit 1;
        if taken is not null then
          raise exception 'values of "%" are not unique', taken using errcode = 'unique_violation', constraint = 'record_uniques_pkey', column = taken;
        end if;
        return ids[array_length(ids, 1)];
      end
      $$`);

    // The trigger, now also probing records for a unique value while the collection is indexing.
    this.addSql(`
      create or replace function records_pivot() returns trigger language plpgsql as $$
      declare taken text;
      begin
        if current_setting('portico.pivot', true) = 'off' then return null; end if;
        if tg_op in ('UPDATE', 'DELETE') then
          delete from record_values v using old_rows o where v.space_id = o.space_id and v.collection_id = o.collection_id and v.record_id = o.id;
          delete from record_uniques u using old_rows o where u.space_id = o.space_id and u.collection_id = o.collection_id and u.record_id = o.id;
        end if;
        if tg_op in ('INSERT', 'UPDATE') then
          insert into record_values (space_id, collection_id, record_id, field, kind, num, txt, ctxt)
          select v.* from new_rows n join collections c on c.space_id = n.space_id and c.id = n.collection_id,
                 lateral portico_value_rows(n.space_id, n.collection_id, n.id, n.data, c.fields) v;
          with expected as (
                 select u.*, n.indexing from (select n.*, c.fields, c.index_state <> 'ready' as indexing
                                                from new_rows n join collections c on c.space_id = n.space_id and c.id = n.collection_id for key share of c) n,
                        lateral portico_unique_rows(n.space_id, n.collection_id, n.id, n.data, n.fields) u),
               stored as (insert into record_uniques select space_id, collection_id, field, value_hash, record_id from expected on conflict do nothing returning field, record_id)
          select e.field into taken from expected e
           where not exists (select 1 from stored s where s.field = e.field and s.record_id = e.record_id)
              or (e.indexing and exists (
                    select 1 from records r, new_rows n
                     where n.id = e.record_id and r.space_id = e.space_id and r.collection_id = e.collection_id and r.id <> e.record_id
                       and r.data @> jsonb_build_object(e.field, n.data -> e.field)))
           limit 1;
          if taken is not null then
            raise exception 'unique value of "%" is taken', taken using errcode = 'unique_violation', constraint = 'record_uniques_pkey', column = taken;
          end if;
        end if;
        return null;
      end
      $$`);
  }

  override async down(): Promise<void> {
    this.addSql('drop function portico_pivot_resync_batch');
    this.addSql('drop table collection_jobs');
    this.addSql('alter table collections drop column index_state');
  }
}
