import { Module } from '@nestjs/common';
import { SpacesModule } from '@app/spaces';
import { RedisConnection } from '@app/database';
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
      inject: [RedisConnection],
      useFactory: (redis: RedisConnection) =>
        redis.client ? new RedisRateLimitStore(redis.client) : new MemoryRateLimitStore(),
    },
    BadCredentials,
    RateLimitGuard,
  ],
  exports: [RATE_LIMIT_STORE, RateLimitGuard],
})
export class RateLimitsModule {}
