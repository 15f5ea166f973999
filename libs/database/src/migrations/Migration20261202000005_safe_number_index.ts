import { Migration } from '@mikro-orm/migrations';

/**
 * Number fields are indexed and compared through `portico_number(text)`, a cast that
 * yields null instead of failing. Live records always hold numbers there (writes and
 * schema changes validate them), but CREATE INDEX also reads rows that are deleted yet
 * still visible to a running transaction: a text value deleted just before a field
 * became a number made the index build, and so the schema change, fail with
 * "invalid input syntax for type numeric". The function is a single immutable SQL
 * expression, so the planner inlines it in queries and index definitions alike and
 * the indexes keep serving sorts and range filters.
 *
 * Existing number indexes are rebuilt on the new expression.
 */
export class Migration20261202000005_safe_number_index extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create function portico_number(value text) returns numeric language sql immutable parallel safe as $$
        select case when value ~ '^-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?$' then value::numeric end
      $$`);
    this.addSql(`
      do $$
      declare r record;
      begin
        for r in select indexname, indexdef from pg_indexes
                  where schemaname = current_schema() and tablename = 'records' and indexname like 'records_ix_%' and indexdef like '%)::numeric%'
        loop
          execute format('drop index %I', r.indexname);
          execute regexp_replace(r.indexdef, '\\(\\(data ->> (''[a-z][a-z0-9_]*''::text)\\)\\)::numeric', 'portico_number((data ->> \\1))', 'g');
        end loop;
      end $$`);
  }

  override async down(): Promise<void> {
    this.addSql(`
      do $$
      declare r record;
      begin
        for r in select indexname, indexdef from pg_indexes
                  where schemaname = current_schema() and tablename = 'records' and indexname like 'records_ix_%' and indexdef like '%portico_number(%'
        loop
          execute format('drop index %I', r.indexname);
          execute regexp_replace(r.indexdef, 'portico_number\\(\\(data ->> (''[a-z][a-z0-9_]*''::text)\\)\\)', '((data ->> \\1))::numeric', 'g');
        end loop;
      end $$`);
    this.addSql('drop function portico_number');
  }
}
