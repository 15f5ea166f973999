import { isUuid, uuidv7 } from './ids';

describe('uuidv7', () => {
  it('is a valid RFC 9562 version 7 id, time-ordered across milliseconds, never repeated', async () => {
    const before = Date.now();
    const ids = Array.from({ length: 5000 }, () => uuidv7());
    for (const id of ids.slice(0, 50)) {
      expect(isUuid(id)).toBe(true);
      expect(id[14]).toBe('7');
      expect('89ab').toContain(id[19]);
      const ms = parseInt(id.replace(/-/g, '').slice(0, 12), 16);
      expect(ms).toBeGreaterThanOrEqual(before);
      expect(ms).toBeLessThanOrEqual(Date.now());
    }
    expect(new Set(ids).size).toBe(ids.length);
    // Ids of different milliseconds sort by time, whatever their random bits.
    const earlier = uuidv7();
    await new Promise((r) => setTimeout(r, 2));
    expect(uuidv7() > earlier).toBe(true);
  });

  it('counts up within a millisecond, so ids made together sort in the order they were made', () => {
    const ids = Array.from({ length: 20000 }, () => uuidv7());
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    // 20 000 ids take a few milliseconds at most: the counter ran within each of them.
    const millis = new Set(ids.map((id) => id.slice(0, 13)));
    expect(millis.size).toBeLessThan(ids.length / 10);
  });
});
