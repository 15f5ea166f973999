import { MemoryRateLimitStore } from './rate-limit.store';
import { decide, retryAfter } from './sliding-window';

const W = 60_000;

describe('sliding window', () => {
  it('allows exactly the limit within a window, then says when to retry', async () => {
    const store = new MemoryRateLimitStore();
    const start = 10 * W + 5_000;
    const decisions = [];
    for (let i = 0; i < 51; i++) decisions.push(await store.hit('k', 50, W, start + i));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(50);
    expect(decisions[49].remaining).toBe(0);
    const rejected = decisions[50];
    expect(rejected.allowed).toBe(false);
    // 50 hits in this window: only once the next window starts and they decay by one request's worth.
    expect(rejected.retryAfterMs).toBe(W - 5_050 + W / 50);
    expect(rejected.resetAt).toBe(start + 50 + rejected.retryAfterMs);
    expect((await store.hit('k', 50, W, rejected.resetAt - 1)).allowed).toBe(false);
    expect((await store.hit('k', 50, W, rejected.resetAt)).allowed).toBe(true);
  });

  it('cannot be doubled by a burst at a window edge', async () => {
    const store = new MemoryRateLimitStore();
    let allowed = 0;
    for (let i = 0; i < 100; i++) if ((await store.hit('edge', 50, W, 11 * W - 100 + i)).allowed) allowed++;
    for (let i = 0; i < 100; i++) if ((await store.hit('edge', 50, W, 11 * W + i)).allowed) allowed++;
    expect(allowed).toBe(50);
  });

  it('keeps budgets apart', async () => {
    const store = new MemoryRateLimitStore();
    for (let i = 0; i < 3; i++) await store.hit('a', 3, W, W);
    expect((await store.hit('a', 3, W, W)).allowed).toBe(false);
    expect((await store.hit('b', 3, W, W)).allowed).toBe(true);
  });

  it('decides without counting and computes retry times in both windows', () => {
    expect(decide({ previous: 0, current: 49 }, 50, 30_000, W)).toMatchObject({ allowed: true, remaining: 0 });
    expect(decide({ previous: 100, current: 0 }, 50, 0, W).allowed).toBe(false);
    // previous 100 decays to 49 (room for one) after 51% of the window.
    expect(retryAfter({ previous: 100, current: 0 }, 50, 0, W)).toBe(Math.ceil(W * 0.51));
  });
});
