import { Migration } from '@mikro-orm/migrations';

/**
 * Usage counters (API.md, "Usage and metrics"): one row per (space, subject, period) in
 * three grains, minute, hour and day, written only by the usage meter's flush (one
 * statement per instance per flush, never per request). `counts` is one bigint array:
 * requests, the status classes of the contract (2xx, 401, 403, 404, 429, other 4xx, 5xx),
 * then the latency histogram's fixed buckets (libs/usage/src/usage-counts.ts has the
 * layout). Instances add theirs with `usage_add`, so several add up without coordination.
 *
 * `subject_id` is a key or user id, or the nil uuid for the whole space; `space_id` null is
 * the platform (requests that named no known space). Rows go with their space. A deleted
 * key leaves a tombstone naming its space, so its refused requests still count for it.
 */
export class Migration20261205000014_usage extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create function usage_add(a bigint[], b bigint[]) returns bigint[] language sql immutable parallel safe as $$
         select case when a is null then b when b is null then a
           else array(select coalesce(x, 0) + coalesce(y, 0) from unnest(a, b) with ordinality as u(x, y, i) order by i) end
       $$`,
    );
    this.addSql('create aggregate usage_sum(bigint[]) (sfunc = usage_add, stype = bigint[])');
    for (const grain of ['minutes', 'hours', 'days']) {
      this.addSql(
        `create table usage_${grain} (
           space_id uuid references spaces (id) on delete cascade,
           subject_id uuid not null,
           at timestamptz not null,
           counts bigint[] not null,
           constraint usage_${grain}_key unique nulls not distinct (space_id, subject_id, at)
         )`,
      );
      // Retention deletes by age across spaces; a BRIN index on an append-mostly time column is tiny.
      this.addSql(`create index usage_${grain}_at_idx on usage_${grain} using brin (at)`);
    }
    this.addSql(
      `create table api_key_tombstones (
         id uuid primary key,
         space_id uuid not null,
         deleted_at timestamptz not null default now()
       )`,
    );
    this.addSql(
      `create function api_key_tombstone() returns trigger language plpgsql as $$
       begin
         insert into api_key_tombstones (id, space_id) select id, space_id from gone on conflict (id) do nothing;
         return null;
       end $$`,
    );
    this.addSql(
      `create trigger api_keys_tombstone after delete on api_keys
         referencing old table as gone for each statement execute function api_key_tombstone()`,
    );
  }

  override async down(): Promise<void> {
    this.addSql('drop trigger api_keys_tombstone on api_keys');
    this.addSql('drop function api_key_tombstone()');
    this.addSql('drop table api_key_tombstones');
    for (const grain of ['minutes', 'hours', 'days']) this.addSql(`drop table usage_${grain}`);
    this.addSql('drop aggregate usage_sum(bigint[])');
    this.addSql('drop function usage_add(bigint[], bigint[])');
  }
}
