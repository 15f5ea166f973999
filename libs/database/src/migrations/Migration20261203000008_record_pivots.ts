import { Migration } from '@mikro-orm/migrations';

/** The field types kept in `record_values`, by the column that orders them. */
const NUMERIC = `'number', 'integer'`;
const TEXTUAL = `'text', 'email', 'url', 'select'`;
const BYTE_ORDERED = `'date', 'datetime'`;

/**
 * Tenant-scale record storage (docs/storage.md): no index is created per collection any
 * more. What the per-collection partial indexes did is done by rows in two shared,
 * globally indexed pivot tables, maintained by a statement-level trigger on `records`:
 *
 * - `record_values`: one row per record and orderable field (null values included, so a
 *   join keeps every record), its value in the column that orders it: `num` (numbers,
 *   via portico_number), `txt` (text; the first 256 characters, so a long value never
 *   overflows a btree entry) or `ctxt` (dates, byte-ordered). Partial indexes by kind
 *   serve sorted, keyset-paginated lists.
 * - `record_uniques`: one row per record and unique field with a value; the primary key
 *   on (space, collection, field, sha256 of the value) makes uniqueness exact under
 *   concurrency. A taken value raises unique_violation naming the field (`column`).
 *
 * The trigger reads the collection's field definitions under FOR KEY SHARE (the
 * foreign key check already holds it), so a schema change (which locks the collection
 * row FOR UPDATE) and record writes of that collection serialise, and only those.
 * Schema changes switch the trigger off (`set local portico.pivot = 'off'`) and rebuild
 * the collection's rows once (portico_pivot_resync).
 *
 * Existing records are backfilled and the per-collection indexes dropped.
 */
