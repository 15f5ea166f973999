import { Module } from '@nestjs/common';
import { SpacesModule } from '@app/spaces';
import { RedisConnection } from '@app/database';
import { Metrics } from '@app/common';
import { timedStore } from './timed-store';
import { BadCredentials } from './bad-credentials.observer';
import { MemoryRateLimitStore } from './rate-limit.store';
import { RATE_LIMIT_STORE } from './rate-limits.module-tokens';
import { RateLimitGuard } from './rate-limit.guard';
import { RedisRateLimitStore } from './redis-rate-limit.store';

/** Budgets live in Redis when REDIS_URL is set (shared by every process), else in memory. */
@Module({
  imports: [SpacesModule],
  providers: [
    {
      provide: RATE_LIMIT_STORE,
      inject: [RedisConnection, Metrics],
      useFactory: (redis: RedisConnection, metrics: Metrics) =>
        redis.client
          ? timedStore(new RedisRateLimitStore(redis.client), 'redis', metrics.rateLimitStore)
          : timedStore(new MemoryRateLimitStore(), 'memory', metrics.rateLimitStore),
    },
    BadCredentials,
    RateLimitGuard,
  ],
  exports: [RATE_LIMIT_STORE, RateLimitGuard],
})
export class RateLimitsModule {}
