import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { RequestMeta } from '@app/audit';
import { recordKeyUses } from './api-keys.queries';

/** A use is visible in last_used_at within about this long (plus one statement). */
const FLUSH_EVERY_MS = 1_000;
/**
 * A key's last_used_at is written at most once per this period: accurate to it, and a
 * busy key costs one row update per period, batched with every other key's in one
 * statement per flush. An idle flush costs nothing.
 */
const GRANULARITY_MS = 10_000;

const NO_META: RequestMeta = { ip: null, userAgent: null, requestId: null };

/**
 * Records key use off the request path: the request only touches a Map; a timer
 * writes all keys used since the last flush in one statement, which also appends
 * `api_key.first_use` for keys never used before (with the first request's address and id).
 */
@Injectable()
export class LastUsedTracker implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(LastUsedTracker.name);
  private readonly pending = new Map<string, { at: Date; meta: RequestMeta }>();
  private readonly written = new Map<string, number>();
  private timer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly em: EntityManager) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush(), FLUSH_EVERY_MS).unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  /** `meta` is only called when the use is recorded: the hot path mostly returns at the first check. */
  touch(keyId: string, meta: () => RequestMeta = () => NO_META, now = Date.now()): void {
    const last = this.written.get(keyId);
    if (last !== undefined && now - last < GRANULARITY_MS) return;
    this.written.set(keyId, now);
    this.pending.set(keyId, { at: new Date(now), meta: meta() });
  }

  /**
   * Writes the uses recorded by the time its turn comes. Flushes run one at a time, in
   * order: a caller's flush also waits for the timer's in-flight one, whose batch it
   * would otherwise miss.
   */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.write());
    return this.flushing;
  }

  private async write(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = [...this.pending];
    this.pending.clear();
    const uses = batch.map(([id, { at, meta }]) => ({
      id,
      at: at.toISOString(),
      ip: meta.ip,
      user_agent: meta.userAgent,
      request_id: meta.requestId,
    }));
    try {
      await recordKeyUses.rows(this.em.getConnection(), { batchJson: JSON.stringify(uses) });
    } catch (error) {
      this.logger.warn(`last_used_at not recorded: ${(error as Error).message}`);
    }
  }
}