export class Migration20261203000008_record_pivots extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table record_values (
        space_id uuid not null,
        collection_id uuid not null,
        record_id uuid not null,
        field text not null,
        kind smallint not null,
        num numeric,
        txt text,
        ctxt text collate "C",
        primary key (space_id, collection_id, record_id, field)
      )`);
    this.addSql(
      `create index record_values_num on record_values (space_id, collection_id, field, num, record_id) where kind = 0`,
    );
    this.addSql(
      `create index record_values_txt on record_values (space_id, collection_id, field, txt, record_id) where kind = 1`,
    );
    this.addSql(
      `create index record_values_ctxt on record_values (space_id, collection_id, field, ctxt, record_id) where kind = 2`,
    );
    this.addSql(`
      create table record_uniques (
        space_id uuid not null,
        collection_id uuid not null,
        field text not null,
        value_hash bytea not null,
        record_id uuid not null,
        primary key (space_id, collection_id, field, value_hash)
      )`);
    this.addSql(`create index record_uniques_record on record_uniques (space_id, collection_id, record_id)`);

    this.addSql(`
      create function portico_value_rows(p_space uuid, p_collection uuid, p_id uuid, p_data jsonb, p_fields jsonb)
      returns table (space_id uuid, collection_id uuid, record_id uuid, field text, kind smallint, num numeric, txt text, ctxt text)
      language sql immutable parallel safe as $$
        select p_space, p_collection, p_id, f.name,
               (case when f.type in (${NUMERIC}) then 0 when f.type in (${BYTE_ORDERED}) then 2 else 1 end)::smallint,
               case when f.type in (${NUMERIC}) then portico_number(p_data->>f.name) end,
               case when f.type in (${TEXTUAL}) then left(p_data->>f.name, 256) end,
               case when f.type in (${BYTE_ORDERED}) then p_data->>f.name end
          from jsonb_to_recordset(p_fields) as f(name text, type text)
         where f.type in (${NUMERIC}, ${TEXTUAL}, ${BYTE_ORDERED})
      $$`);
    this.addSql(`
      create function portico_unique_rows(p_space uuid, p_collection uuid, p_id uuid, p_data jsonb, p_fields jsonb)
      returns table (space_id uuid, collection_id uuid, field text, value_hash bytea, record_id uuid)
      language sql immutable parallel safe as $$
        select p_space, p_collection, f.name, sha256(convert_to(p_data->>f.name, 'UTF8')), p_id
          from jsonb_to_recordset(p_fields) as f(name text, "unique" boolean)
         where f."unique" and p_data->>f.name is not null
      $$`);

    // Shared by the insert and update triggers: index rows for new_rows, and unique rows,
    // refusing a taken value with the field named.
    this.addSql(`
      create function records_pivot() returns trigger language plpgsql as $$
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
                 select u.* from (select n.*, c.fields from new_rows n join collections c on c.space_id = n.space_id and c.id = n.collection_id for key share of c) n,
                        lateral portico_unique_rows(n.space_id, n.collection_id, n.id, n.data, n.fields) u),
               stored as (insert into record_uniques select * from expected on conflict do nothing returning field, record_id)
          select e.field into taken from expected e where not exists (select 1 from stored s where s.field = e.field and s.record_id = e.record_id) limit 1;
          if taken is not null then
            raise exception 'unique value of "%" is taken', taken using errcode = 'unique_violation', constraint = 'record_uniques_pkey', column = taken;
          end if;
        end if;
        return null;
      end
      $$`);
    this.addSql(
      `create trigger records_pivot_insert after insert on records referencing new table as new_rows for each statement execute function records_pivot()`,
    );
    this.addSql(
      `create trigger records_pivot_update after update on records referencing old table as old_rows new table as new_rows for each statement execute function records_pivot()`,
    );
    this.addSql(
      `create trigger records_pivot_delete after delete on records referencing old table as old_rows for each statement execute function records_pivot()`,
    );

    // One collection's pivot rows from scratch: after a schema change, in its transaction.
    this.addSql(`
      create function portico_pivot_resync(p_space uuid, p_collection uuid) returns void language plpgsql as $$
      declare taken text;
      begin
        delete from record_values where space_id = p_space and collection_id = p_collection;
        delete from record_uniques where space_id = p_space and collection_id = p_collection;
        insert into record_values (space_id, collection_id, record_id, field, kind, num, txt, ctxt)
        select v.* from records r join collections c on c.space_id = r.space_id and c.id = r.collection_id,
               lateral portico_value_rows(r.space_id, r.collection_id, r.id, r.data, c.fields) v
         where r.space_id = p_space and r.collection_id = p_collection;
        with expected as (
               select u.* from records r join collections c on c.space_id = r.space_id and c.id = r.collection_id,
                      lateral portico_unique_rows(r.space_id, r.collection_id, r.id, r.data, c.fields) u
                where r.space_id = p_space and r.collection_id = p_collection),
             stored as (insert into record_uniques select * from expected on conflict do nothing returning field, record_id)
        select e.field into taken from expected e where not exists (select 1 from stored s where s.field = e.field and s.record_id = e.record_id) limit 1;
        if taken is not null then
          raise exception 'values of "%" are not unique', taken using errcode = 'unique_violation', constraint = 'record_uniques_pkey', column = taken;
        end if;
      end
      $$`);

    // Backfill, then drop every per-collection index.
    this.addSql(`
      insert into record_values (space_id, collection_id, record_id, field, kind, num, txt, ctxt)
      select v.* from records r join collections c on c.space_id = r.space_id and c.id = r.collection_id,
             lateral portico_value_rows(r.space_id, r.collection_id, r.id, r.data, c.fields) v`);
    this.addSql(`
      insert into record_uniques
      select u.* from records r join collections c on c.space_id = r.space_id and c.id = r.collection_id,
             lateral portico_unique_rows(r.space_id, r.collection_id, r.id, r.data, c.fields) u
      on conflict do nothing`);
    this.addSql(`
      do $$
      declare r record;
      begin
        for r in select indexname from pg_indexes
                  where schemaname = current_schema() and tablename = 'records' and (indexname like 'records_ix_%' or indexname like 'records_uq_%')
        loop
          execute format('drop index %I', r.indexname);
        end loop;
      end
      $$`);
  }

  override async down(): Promise<void> {
    this.addSql('drop trigger records_pivot_insert on records');
    this.addSql('drop trigger records_pivot_update on records');
    this.addSql('drop trigger records_pivot_delete on records');
    this.addSql('drop function records_pivot, portico_pivot_resync, portico_value_rows, portico_unique_rows');
    this.addSql('drop table record_values, record_uniques');
  }
}
