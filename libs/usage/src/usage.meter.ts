import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG, AppConfig } from '@app/config';
import { isUuid } from '@app/common';
import { addCounts, count, newCounts } from './usage-counts';
import { flushUsage } from './usage.queries';

/** A cell: what one (space, subject, path space) pair did in one minute. */
interface Cell {
  space: string | null;
  subject: string | null;
  /** The path's space, for a refused key whose space is only known to the database. */
  path: string | null;
  minute: number;
  counts: number[];
}

/**
 * Past this many cells in one flush window, new unattributed pairs fold into one cell
 * per minute: a client inventing key ids cannot grow the meter's memory.
 */
const MAX_CELLS = 50_000;

/** The space a request's path names, when it is a well-formed id. */
function pathSpace(request: FastifyRequest): string | null {
  const id = (request.params as Record<string, unknown> | undefined)?.space_id;
  return isUuid(id) ? id : null;
}

/**
 * Counts every request by (space, key or user, minute), status class and latency bucket
 * in memory (API.md, "Usage and metrics"). The request path only finds its cell in nested
 * maps and increments three numbers: no I/O, no lock, and no allocation once the cell
 * exists. A timer writes everything counted since the last flush in one statement (at
 * most every USAGE_FLUSH_INTERVAL, default 10 s, and at shutdown); the database adds
 * what each instance sends, so instances add up. A flush that fails is kept and sent with
 * the next one.
 */
@Injectable()
export class UsageMeter implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(UsageMeter.name);
  /** minute → space ('' for none) → subject-and-path key → cell. */
  private cells = new Map<number, Map<string, Map<string, Cell>>>();
  private size = 0;
  private retry: Cell[] = [];
  private timer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly em: EntityManager,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush(), this.config.usage.flushIntervalMs).unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  /** The onResponse hook's work: attribute the request, then count it. */
  record(request: FastifyRequest, reply: FastifyReply, now = Date.now()): void {
    const principal = request.principal;
    let space: string | null;
    let subject: string | null = null;
    let path: string | null = null;
    if (principal?.kind === 'api_key') {
      space = principal.spaceId;
      subject = principal.id;
    } else if (principal) {
      space = pathSpace(request) ?? principal.app?.spaceId ?? null;
      if (space) subject = principal.id;
    } else if (request.claimedKey) {
      space = request.claimedKey.spaceId;
      subject = request.claimedKey.id;
      if (!space) path = pathSpace(request);
    } else {
      path = pathSpace(request);
      // Anonymous requests outside any space (health probes, docs, sign-in pages) are not
      // usage; a refused credential is, platform-wide when it names no space.
      if (!path && reply.statusCode !== 401) return;
      space = path;
      path = null;
    }
    count(this.cell(Math.floor(now / 60_000), space, subject, path).counts, reply.statusCode, reply.elapsedTime);
  }

  private cell(minute: number, space: string | null, subject: string | null, path: string | null): Cell {
    let spaces = this.cells.get(minute);
    if (!spaces) this.cells.set(minute, (spaces = new Map<string, Map<string, Cell>>()));
    const spaceKey = space ?? '';
    let subjects = spaces.get(spaceKey);
    if (!subjects) spaces.set(spaceKey, (subjects = new Map<string, Cell>()));
    // A path space only matters for a key still to be resolved (rare): only then is a key built.
    const subjectKey = path ? `${subject ?? ''}/${path}` : (subject ?? '');
    let cell = subjects.get(subjectKey);
    if (!cell) {
      if (this.size >= MAX_CELLS && (subject || path)) return this.cell(minute, space, null, null);
      cell = { space, subject, path, minute, counts: newCounts() };
      subjects.set(subjectKey, cell);
      this.size++;
    }
    return cell;
  }

  /** Writes what was counted by the time its turn comes: flushes run one at a time, in order. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.write());
    return this.flushing;
  }

  private async write(): Promise<void> {
    const batch = this.retry;
    this.retry = [];
    for (const spaces of this.cells.values())
      for (const subjects of spaces.values()) for (const cell of subjects.values()) batch.push(cell);
    this.cells = new Map();
    this.size = 0;
    if (batch.length === 0) return;
    const entries = batch.map((c) => ({
      s: c.space,
      k: c.subject,
      p: c.path,
      m: new Date(c.minute * 60_000).toISOString(),
      c: c.counts,
    }));
    try {
      await flushUsage.rows(this.em.getConnection(), { batchJson: JSON.stringify(entries) });
    } catch (error) {
      // Kept for the next flush, merged so that a long outage holds one cell per pair and minute.
      this.retry = this.merge(batch);
      this.logger.warn(`usage not recorded yet (${batch.length} cells kept): ${(error as Error).message}`);
    }
  }

  private merge(batch: Cell[]): Cell[] {
    const byKey = new Map<string, Cell>();
    for (const cell of batch) {
      const key = `${cell.minute}/${cell.space}/${cell.subject}/${cell.path}`;
      const seen = byKey.get(key);
      if (seen) addCounts(seen.counts, cell.counts);
      else byKey.set(key, cell);
    }
    return [...byKey.values()].slice(-MAX_CELLS);
  }
}
