import { Global, Module } from '@nestjs/common';
import { BAD_CREDENTIAL_OBSERVER } from '@app/common';
import { RedisConnection } from '@app/database';
import { BadCredentials } from './bad-credentials.observer';
import { MemoryRateLimitStore } from './rate-limit.store';
import { RATE_LIMIT_STORE } from './rate-limits.module-tokens';
import { RateLimitGuard } from './rate-limit.guard';
import { RedisRateLimitStore } from './redis-rate-limit.store';

/** Budgets live in Redis when REDIS_URL is set (shared by every process), else in memory. */
@Global()
@Module({
  providers: [
    {
      provide: RATE_LIMIT_STORE,
      inject: [RedisConnection],
      useFactory: (redis: RedisConnection) =>
        redis.client ? new RedisRateLimitStore(redis.client) : new MemoryRateLimitStore(),
    },
    BadCredentials,
    { provide: BAD_CREDENTIAL_OBSERVER, useExisting: BadCredentials },
    RateLimitGuard,
  ],
  exports: [RATE_LIMIT_STORE, BAD_CREDENTIAL_OBSERVER, RateLimitGuard],
})
export class RateLimitsModule {}
