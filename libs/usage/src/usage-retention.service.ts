import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { APP_CONFIG, AppConfig } from '@app/config';
import { trimUsage } from './usage.queries';

/** Deletes usage rows past their retention, on the audit retention job's schedule. */
@Injectable()
export class UsageRetention implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(UsageRetention.name);
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly em: EntityManager,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => {
      this.run().catch((error: unknown) => this.logger.warn(`usage retention failed: ${(error as Error).message}`));
    }, this.config.audit.retentionIntervalMs).unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async run(): Promise<number> {
    const days = this.config.audit.retentionDays;
    const row = await trimUsage.first(this.em.getConnection(), {
      minuteDays: this.config.usage.minuteDays,
      hourDays: this.config.usage.hourDays,
      daysJson: JSON.stringify(days),
      defaultDays: days[this.config.tiers.defaultTier] ?? days.free,
      platformDays: days.platform,
    });
    const n = Number(row?.n ?? 0);
    if (n) this.logger.log(`usage retention removed ${n} rows`);
    return n;
  }
}
