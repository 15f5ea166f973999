import type { Decision } from './sliding-window';

/** One budget a request is charged against. */
export interface Budget {
  /** Name in the RateLimit-Policy header: space, key, user, auth, login, credentials. */
  name: string;
  key: string;
  limit: number;
  /** Brute-force budgets refuse (503) rather than wave requests through when the store is down. */
  failClosed: boolean;
}

export const WINDOW_MS = 60_000;

/**
 * The headers of the budget closest to exhaustion: the classic X-RateLimit-* trio
 * and the IETF draft's RateLimit-Policy / RateLimit fields.
 */
export function rateLimitHeaders(budget: Budget, d: Decision, now = Date.now()): Record<string, string> {
  const resetSeconds = Math.max(0, Math.ceil((d.resetAt - now) / 1000));
  return {
    'X-RateLimit-Limit': String(d.limit),
    'X-RateLimit-Remaining': String(d.remaining),
    'X-RateLimit-Reset': String(Math.ceil(d.resetAt / 1000)),
    'RateLimit-Policy': `"${budget.name}";q=${d.limit};w=${WINDOW_MS / 1000}`,
    RateLimit: `"${budget.name}";r=${d.remaining};t=${resetSeconds}`,
  };
}
