import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { APP_CONFIG, AppConfig, retentionDaysFor } from '@app/config';
import { runPeriodically } from '@app/common';
import { PLATFORM_LOG } from './audit-event';
import { allowRetention, auditChains, lockAuditChain, trimAuditChain } from './audit.queries';

/**
 * Deletes entries older than their space's tier keeps them, periodically. Only a
 * prefix of a chain is ever deleted, and the last deleted entry's hash becomes the
 * chain's anchor, so what is kept still verifies from its first entry. The
 * append-only trigger lets these deletes through only inside this job's transaction.
 */
@Injectable()
export class AuditRetention implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(AuditRetention.name);
  private stop?: () => void;

  constructor(
    private readonly em: EntityManager,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.stop = runPeriodically(
      this.config.audit.retentionIntervalMs,
      () => this.run(),
      this.logger,
      'audit retention',
    );
  }

  onApplicationShutdown(): void {
    this.stop?.();
  }

  private daysFor(spaceId: string, tier: string | null): number {
    if (spaceId === PLATFORM_LOG) return this.config.audit.retentionDays.platform;
    return retentionDaysFor(this.config, tier);
  }

  /** One pass over every chain; returns how many entries were deleted. `now` is a parameter so tests can move time. */
  async run(now = new Date()): Promise<number> {
    const chains = await auditChains.rows(this.em.fork(), {});
    let deleted = 0;
    for (const chain of chains) {
      const cutoff = new Date(now.getTime() - this.daysFor(chain.space_id, chain.tier) * 86_400_000);
      deleted += await this.em.fork().transactional(async (em) => {
        await allowRetention.rows(em, {});
        await lockAuditChain.rows(em, { spaceId: chain.space_id });
        const trimmed = await trimAuditChain.first(em, { spaceId: chain.space_id, cutoff });
        return trimmed?.n ?? 0;
      });
    }
    if (deleted) this.logger.log(`audit retention removed ${deleted} entries`);
    return deleted;
  }
}
