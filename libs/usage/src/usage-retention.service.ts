import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { APP_CONFIG, AppConfig, retentionDaysFor } from '@app/config';
import { runPeriodically } from '@app/common';
import { trimUsage } from './usage.queries';

/** Deletes usage rows past their retention, on the audit retention job's schedule. */
@Injectable()
export class UsageRetention implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(UsageRetention.name);
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
      'usage retention',
    );
  }

  onApplicationShutdown(): void {
    this.stop?.();
  }

  async run(): Promise<number> {
    const days = this.config.audit.retentionDays;
    const row = await trimUsage.first(this.em.getConnection(), {
      minuteDays: this.config.usage.minuteDays,
      hourDays: this.config.usage.hourDays,
      daysJson: JSON.stringify(days),
      defaultDays: retentionDaysFor(this.config, undefined),
      platformDays: days.platform,
    });
    const n = Number(row?.n ?? 0);
    if (n) this.logger.log(`usage retention removed ${n} rows`);
    return n;
  }
}
