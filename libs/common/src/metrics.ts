import { Injectable } from '@nestjs/common';
import { Counter, Histogram, Registry } from 'prom-client';

/**
 * The app's Prometheus registry (one per app, so apps in one process do not collide),
 * served at GET /metrics. Libs take their instruments from it; a hot path keeps the
 * labelled child it needs (`.labels(...)`) so a count is one increment.
 */
@Injectable()
export class Metrics {
  readonly registry = new Registry();

  /** `portico_cache_requests_total{cache, result}`: hits and misses of the in-process caches. */
  readonly cacheRequests = new Counter({
    name: 'portico_cache_requests_total',
    help: 'In-process cache lookups by cache (api_key, jwt) and result (hit, miss); the hit ratio is hit / all.',
    labelNames: ['cache', 'result'],
    registers: [this.registry],
  });

  /** `portico_rate_limit_store_seconds{store}`: how long a budget check took. */
  readonly rateLimitStore = new Histogram({
    name: 'portico_rate_limit_store_seconds',
    help: 'Duration of a rate-limit store call (memory or redis).',
    labelNames: ['store'],
    buckets: [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5],
    registers: [this.registry],
  });

  /** The hit and miss counters of one cache, bound once. */
  cache(name: string): { hit: () => void; miss: () => void } {
    const hits = this.cacheRequests.labels(name, 'hit');
    const misses = this.cacheRequests.labels(name, 'miss');
    return { hit: () => hits.inc(), miss: () => misses.inc() };
  }
}
