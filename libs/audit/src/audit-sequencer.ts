import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { APP_CONFIG, AppConfig } from '@app/config';
import { runPeriodically } from '@app/common';
import { linkAuditChain, unlinkedChains } from './audit.queries';

interface Run {
  done: Promise<void>;
  next?: Promise<void>;
}

/** How long `soon` gathers a chain's writes before linking them. */
const GATHER_MS = 10;

/** Entries one link transaction takes at most: it holds the chain's head that long. */
const LINK_BATCH = 5000;

/**
 * Joins committed entries to their chain (migration 19, docs/audit.md). Writers insert
 * entries unlinked with their change and hold no chain lock; `audit_link` then links a
 * chain's committed entries in one short transaction under the head lock.
 *
 * A write asks for its chain to be linked soon (`soon`): requests for a chain coalesce
 * into one run at a time plus one more for those that came during it, so fifty writers
 * in a space cost a few link transactions, not fifty. Readers of a chain settle it first
 * (`settle`), so what they read is linked. A periodic sweep links whatever is left —
 * entries written inside other transactions, or by an instance that crashed — and a
 * last sweep runs at shutdown.
 */
@Injectable()
export class AuditSequencer implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(AuditSequencer.name);
  private stop?: () => void;
  /** Per chain: the run in progress, and the one asked for meanwhile. */
  private readonly runs = new Map<string, Run>();
  /** Chains with a link asked for and not yet started. */
  private readonly waiting = new Set<string>();
  private stopped = false;

  constructor(
    private readonly em: EntityManager,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.stop = runPeriodically(this.config.audit.linkIntervalMs, () => this.sweep(), this.logger, 'audit linking');
  }

  /** Before the ORM closes: entries of this instance's last requests are linked now rather than by the next start. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stop?.();
    this.stopped = true;
    await Promise.allSettled([...this.runs.values()].map((r) => r.done));
    await this.sweep().catch((error: unknown) => this.logger.warn(`audit linking failed: ${(error as Error).message}`));
  }

  /** Links the chain's committed entries in the background, soon; failures wait for the sweep. */
  soon(spaceId: string): void {
    // Gathered for a few milliseconds: the writes of that window share one link
    // transaction (on this class of machine a round trip costs more than linking).
    if (this.waiting.has(spaceId)) return;
    this.waiting.add(spaceId);
    setTimeout(() => {
      this.waiting.delete(spaceId);
      // Shutting down: the last sweep takes it, before the pool closes.
      if (this.stopped) return;
      this.settle(spaceId).catch((error: unknown) =>
        this.logger.warn(`audit linking failed: ${(error as Error).message}`),
      );
    }, GATHER_MS).unref();
  }

  /** Resolves once every entry of the chain committed before the call is linked. */
  settle(spaceId: string): Promise<void> {
    const run = this.runs.get(spaceId);
    // The run in progress may have read the chain before the caller's entry committed:
    // the caller waits for the one after it, which every such caller shares.
    if (run) {
      const after = () => this.settle(spaceId);
      return (run.next ??= run.done.then(after, after));
    }
    const state: Run = {
      done: this.linkAll(spaceId)
        .then(() => undefined)
        .finally(() => this.runs.delete(spaceId)),
    };
    this.runs.set(spaceId, state);
    return state.done;
  }

  /** Every chain with unlinked entries; returns how many entries were linked. */
  async sweep(): Promise<number> {
    let linked = 0;
    for (const { space_id } of await unlinkedChains.rows(this.em.fork(), {})) linked += await this.linkAll(space_id);
    return linked;
  }

  private async linkAll(spaceId: string): Promise<number> {
    let total = 0;
    for (;;) {
      const n = (await linkAuditChain.first(this.em.fork(), { spaceId, limit: LINK_BATCH }))?.n ?? 0;
      total += n;
      if (n < LINK_BATCH) return total;
    }
  }
}
