import Redis from 'ioredis';
import { MemoryRateLimitStore } from './rate-limit.store';
import { RedisRateLimitStore } from './redis-rate-limit.store';

const withRedis = process.env.REDIS_URL ? describe : describe.skip;

withRedis('Redis rate-limit store', () => {
  let a: Redis;
  let b: Redis;
  const prefix = `portico:test:${process.pid}:${Date.now()}:`;
  beforeAll(() => {
    a = new Redis(process.env.REDIS_URL!);
    b = new Redis(process.env.REDIS_URL!);
  });
  afterAll(async () => {
    const keys = await a.keys(`${prefix}*`);
    if (keys.length) await a.del(...keys);
    a.disconnect();
    b.disconnect();
  });

  it('holds one budget across two clients (two server processes) under concurrency', async () => {
    const stores = [new RedisRateLimitStore(a, prefix), new RedisRateLimitStore(b, prefix)];
    const now = Date.now();
    const decisions = await Promise.all(
      Array.from({ length: 120 }, (_, i) => stores[i % 2].hit('space:x', 50, 60_000, now)),
    );
    expect(decisions.filter((d) => d.allowed)).toHaveLength(50);
  });

  it('retries a command timeout once on a live connection (an event-loop stall), so fail-closed budgets do not 503', async () => {
    const client = new Redis(process.env.REDIS_URL!, { commandTimeout: 500 });
    await client.ping();
    const store = new RedisRateLimitStore(client, prefix);
    const run = (client as unknown as { porticoRateLimit: (...args: unknown[]) => Promise<unknown> }).porticoRateLimit;
    let calls = 0;
    (client as unknown as { porticoRateLimit: unknown }).porticoRateLimit = function (
      this: unknown,
      ...args: unknown[]
    ) {
      calls++;
      // The first answer arrives after the timer fired, as when the loop stalls.
      if (calls === 1) return Promise.reject(new Error('Command timed out'));
      return run.apply(this, args);
    };
    const decision = await store.hit('login:stall', 10, 60_000);
    expect(decision.allowed).toBe(true);
    expect(calls).toBe(2);
    client.disconnect();
  });

  it('batches concurrent requests for a budget into few round trips, each decided as if alone, in order', async () => {
    const client = new Redis(process.env.REDIS_URL!);
    const calls: number[] = [];
    const store = new RedisRateLimitStore(client, prefix);
    const run = (client as unknown as { porticoRateLimit: (...args: unknown[]) => Promise<unknown> }).porticoRateLimit;
    (client as unknown as { porticoRateLimit: unknown }).porticoRateLimit = function (
      this: unknown,
      ...args: unknown[]
    ) {
      calls.push(args[5] as number);
      return run.apply(client, args);
    };
    const memory = new MemoryRateLimitStore();
    const now = Date.now();
    const decisions = await Promise.all(Array.from({ length: 30 }, () => store.hit('batched', 20, 60_000, now)));
    const expected: unknown[] = [];
    for (let i = 0; i < 30; i++) expected.push(await memory.hit('batched', 20, 60_000, now));
    expect(decisions).toEqual(expected);
    expect(decisions.filter((d) => d.allowed)).toHaveLength(20);
    // The first request goes alone; the 29 that arrived while it was in flight go in one script.
    expect(calls).toEqual([1, 29]);
    client.disconnect();
  });

  it('decides exactly as the in-memory store does', async () => {
    const redis = new RedisRateLimitStore(a, prefix);
    const memory = new MemoryRateLimitStore();
    const W = 60_000;
    const base = Math.floor(Date.now() / W) * W;
    for (let i = 0; i < 40; i++) {
      const at = base + i * 3_000 + 17;
      const [r, m] = [await redis.hit('same', 7, W, at), await memory.hit('same', 7, W, at)];
      expect({ i, r }).toEqual({ i, r: m });
    }
  });
});
