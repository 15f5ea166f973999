import { decide, Decision, windowOf } from './sliding-window';

/** Counts hits per budget and decides each atomically (check and increment as one step). */
export interface RateLimitStore {
  hit(key: string, limit: number, windowMs: number, now?: number): Promise<Decision>;
}

interface Entry {
  index: number;
  current: number;
  previous: number;
}

/** One process's budgets. Entries older than two windows are swept once a window. */
export class MemoryRateLimitStore implements RateLimitStore {
  private readonly entries = new Map<string, Entry>();
  private swept = 0;

  hit(key: string, limit: number, windowMs: number, now = Date.now()): Promise<Decision> {
    const { index } = windowOf(now, windowMs);
    this.sweep(index, windowMs, now);
    let entry = this.entries.get(key);
    if (!entry || entry.index < index - 1) entry = { index, current: 0, previous: 0 };
    else if (entry.index === index - 1) entry = { index, current: 0, previous: entry.current };
    const decision = decide({ previous: entry.previous, current: entry.current }, limit, now, windowMs);
    if (decision.allowed) entry.current++;
    this.entries.set(key, entry);
    return Promise.resolve(decision);
  }

  private sweep(index: number, windowMs: number, now: number): void {
    if (now - this.swept < windowMs) return;
    this.swept = now;
    for (const [key, entry] of this.entries) if (entry.index < index - 1) this.entries.delete(key);
  }
}
