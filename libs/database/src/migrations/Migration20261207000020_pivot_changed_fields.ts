import { Migration } from '@mikro-orm/migrations';
import { records_pivot } from './Migration20261206000018_field_conversions';

/** What a record holding the same unique value contains (as in migration 18): the blind index of a sealed value. */
const PROBE = `jsonb_build_object(e.field, case when jsonb_typeof(n.data -> e.field) = 'object'
                 then jsonb_build_object('b', n.data -> e.field -> 'b') else n.data -> e.field end)`;

/**
 * After `expected` (the unique rows due) and `stored` (those inserted): the first field
 * whose value another record holds, into `taken`.
 */
const TAKEN = `select e.field into taken from expected e
           where not exists (select 1 from stored s where s.field = e.field and s.record_id = e.record_id)
              or (e.indexing and exists (
                    select 1 from records r, new_rows n
                     where n.id = e.record_id and r.space_id = e.space_id and r.collection_id = e.collection_id and r.id <> e.record_id
                       and r.data @> ${PROBE}))
           limit 1;`;

/** Old and new versions of one record, in an UPDATE's transition tables. */
const SAME_RECORD = 'n.space_id = o.space_id and n.collection_id = o.collection_id and n.id = o.id';

/**
 * An update re-derives the pivot rows (record_values, record_uniques) of the fields
 * whose value changed, instead of deleting and inserting one row per orderable and
 * unique field of every updated record. A PATCH of one field of a 10-field collection
 * touched some twenty index entries under the record's row lock; now it touches two,
 * so writers of one record queue for less time, and a field conversion's batch (which
 * changes one field) rewrites one pivot row per record.
 *
 * Rows of unchanged fields are left as they were: what keeps them right when the
 * schema changes is the re-index that follows every schema change (inline or in the
 * background), as before. Inserts and deletes are unchanged.
 */
export class Migration20261207000020_pivot_changed_fields extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create or replace function records_pivot() returns trigger language plpgsql as $$
      declare taken text;
      begin
        if current_setting('portico.pivot', true) = 'off' then return null; end if;
        if tg_op = 'DELETE' then
          delete from record_values v using old_rows o where v.space_id = o.space_id and v.collection_id = o.collection_id and v.record_id = o.id;
          delete from record_uniques u using old_rows o where u.space_id = o.space_id and u.collection_id = o.collection_id and u.record_id = o.id;
          return null;
        end if;
        if tg_op = 'UPDATE' then
          delete from record_values v using old_rows o, new_rows n
           where ${SAME_RECORD} and v.space_id = o.space_id and v.collection_id = o.collection_id and v.record_id = o.id
             and (o.data -> v.field) is distinct from (n.data -> v.field);
          delete from record_uniques u using old_rows o, new_rows n
           where ${SAME_RECORD} and u.space_id = o.space_id and u.collection_id = o.collection_id and u.record_id = o.id
             and (o.data -> u.field) is distinct from (n.data -> u.field);
          insert into record_values (space_id, collection_id, record_id, field, kind, num, txt, ctxt)
          select v.* from new_rows n join old_rows o on ${SAME_RECORD} join collections c on c.space_id = n.space_id and c.id = n.collection_id,
                 lateral portico_value_rows(n.space_id, n.collection_id, n.id, n.data, c.fields) v
           where (o.data -> v.field) is distinct from (n.data -> v.field);
          with expected as (
                 select u.*, n.indexing from (select n.*, o.data as old_data, c.fields, c.index_state <> 'ready' as indexing
                                                from new_rows n join old_rows o on ${SAME_RECORD}
                                                join collections c on c.space_id = n.space_id and c.id = n.collection_id for key share of c) n,
                        lateral portico_unique_rows(n.space_id, n.collection_id, n.id, n.data, n.fields) u
                  where (n.old_data -> u.field) is distinct from (n.data -> u.field)),
               stored as (insert into record_uniques select space_id, collection_id, field, value_hash, record_id from expected on conflict do nothing returning field, record_id)
          ${TAKEN}
        else
          insert into record_values (space_id, collection_id, record_id, field, kind, num, txt, ctxt)
          select v.* from new_rows n join collections c on c.space_id = n.space_id and c.id = n.collection_id,
                 lateral portico_value_rows(n.space_id, n.collection_id, n.id, n.data, c.fields) v;
          with expected as (
                 select u.*, n.indexing from (select n.*, c.fields, c.index_state <> 'ready' as indexing
                                                from new_rows n join collections c on c.space_id = n.space_id and c.id = n.collection_id for key share of c) n,
                        lateral portico_unique_rows(n.space_id, n.collection_id, n.id, n.data, n.fields) u),
               stored as (insert into record_uniques select space_id, collection_id, field, value_hash, record_id from expected on conflict do nothing returning field, record_id)
          ${TAKEN}
        end if;
        if taken is not null then
          raise exception 'unique value of "%" is taken', taken using errcode = 'unique_violation', constraint = 'record_uniques_pkey', column = taken;
        end if;
        return null;
      end
      $$`);
  }

  override async down(): Promise<void> {
    this.addSql(records_pivot(PROBE));
  }
}
