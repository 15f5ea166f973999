import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { APP_CONFIG, AppConfig } from '@app/config';
import { runPeriodically } from '@app/common';
import { purgeExpired } from './oauth.queries';

/** Deletes expired authorization codes and sign-in sessions, on the retention jobs' schedule. */
@Injectable()
export class OAuthRetention implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(OAuthRetention.name);
  private stop?: () => void;

  constructor(
    private readonly em: EntityManager,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.stop = runPeriodically(this.config.audit.retentionIntervalMs, () => this.run(), this.logger, 'OAuth purge');
  }

  onApplicationShutdown(): void {
    this.stop?.();
  }

  async run(): Promise<{ codes: number; sessions: number }> {
    const purged = (await purgeExpired.first(this.em.getConnection(), {})) ?? { codes: 0, sessions: 0 };
    if (purged.codes || purged.sessions)
      this.logger.log(`purged ${purged.codes} expired code(s) and ${purged.sessions} session(s)`);
    return purged;
  }
}
