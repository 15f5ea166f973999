import type { Histogram } from 'prom-client';
import type { RateLimitStore } from './rate-limit.store';

/** A store whose every call is timed into `portico_rate_limit_store_seconds{store}`. */
export function timedStore(store: RateLimitStore, name: string, histogram: Histogram<'store'>): RateLimitStore {
  const timer = histogram.labels(name);
  return {
    async hit(key, limit, windowMs, now) {
      const end = timer.startTimer();
      try {
        return await store.hit(key, limit, windowMs, now);
      } finally {
        end();
      }
    },
  };
}
