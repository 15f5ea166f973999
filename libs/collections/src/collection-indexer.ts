import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { APP_CONFIG, AppConfig } from '@app/config';
import { StateLog } from '@app/common';
import { uniqueFieldOf } from './pivots';
import { ConversionStalled, FieldConverter } from './field-converter';
import {
  advanceReindexJob,
  anyReindexJob,
  deleteReindexJob,
  ReindexJob,
  resyncPivotBatch,
  setIndexState,
  takeReindexJob,
} from './collections.queries';

/** How often an idle indexer looks for jobs other instances scheduled, or a crashed one left. */
const SWEEP_MS = 30_000;

/** How long one tick may keep working before it lets the event loop (and other instances) in. */
const TICK_BUDGET_MS = 200;

/**
 * The background worker: re-index jobs first, then field conversions (field-converter.ts).
 * The re-indexer (migration 9, docs/storage.md): takes one pending job at a
 * time (`for update skip locked`, so instances share the work without doing it twice),
 * rebuilds one batch of records per transaction, and saves its position with the batch,
 * so a crash loses at most the batch in flight. When no record is left, the collection
 * is 'ready' again. A unique conflict (duplicates written before the field became
 * unique could not get past the trigger's probe, so this is a bug or manual data) marks
 * the collection 'failed' and ends the job.
 */
@Injectable()
export class CollectionIndexer implements OnModuleInit, BeforeApplicationShutdown {
  private readonly log = new StateLog(new Logger(CollectionIndexer.name), 'background re-index failed');
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private stopped = false;
  /** Work may be waiting: on start (a crash may have left a job) and when this instance schedules one. */
  private pending = true;
  private lastSweep = 0;
  /** A wake keeps looking this long, as the job commits only with the schema change. */
  private wokenUntil = 0;

  constructor(
    private readonly em: EntityManager,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly converter: FieldConverter,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => {
      if (this.running || (!this.pending && Date.now() - this.lastSweep < SWEEP_MS)) return;
      this.running = this.tick().finally(() => (this.running = undefined));
    }, this.config.storage.reindexIntervalMs).unref();
  }

  /** Before any module closes (the ORM among them), so no batch starts on a closed pool. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  /** A job was scheduled here: start on it at the next tick rather than the next sweep. */
  wake(): void {
    this.pending = true;
    this.wokenUntil = Date.now() + 5000;
  }

  private idle(): void {
    this.lastSweep = Date.now();
    if (this.lastSweep > this.wokenUntil) this.pending = false;
  }

  /** Works through batches for up to TICK_BUDGET_MS; true while work remains. */
  async tick(): Promise<boolean> {
    const until = Date.now() + TICK_BUDGET_MS;
    try {
      // A cheap look first, so an idle instance opens no transaction.
      const waiting = await anyReindexJob.rows(this.em.getConnection(), {});
      if (waiting.length === 0) {
        this.idle();
        return false;
      }
      while (!this.stopped && Date.now() < until) {
        if (!(await this.batch())) {
          this.idle();
          return false;
        }
        // A conversion waits out its grace period: look again next tick, not in a tight loop.
        if (this.converter.waiting) {
          this.converter.waiting = false;
          return true;
        }
      }
      return true;
    } catch (error) {
      this.log.failed((error as Error).message);
      return true;
    }
  }

  /** One batch of one job in one transaction; false when there was no job. */
  async batch(): Promise<boolean> {
    const worked = await this.turn();
    // A conversion whose data key was not open here: open it, then take the turn again.
    return (await this.converter.openWantedKey()) ? this.turn() : worked;
  }

  private async turn(): Promise<boolean> {
    let taken: ReindexJob | undefined;
    try {
      return await this.em.fork().transactional(async (em) => {
        const job = await takeReindexJob.first(em, {});
        // No re-index waiting (or all taken by other instances): a field conversion's turn.
        if (!job) return this.converter.batch(em);
        taken = job;
        const scope = { spaceId: job.space_id, collectionId: job.collection_id };
        const done = await resyncPivotBatch.first(em, {
          ...scope,
          afterRecordId: job.after_record_id,
          batch: this.config.storage.reindexBatch,
        });
        const last = done?.last ?? null;
        if (last === null) await this.finish(em, job, 'ready');
        else await advanceReindexJob.rows(em, { ...scope, afterRecordId: last });
        return true;
      });
    } catch (error) {
      if (error instanceof ConversionStalled) {
        const stalled = error.job;
        await this.em.fork().transactional((em) => this.converter.postpone(em, stalled));
        return true;
      }
      if (!taken || !uniqueFieldOf(error)) throw error;
      // The batch rolled back; the verdict is written in a transaction of its own.
      const job = taken;
      await this.em.fork().transactional((em) => this.finish(em, job, 'failed'));
      return true;
    }
  }

  private async finish(em: EntityManager, job: ReindexJob, state: 'ready' | 'failed'): Promise<void> {
    const scope = { spaceId: job.space_id, collectionId: job.collection_id };
    await setIndexState.rows(em, { ...scope, state });
    await deleteReindexJob.rows(em, scope);
  }
}
