import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { RequestMeta } from '@app/audit';

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

  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = [...this.pending];
    this.pending.clear();
    const values = batch.map(() => '(cast(? as uuid), cast(? as timestamptz), ?, ?, ?)').join(', ');
    try {
      // Keys never used before and keys used before are updated apart: the first group's
      // rows feed `api_key.first_use` entries. If another instance records the first use
      // meanwhile, the re-checked `last_used_at is null` drops the row here, so it is recorded once.
      await this.em.getConnection().execute(
        `/* background */ with v (id, at, ip, user_agent, request_id) as (values ${values}),
         first as (update api_keys k set last_used_at = v.at from v where k.id = v.id and k.last_used_at is null
                   returning k.space_id, k.id, k.label, v.ip, v.user_agent, v.request_id),
         later as (update api_keys k set last_used_at = v.at from v where k.id = v.id and k.last_used_at is not null returning 1),
         audit as (
           insert into audit_logs (space_id, actor_type, actor_id, actor_label, action, outcome, resource_type, resource_id, ip, user_agent, request_id)
           select space_id, 'api_key', id::text, label, 'api_key.first_use', 'success', 'api_key', id::text, ip, user_agent, request_id from first returning 1)
         select (select count(*) from audit) as first_uses, (select count(*) from later) as later_uses`,
        batch.flatMap(([id, { at, meta }]) => [id, at, meta.ip, meta.userAgent, meta.requestId]),
      );
    } catch (error) {
      this.logger.warn(`last_used_at not recorded: ${(error as Error).message}`);
    }
  }
}
