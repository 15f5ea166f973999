/**
 * Sliding-window rate limiting by two fixed windows, weighted (as Cloudflare and
 * Unkey do): the previous window's count weighs in by the share of it that still
 * overlaps the sliding minute. A burst at a window edge therefore cannot double the
 * budget, and the state per budget is two counters.
 */
export interface WindowCounts {
  previous: number;
  current: number;
}

export interface Decision {
  allowed: boolean;
  limit: number;
  /** Requests still allowed right now (after this one, when allowed). */
  remaining: number;
  /** Milliseconds until a request would be allowed again (0 when allowed). */
  retryAfterMs: number;
  /** Epoch milliseconds at which the budget is next replenished (window end, or when a rejected caller may retry). */
  resetAt: number;
}

export function windowOf(now: number, windowMs: number): { index: number; elapsed: number } {
  const index = Math.floor(now / windowMs);
  return { index, elapsed: now - index * windowMs };
}

/** The weighted estimate of requests in the sliding window ending at `elapsed`. */
export function estimate(counts: WindowCounts, elapsed: number, windowMs: number): number {
  return counts.previous * (1 - elapsed / windowMs) + counts.current;
}

/** Smallest wait after which one more request fits, given counts that do not fit now. */
export function retryAfter(counts: WindowCounts, limit: number, elapsed: number, windowMs: number): number {
  const { previous, current } = counts;
  // Within the current window: the previous window's weight decays until the request fits.
  if (current + 1 <= limit && previous > 0) {
    const t = windowMs * (1 - (limit - 1 - current) / previous) - elapsed;
    if (t < windowMs - elapsed) return Math.max(0, Math.ceil(t));
  }
  // Otherwise in the next window, where today's count becomes the decaying one.
  const next = current > 0 ? Math.max(0, windowMs * (1 - (limit - 1) / current)) : 0;
  return Math.ceil(windowMs - elapsed + next);
}

/**
 * Decides one request against counts read before it (`counts`), which the store has
 * already incremented when `allowed` is true. Pure, so both stores and tests share it.
 */
export function decide(counts: WindowCounts, limit: number, now: number, windowMs: number): Decision {
  const { index, elapsed } = windowOf(now, windowMs);
  const before = estimate(counts, elapsed, windowMs);
  if (before + 1 > limit) {
    const wait = retryAfter(counts, limit, elapsed, windowMs);
    return { allowed: false, limit, remaining: 0, retryAfterMs: wait, resetAt: now + wait };
  }
  return {
    allowed: true,
    limit,
    remaining: Math.max(0, Math.floor(limit - before - 1)),
    retryAfterMs: 0,
    resetAt: (index + 1) * windowMs,
  };
}
