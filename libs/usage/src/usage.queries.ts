import { statement, Statement } from '@app/database';

/** Every statement of the usage lib. */

/** The subject of a space's (or the platform's) whole-space rows. */
export const WHOLE_SPACE = '00000000-0000-0000-0000-000000000000';

export const GRAINS = ['minute', 'hour', 'day'] as const;
export type Grain = (typeof GRAINS)[number];

/**
 * One flush: `batchJson` is `[{ s, k, p, m, c }]`, one entry per cell the instance counted
 * (space or null, subject or null, the path's space or null, minute, counts). Each entry
 * counts in its own space; a refused key that named no known space counts in its key's
 * (its row, or its tombstone once deleted); else in the path's space; a space that does
 * not exist leaves the entry to the platform rows, without a subject. Every entry also adds
 * to its space's whole-space row. Rows are upserted in key order, so two instances
 * flushing at once take their row locks in the same order and cannot deadlock.
 */
export const flushUsage = statement<{ batchJson: string }, { n: number }>(
  'flush-usage',
  `/* background */ with b as (
     select * from jsonb_to_recordset(cast(:batchJson as jsonb)) as b(s uuid, k uuid, p uuid, m timestamptz, c bigint[])),
   r as (
     select sp.id as space_id, case when sp.id is not null and o.space_id is not null then b.k end as subject_id, b.m, b.c
       from b
       left join api_keys k on b.s is null and k.id = b.k
       left join api_key_tombstones t on b.s is null and k.id is null and t.id = b.k
       cross join lateral (select coalesce(b.s, k.space_id, t.space_id) as space_id) o
       left join spaces sp on sp.id = coalesce(o.space_id, b.p)),
   x as (
     select space_id, subject_id, m, c from r where subject_id is not null
     union all
     select space_id, '${WHOLE_SPACE}'::uuid, m, c from r),
   minutes as (
     insert into usage_minutes (space_id, subject_id, at, counts)
     select space_id, subject_id, m, usage_sum(c) from x group by 1, 2, 3 order by 1, 2, 3
     on conflict on constraint usage_minutes_key do update set counts = usage_add(usage_minutes.counts, excluded.counts)),
   hours as (
     insert into usage_hours (space_id, subject_id, at, counts)
     select space_id, subject_id, date_trunc('hour', m, 'UTC'), usage_sum(c) from x group by 1, 2, 3 order by 1, 2, 3
     on conflict on constraint usage_hours_key do update set counts = usage_add(usage_hours.counts, excluded.counts)),
   days as (
     insert into usage_days (space_id, subject_id, at, counts)
     select space_id, subject_id, date_trunc('day', m, 'UTC'), usage_sum(c) from x group by 1, 2, 3 order by 1, 2, 3
     on conflict on constraint usage_days_key do update set counts = usage_add(usage_days.counts, excluded.counts))
   select count(*)::int as n from b`,
);

export interface SeriesRow {
  at: Date | string;
  counts: (number | string)[];
}

type SeriesParams = { spaceId: string; subjectId: string; from: Date; to: Date };

/** A space's (or, with space null, the platform's) stored periods in [from, to), by grain. */
export const usageSeries = Object.fromEntries(
  GRAINS.map((grain) => [
    grain,
    {
      space: statement<SeriesParams, SeriesRow>(
        `usage-${grain}s`,
        `select at, counts from usage_${grain}s
          where space_id = :spaceId and subject_id = :subjectId and at >= :from and at < :to order by at`,
      ),
      platform: statement<Omit<SeriesParams, 'spaceId'>, SeriesRow>(
        `platform-usage-${grain}s`,
        `select at, counts from usage_${grain}s
          where space_id is null and subject_id = :subjectId and at >= :from and at < :to order by at`,
      ),
    },
  ]),
) as Record<
  Grain,
  { space: Statement<SeriesParams, SeriesRow>; platform: Statement<Omit<SeriesParams, 'spaceId'>, SeriesRow> }
>;

/**
 * Requests in the last 24 hours for some subjects of a space: whole hours from the hour
 * table, and the minutes of the oldest, partial hour from the minute table (at most 24 +
 * 60 rows a subject).
 */
export const requestsLast24h = statement<{ spaceId: string; idsJson: string }, { id: string; n: string | number }>(
  'usage-requests-24h',
  `with ids as (select cast(jsonb_array_elements_text(cast(:idsJson as jsonb)) as uuid) as id),
        edge as (select date_trunc('hour', now(), 'UTC') - interval '23 hours' as at)
   select u.subject_id as id, sum(u.counts[1]) as n from (
       select subject_id, counts from usage_hours, edge
        where space_id = :spaceId and subject_id in (select id from ids) and usage_hours.at >= edge.at
       union all
       select subject_id, counts from usage_minutes, edge
        where space_id = :spaceId and subject_id in (select id from ids)
          and usage_minutes.at >= now() - interval '24 hours' and usage_minutes.at < edge.at
     ) u group by u.subject_id`,
);

/**
 * Retention: minutes are kept `minuteDays`, hours `hourDays`, days as long as the space's
 * tier keeps its audit log (`daysJson`: tier → days, `platform` for platform rows), hours
 * no longer than that either. Tombstones last as long as the platform's rows. The
 * tier-independent bound on `at` (an init plan) lets the BRIN index skip recent blocks.
 */
export const trimUsage = statement<
  { minuteDays: number; hourDays: number; daysJson: string; defaultDays: number; platformDays: number },
  { n: number }
>(
  'trim-usage',
  `/* background */ with kept as (
     select s.id, coalesce((cast(:daysJson as jsonb) ->> s.tier)::int, :defaultDays) as days from spaces s),
   m as (delete from usage_minutes where at < now() - make_interval(days => :minuteDays) returning 1),
   h as (delete from usage_hours u using kept
          where u.space_id = kept.id and u.at < now() - make_interval(days => least(:hourDays, kept.days))
            and u.at < now() - make_interval(days => least(:hourDays, (select min(days) from kept))) returning 1),
   hp as (delete from usage_hours where space_id is null and at < now() - make_interval(days => :hourDays) returning 1),
   d as (delete from usage_days u using kept
          where u.space_id = kept.id and u.at < now() - make_interval(days => kept.days)
            and u.at < now() - make_interval(days => (select min(days) from kept)) returning 1),
   dp as (delete from usage_days where space_id is null and at < now() - make_interval(days => :platformDays) returning 1),
   t as (delete from api_key_tombstones where deleted_at < now() - make_interval(days => :platformDays) returning 1)
   select (select count(*) from m) + (select count(*) from h) + (select count(*) from hp) + (select count(*) from d)
     + (select count(*) from dp) + (select count(*) from t) as n`,
);
