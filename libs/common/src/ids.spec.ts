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
});
