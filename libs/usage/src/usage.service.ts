import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { APP_CONFIG, AppConfig, retentionDaysFor } from '@app/config';
import { tierOfSpace } from '@app/spaces';
import { badRequest, forbidden, Ports, Principal } from '@app/common';
import { toPoint } from './usage-counts';
import { Grain, requestsLast24h, usageSeries, WHOLE_SPACE } from './usage.queries';
import { UsageQueryDto, UsageSeriesDto } from './dto/usage.dto';

const PERIOD_MS: Record<Grain, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
/** The default range, in periods before `to`. */
const DEFAULT_PERIODS: Record<Grain, number> = { minute: 60, hour: 24, day: 30 };
export const MAX_POINTS = 400;

/** Reading usage: a space's (admins, keys with audit:read) or the platform's (platform admins). */
@Injectable()
export class UsageService {
  constructor(
    private readonly em: EntityManager,
    private readonly ports: Ports,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async ofSpace(principal: Principal, spaceId: string, query: UsageQueryDto): Promise<UsageSeriesDto> {
    await this.ports.get('spaceAuthorizer').authorize(principal, spaceId, 'audit.read');
    const tier = (await tierOfSpace.first(this.em.getConnection(), { spaceId }))?.tier;
    const range = this.range(query, retentionDaysFor(this.config, tier));
    const subjectId = query.key_id ?? WHOLE_SPACE;
    const rows = await usageSeries[range.grain].space.rows(this.em.getConnection(), { spaceId, subjectId, ...range });
    return this.points(range, rows);
  }

  async ofPlatform(principal: Principal, query: UsageQueryDto): Promise<UsageSeriesDto> {
    if (principal.kind !== 'user' || !principal.isPlatformAdmin || principal.app)
      throw forbidden('Only platform admins may read platform-wide usage.');
    if (query.key_id) throw badRequest('key_id applies to a space: use GET /api/spaces/{space_id}/usage.');
    const range = this.range(query, this.config.audit.retentionDays.platform);
    const rows = await usageSeries[range.grain].platform.rows(this.em.getConnection(), {
      subjectId: WHOLE_SPACE,
      ...range,
    });
    return this.points(range, rows);
  }

  /** `requests_24h` for a page of keys: one statement for the page. */
  async requests24h(spaceId: string, keyIds: string[]): Promise<Map<string, number>> {
    if (keyIds.length === 0) return new Map();
    const rows = await requestsLast24h.rows(this.em.getConnection(), { spaceId, idsJson: JSON.stringify(keyIds) });
    return new Map(rows.map((r) => [r.id, Number(r.n)]));
  }

  /** The periods asked for, checked against the point cap and what retention keeps. */
  private range(query: UsageQueryDto, tierDays: number): { grain: Grain; from: Date; to: Date } {
    const grain = query.granularity ?? 'hour';
    const period = PERIOD_MS[grain];
    const now = Date.now();
    const to = query.to ? Date.parse(query.to) : now;
    const start = query.from ? Date.parse(query.from) : to - DEFAULT_PERIODS[grain] * period;
    // ISO 8601 that JavaScript cannot place in time (say, a year past 275760) is the caller's mistake.
    if (!Number.isFinite(to) || !Number.isFinite(start)) throw badRequest('`from` and `to` must be instants in time.');
    const from = Math.floor(start / period) * period;
    if (from >= to) throw badRequest('`from` must be earlier than `to`.');
    const points = Math.ceil((to - from) / period);
    if (points > MAX_POINTS)
      throw badRequest(
        `This range holds ${points} ${grain}s; a usage query returns at most ${MAX_POINTS} points. ` +
          'Narrow from/to or choose a coarser granularity.',
      );
    const keptDays =
      grain === 'minute'
        ? Math.min(this.config.usage.minuteDays, tierDays)
        : grain === 'hour'
          ? Math.min(this.config.usage.hourDays, tierDays)
          : tierDays;
    // One period of slack, so "the last N days" at the edge of retention is not refused.
    if (from < now - keptDays * 86_400_000 - period)
      throw badRequest(
        `${grain} usage is kept for ${keptDays} days here; \`from\` is earlier. ` +
          (grain === 'day' ? 'Older usage has been deleted.' : 'Use a coarser granularity for older periods.'),
      );
    return { grain, from: new Date(from), to: new Date(to) };
  }

  private points(
    range: { grain: Grain; from: Date; to: Date },
    rows: { at: Date | string; counts: (number | string)[] }[],
  ): UsageSeriesDto {
    const byAt = new Map(rows.map((r) => [new Date(r.at).getTime(), r.counts.map(Number)]));
    const period = PERIOD_MS[range.grain];
    const data = [];
    for (let at = range.from.getTime(); at < range.to.getTime(); at += period)
      data.push(toPoint(new Date(at), byAt.get(at)));
    return { data };
  }
}
