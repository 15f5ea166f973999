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
    const decisions = await Promise.all(Array.from({ length: 120 }, (_, i) => stores[i % 2].hit('space:x', 50, 60_000, now)));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(50);
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
