import { generateKey, maskKey, parseKey } from './key-format';

const ID = '0190b7a4-1234-7abc-8def-0123456789ab';

describe('API key format', () => {
  it('round-trips the key id and carries 256 bits of randomness', () => {
    const a = generateKey(ID);
    const b = generateKey(ID);
    expect(a).toMatch(/^ptc_[0-9A-Za-z]{71}$/);
    expect(a).not.toBe(b);
    expect(parseKey(a)).toEqual({ keyId: ID });
  });

  it('rejects any single-character typo by checksum', () => {
    const key = generateKey(ID);
    for (let i = 4; i < key.length; i++) {
      const c = key[i] === 'a' ? 'b' : 'a';
      expect(parseKey(key.slice(0, i) + c + key.slice(i + 1))).toBeUndefined();
    }
  });

  it.each([
    '',
    'ptc_',
    'ptc_short',
    'xyz_' + 'a'.repeat(71),
    generateKey(ID) + 'x',
    generateKey(ID).replace('ptc_', 'PTC_'),
  ])('rejects %s', (key) => {
    expect(parseKey(key)).toBeUndefined();
  });

  it('masks as prefix and last four', () => {
    expect(maskKey('wxyz')).toBe('ptc_…wxyz');
  });
});
