import type Redis from 'ioredis';
import { decide, Decision, windowOf } from './sliding-window';
import type { RateLimitStore } from './rate-limit.store';

/**
 * Check-and-increment in one Lua script, so concurrent requests on any number of
 * server processes cannot overshoot a shared budget. The current window's counter
 * is only incremented when the weighted estimate leaves room.
 */
const SCRIPT = `
local prev = tonumber(redis.call('GET', KEYS[2]) or '0')
local curr = tonumber(redis.call('GET', KEYS[1]) or '0')
if prev * tonumber(ARGV[2]) + curr + 1 > tonumber(ARGV[1]) then
  return {0, curr, prev}
end
curr = redis.call('INCR', KEYS[1])
if curr == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
return {1, curr - 1, prev}
`;

export class RedisRateLimitStore implements RateLimitStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'portico:rl:',
  ) {
    redis.defineCommand('porticoRateLimit', { numberOfKeys: 2, lua: SCRIPT });
  }

  async hit(key: string, limit: number, windowMs: number, now = Date.now()): Promise<Decision> {
    const { index, elapsed } = windowOf(now, windowMs);
    const weight = 1 - elapsed / windowMs;
    const run = (this.redis as unknown as { porticoRateLimit(...args: (string | number)[]): Promise<[number, number, number]> }).porticoRateLimit;
    // The weight travels as the shortest exact decimal of the same double `decide` computes,
    // so the script's verdict and the headers derived below come from identical arithmetic.
    const [, current, previous] = await run.call(this.redis, `${this.prefix}${key}:${index}`, `${this.prefix}${key}:${index - 1}`, limit, String(weight), windowMs * 2);
    return decide({ previous, current }, limit, now, windowMs);
  }
}
