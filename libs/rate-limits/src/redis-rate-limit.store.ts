import type Redis from 'ioredis';
import { decide, Decision, windowOf } from './sliding-window';
import type { RateLimitStore } from './rate-limit.store';

/**
 * Check-and-increment of a batch of `n` requests in one Lua script, so concurrent
 * requests on any number of server processes cannot overshoot a shared budget. The
 * script admits requests one at a time with the same arithmetic `decide` uses
 * (weighted previous window + current + 1 ≤ limit), stops at the first that does not
 * fit, and increments the current window's counter by the number admitted.
 */
const SCRIPT = `
local prev = tonumber(redis.call('GET', KEYS[2]) or '0')
local curr = tonumber(redis.call('GET', KEYS[1]) or '0')
local limit = tonumber(ARGV[1])
local weight = tonumber(ARGV[2])
local n = tonumber(ARGV[4])
local take = 0
while take < n and prev * weight + (curr + take) + 1 <= limit do take = take + 1 end
if take > 0 then
  local after = redis.call('INCRBY', KEYS[1], take)
  if after == take then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
end
return {take, curr, prev}
`;

interface Waiter {
  resolve(decision: Decision): void;
  reject(error: unknown): void;
}

interface Queue {
  key: string;
  limit: number;
  windowMs: number;
  now?: number;
  busy: boolean;
  waiting: Waiter[];
}

type RunScript = (
  current: string,
  previous: string,
  limit: number,
  weight: string,
  ttl: number,
  n: number,
) => Promise<[number, number, number]>;

/**
 * One round trip to Redis per budget at a time: requests for a budget that arrive
 * while its script is in flight wait and go together in the next one. Each gets the
 * decision it would have had one by one, in arrival order. At low load every request
 * still goes alone (no added latency); under load the round trips per request fall
 * with the concurrency.
 */
export class RedisRateLimitStore implements RateLimitStore {
  private readonly queues = new Map<string, Queue>();

  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'portico:rl:',
  ) {
    redis.defineCommand('porticoRateLimit', { numberOfKeys: 2, lua: SCRIPT });
  }

  hit(key: string, limit: number, windowMs: number, now?: number): Promise<Decision> {
    // An explicit `now` (tests) keeps its own queue, so a batch shares one clock.
    const id = `${key}\0${limit}\0${windowMs}\0${now ?? ''}`;
    let queue = this.queues.get(id);
    if (!queue) this.queues.set(id, (queue = { key, limit, windowMs, now, busy: false, waiting: [] }));
    const decided = new Promise<Decision>((resolve, reject) => queue.waiting.push({ resolve, reject }));
    if (!queue.busy) void this.drain(id, queue);
    return decided;
  }

  private async drain(id: string, queue: Queue): Promise<void> {
    queue.busy = true;
    const run = (this.redis as unknown as { porticoRateLimit: RunScript }).porticoRateLimit.bind(this.redis);
    while (queue.waiting.length > 0) {
      const batch = queue.waiting.splice(0);
      const now = queue.now ?? Date.now();
      const { index, elapsed } = windowOf(now, queue.windowMs);
      const weight = 1 - elapsed / queue.windowMs;
      const k = `${this.prefix}${queue.key}`;
      try {
        // The weight travels as the shortest exact decimal of the same double `decide` computes,
        // so the script's verdicts and the headers derived below come from identical arithmetic.
        const once = () =>
          run(`${k}:${index}`, `${k}:${index - 1}`, queue.limit, String(weight), queue.windowMs * 2, batch.length);
        // A command timeout on a connection that is still up is most often our own event
        // loop having stalled past the timer, with the answer already waiting: try once more
        // before a fail-closed budget answers 503. (The first try may have counted; a
        // budget over-charged by one batch in that rare case is the lesser harm.)
        const [taken, current, previous] = await once().catch((error: Error) => {
          if (this.redis.status === 'ready' && /timed out/i.test(error.message)) return once();
          throw error;
        });
        batch.forEach((waiter, i) =>
          waiter.resolve(decide({ previous, current: current + Math.min(i, taken) }, queue.limit, now, queue.windowMs)),
        );
      } catch (error) {
        for (const waiter of batch) waiter.reject(error);
      }
    }
    queue.busy = false;
    this.queues.delete(id);
  }
}
