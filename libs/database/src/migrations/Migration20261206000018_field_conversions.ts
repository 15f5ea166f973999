import { Migration } from '@mikro-orm/migrations';

const NUMERIC = `'number', 'integer'`;
const TEXTUAL = `'text', 'email', 'url', 'select'`;
const BYTE_ORDERED = `'date', 'datetime'`;

/**
 * Turning encryption on or off for a field that holds values (API.md, "Encrypted
 * fields"): the schema change commits at once with the field marked `converting`, and
 * a job row here; the background worker converts a batch of records per transaction in
 * id order, saving its position with the batch, so a crash resumes where it stopped.
 *
 * While a field converts, its values are in either form (sealed `{c, b}` objects or
 * clear). The pivots follow each value's form: a sealed value gets no ordering row and
 * its uniqueness row hashes its blind index; a clear value of a field becoming clear
 * gets its ordering row as soon as it is converted, so no re-index is needed at the end.
 * The unique probe used while re-indexing compares blind indexes of sealed values
 * (their sealed texts differ on every write).
 */
export class Migration20261206000018_field_conversions extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table field_conversions (
        space_id uuid not null,
        collection_id uuid not null,
        field text not null,
        encrypt boolean not null,
        after_record_id uuid,
        started_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        primary key (space_id, collection_id, field),
        foreign key (space_id, collection_id) references collections (space_id, id) on delete cascade
      )`);
    this.addSql(`
      create or replace function portico_value_rows(p_space uuid, p_collection uuid, p_id uuid, p_data jsonb, p_fields jsonb)
      returns table (space_id uuid, collection_id uuid, record_id uuid, field text, kind smallint, num numeric, txt text, ctxt text)
      language sql immutable parallel safe as $$
        select p_space, p_collection, p_id, f.name,
               (case when f.type in (${NUMERIC}) then 0 when f.type in (${BYTE_ORDERED}) then 2 else 1 end)::smallint,
               case when f.type in (${NUMERIC}) then portico_number(p_data->>f.name) end,
               case when f.type in (${TEXTUAL}) then left(p_data->>f.name, 256) end,
               case when f.type in (${BYTE_ORDERED}) then p_data->>f.name end
          from jsonb_to_recordset(p_fields) as f(name text, type text, encrypted boolean, converting jsonb)
         where f.type in (${NUMERIC}, ${TEXTUAL}, ${BYTE_ORDERED}) and not coalesce(f.encrypted, false)
           and (f.converting is null or jsonb_typeof(p_data->f.name) is distinct from 'object')
      $$`);
    this.addSql(`
      create or replace function portico_unique_rows(p_space uuid, p_collection uuid, p_id uuid, p_data jsonb, p_fields jsonb)
      returns table (space_id uuid, collection_id uuid, field text, value_hash bytea, record_id uuid)
      language sql immutable parallel safe as $$
        select p_space, p_collection, f.name,
               sha256(convert_to(case when (coalesce(f.encrypted, false) or f.converting is not null)
                                           and jsonb_typeof(p_data->f.name) = 'object'
                                      then p_data->f.name->>'b' else p_data->>f.name end, 'UTF8')),
               p_id
          from jsonb_to_recordset(p_fields) as f(name text, "unique" boolean, encrypted boolean, converting jsonb)
         where f."unique" and p_data->>f.name is not null
      $$`);
    this.addSql(
      records_pivot(`jsonb_build_object(e.field, case when jsonb_typeof(n.data -> e.field) = 'object'
                                                   then jsonb_build_object('b', n.data -> e.field -> 'b') else n.data -> e.field end)`),
    );
  }

  override async down(): Promise<void> {
    this.addSql(records_pivot('jsonb_build_object(e.field, n.data -> e.field)'));
    this.addSql(`
      create or replace function portico_unique_rows(p_space uuid, p_collection uuid, p_id uuid, p_data jsonb, p_fields jsonb)
      returns table (space_id uuid, collection_id uuid, field text, value_hash bytea, record_id uuid)
      language sql immutable parallel safe as $$
        select p_space, p_collection, f.name,
               sha256(convert_to(case when coalesce(f.encrypted, false) then p_data->f.name->>'b' else p_data->>f.name end, 'UTF8')),
               p_id
          from jsonb_to_recordset(p_fields) as f(name text, "unique" boolean, encrypted boolean)
         where f."unique" and p_data->>f.name is not null
      $$`);
    this.addSql(`
      create or replace function portico_value_rows(p_space uuid, p_collection uuid, p_id uuid, p_data jsonb, p_fields jsonb)
      returns table (space_id uuid, collection_id uuid, record_id uuid, field text, kind smallint, num numeric, txt text, ctxt text)
      language sql immutable parallel safe as $$
        select p_space, p_collection, p_id, f.name,
               (case when f.type in (${NUMERIC}) then 0 when f.type in (${BYTE_ORDERED}) then 2 else 1 end)::smallint,
               case when f.type in (${NUMERIC}) then portico_number(p_data->>f.name) end,
               case when f.type in (${TEXTUAL}) then left(p_data->>f.name, 256) end,
               case when f.type in (${BYTE_ORDERED}) then p_data->>f.name end
          from jsonb_to_recordset(p_fields) as f(name text, type text, encrypted boolean)
         where f.type in (${NUMERIC}, ${TEXTUAL}, ${BYTE_ORDERED}) and not coalesce(f.encrypted, false)
      $$`);
    this.addSql('drop table field_conversions');
  }
}

/** The pivot trigger of migration 9, with `probe`: what a record holding the same unique value contains. */
export function records_pivot(probe: string): string {
  return `
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
                       and r.data @> ${probe}))
           limit 1;
          if taken is not null then
            raise exception 'unique value of "%" is taken', taken using errcode = 'unique_violation', constraint = 'record_uniques_pkey', column = taken;
          end if;
        end if;
        return null;
      end
      $$`;
}
