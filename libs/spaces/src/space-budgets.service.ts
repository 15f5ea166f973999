import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { isUuid } from '@app/common';
import { SpacesService } from './spaces.service';
import { tierOfSpace } from './spaces.queries';

const FRESH_MS = 30_000;

/**
 * A space's per-minute budget for the rate limiter, without a query per request:
 * cached for FRESH_MS, forgotten at once on this instance when the tier changes (other
 * instances follow within FRESH_MS).
 */
@Injectable()
export class SpaceBudgets {
  private readonly cache = new Map<string, { limit: number | undefined; at: number }>();

  constructor(
    private readonly em: EntityManager,
    private readonly spaces: SpacesService,
  ) {
    spaces.onTierChange((spaceId) => this.cache.delete(spaceId));
  }

  /** undefined when the space does not exist. */
  async limitOf(spaceId: string): Promise<number | undefined> {
    const hit = this.cache.get(spaceId);
    if (hit && Date.now() - hit.at < FRESH_MS) return hit.limit;
    if (!isUuid(spaceId)) return undefined;
    const row = await tierOfSpace.first(this.em.getConnection(), { spaceId });
    const limit = row ? this.spaces.limitOf(row.tier) : undefined;
    this.cache.set(spaceId, { limit, at: Date.now() });
    return limit;
  }
}
