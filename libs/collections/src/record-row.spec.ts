import { isoTime } from './record-row';

describe('isoTime', () => {
  it('writes Postgres UTC text exactly as Date would, and falls back to Date for anything else', () => {
    const cases = [
      '2026-12-04 17:14:37.432105+00',
      '2026-12-04 17:14:37.4+00',
      '2026-12-04 17:14:37+00',
      '2026-01-01 00:00:00.999999+00',
      '2026-12-04 19:14:37.432+02',
      '2026-12-04 17:14:37.432-05:30',
    ];
    for (const text of cases) {
      // Date's own reading of the same text, as the API printed it before.
      const viaDate = new Date(text.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00')).toISOString();
      expect({ text, iso: isoTime(text) }).toEqual({ text, iso: viaDate });
    }
    const now = new Date();
    expect(isoTime(now)).toBe(now.toISOString());
  });
});
