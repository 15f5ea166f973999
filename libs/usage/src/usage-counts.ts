/**
 * One usage cell's counters as one flat array, the layout of the `counts` column
 * (migration 14): requests, the contract's status classes, then how many requests took
 * at most each latency bound. Fixed buckets merge by addition, so instances and periods
 * add up exactly; percentiles are read back by interpolating within a bucket.
 */
export const STATUS_CLASSES = ['2xx', '401', '403', '404', '429', '4xx', '5xx'] as const;
export type StatusClass = (typeof STATUS_CLASSES)[number];

/** Upper bounds in milliseconds; the last bucket holds everything slower. */
export const LATENCY_BOUNDS_MS = [
  0.5, 1, 1.5, 2, 3, 4, 5, 7.5, 10, 15, 20, 30, 50, 75, 100, 150, 200, 300, 500, 750, 1000, 2000, 5000, 10_000,
] as const;

const REQUESTS = 0;
const FIRST_STATUS = 1;
const FIRST_BUCKET = FIRST_STATUS + STATUS_CLASSES.length;
export const COUNTS_LENGTH = FIRST_BUCKET + LATENCY_BOUNDS_MS.length + 1;

const SPECIFIC: Record<number, number> = { 401: 2, 403: 3, 404: 4, 429: 5 };

/** Successes (1xx–3xx) count as "2xx"; other 4xx as "4xx"; 5xx as "5xx". */
function statusSlot(status: number): number {
  if (status < 400) return FIRST_STATUS;
  if (status >= 500) return FIRST_STATUS + 6;
  return SPECIFIC[status] ?? FIRST_STATUS + 5;
}

function bucketSlot(ms: number): number {
  let i = 0;
  while (i < LATENCY_BOUNDS_MS.length && ms > LATENCY_BOUNDS_MS[i]) i++;
  return FIRST_BUCKET + i;
}

export const newCounts = (): number[] => new Array<number>(COUNTS_LENGTH).fill(0);

/** Adds one request: no allocation. */
export function count(counts: number[], status: number, ms: number): void {
  counts[REQUESTS]++;
  counts[statusSlot(status)]++;
  counts[bucketSlot(ms)]++;
}

export function addCounts(into: number[], from: readonly number[]): void {
  for (let i = 0; i < COUNTS_LENGTH; i++) into[i] += from[i] ?? 0;
}

/** The latency under which a fraction `q` of requests finished, interpolated within its bucket; null without requests. */
export function percentile(counts: readonly number[], q: number): number | null {
  const total = counts[REQUESTS];
  if (!total) return null;
  const rank = q * total;
  let seen = 0;
  for (let b = 0; b <= LATENCY_BOUNDS_MS.length; b++) {
    const n = counts[FIRST_BUCKET + b];
    if (n > 0 && seen + n >= rank) {
      const low = b === 0 ? 0 : LATENCY_BOUNDS_MS[b - 1];
      // The open last bucket has no upper bound: report its lower one.
      if (b === LATENCY_BOUNDS_MS.length) return low;
      const high = LATENCY_BOUNDS_MS[b];
      return Math.round((low + ((high - low) * (rank - seen)) / n) * 100) / 100;
    }
    seen += n;
  }
  return LATENCY_BOUNDS_MS[LATENCY_BOUNDS_MS.length - 1];
}

export interface UsagePoint {
  at: string;
  requests: number;
  by_status: Record<StatusClass, number>;
  p50_ms: number | null;
  p95_ms: number | null;
}

export function toPoint(at: Date, counts: readonly number[] | undefined): UsagePoint {
  const c = counts ?? newCounts();
  const by_status = Object.fromEntries(STATUS_CLASSES.map((k, i) => [k, c[FIRST_STATUS + i] ?? 0])) as Record<
    StatusClass,
    number
  >;
  return {
    at: at.toISOString(),
    requests: c[REQUESTS] ?? 0,
    by_status,
    p50_ms: percentile(c, 0.5),
    p95_ms: percentile(c, 0.95),
  };
}
