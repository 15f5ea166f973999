import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';

const FLUSH_EVERY_MS = 30_000;
/** A key's last_used_at is written at most about once a minute. */
const GRANULARITY_MS = 60_000;

/**
 * Records key use off the request path: the request only touches a Map; a timer
 * writes all keys used since the last flush in one UPDATE.
 */
@Injectable()
export class LastUsedTracker implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(LastUsedTracker.name);
  private readonly pending = new Map<string, Date>();
  private readonly written = new Map<string, number>();
  private timer?: NodeJS.Timeout;

  constructor(private readonly em: EntityManager) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush(), FLUSH_EVERY_MS).unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  touch(keyId: string, now = Date.now()): void {
    const last = this.written.get(keyId);
    if (last !== undefined && now - last < GRANULARITY_MS) return;
    this.written.set(keyId, now);
    this.pending.set(keyId, new Date(now));
  }

  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = [...this.pending];
    this.pending.clear();
    const values = batch.map(() => '(cast(? as uuid), cast(? as timestamptz))').join(', ');
    try {
      await this.em.getConnection().execute(
        `update api_keys k set last_used_at = v.at from (values ${values}) as v(id, at) where k.id = v.id`,
        batch.flatMap(([id, at]) => [id, at]),
      );
    } catch (error) {
      this.logger.warn(`last_used_at not recorded: ${(error as Error).message}`);
    }
  }
}
