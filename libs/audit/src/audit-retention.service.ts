import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { APP_CONFIG, AppConfig } from '@app/config';
import { PLATFORM_LOG } from './audit-event';

/**
 * Deletes entries older than their space's tier keeps them, periodically. Only a
 * prefix of a chain is ever deleted, and the last deleted entry's hash becomes the
 * chain's anchor, so what is kept still verifies from its first entry. The
 * append-only trigger lets these deletes through only inside this job's transaction.
 */
@Injectable()
export class AuditRetention implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(AuditRetention.name);
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly em: EntityManager,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => {
      this.run().catch((error: unknown) => this.logger.warn(`audit retention failed: ${(error as Error).message}`));
    }, this.config.audit.retentionIntervalMs).unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private daysFor(spaceId: string, tier: string | null): number {
    const table = this.config.audit.retentionDays;
    if (spaceId === PLATFORM_LOG) return table.platform;
    // A deleted space's history is kept as long as the default tier's.
    return table[tier ?? this.config.tiers.defaultTier] ?? table[this.config.tiers.defaultTier] ?? table.free;
  }

  /** One pass over every chain; returns how many entries were deleted. `now` is a parameter so tests can move time. */
  async run(now = new Date()): Promise<number> {
    const chains = await this.em
      .fork()
      .execute<{ space_id: string; tier: string | null }[]>(
        'select c.space_id, s.tier from audit_chains c left join spaces s on s.id = c.space_id',
      );
    let deleted = 0;
    for (const chain of chains) {
      const cutoff = new Date(now.getTime() - this.daysFor(chain.space_id, chain.tier) * 86_400_000);
      deleted += await this.em.fork().transactional(async (em) => {
        await em.execute(`set local portico.audit_retention = 'on'`);
        // The head row lock keeps writers of this chain out while its prefix moves.
        await em.execute('select 1 from audit_chains where space_id = ? for update', [chain.space_id]);
        const [row] = await em.execute<{ n: number }[]>(
          `with last as (
             select seq, hash from audit_logs where space_id = ? and seq = (select max(seq) from audit_logs where space_id = ? and at < ?)
           ), gone as (
             delete from audit_logs a using last where a.space_id = ? and a.seq <= last.seq returning 1
           ), anchored as (
             update audit_chains c set anchor_seq = last.seq, anchor_hash = last.hash from last where c.space_id = ? returning 1
           )
           select count(*)::int as n from gone`,
          [chain.space_id, chain.space_id, cutoff, chain.space_id, chain.space_id],
        );
        return row.n;
      });
    }
    if (deleted) this.logger.log(`audit retention removed ${deleted} entries`);
    return deleted;
  }
}
