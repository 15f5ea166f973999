import { compileAllowlist, ipAllowed, validateAllowedIps } from './ip-allowlist';

describe('IP allowlists', () => {
  const list = compileAllowlist(['203.0.113.0/24', '2001:db8::/32', '198.51.100.42']);
  it.each([
    ['203.0.113.9', true],
    ['203.0.114.9', false],
    ['::ffff:203.0.113.200', true],
    ['2001:db8:1::5', true],
    ['2001:db9::1', false],
    ['198.51.100.42', true],
    ['198.51.100.43', false],
    ['garbage', false],
  ])('%s → %s', (ip, allowed) => {
    expect(ipAllowed(list, ip)).toBe(allowed);
  });

  it('allows everything when the list is empty', () => {
    expect(ipAllowed(compileAllowlist([]), '1.2.3.4')).toBe(true);
  });

  it('validates entries', () => {
    expect(validateAllowedIps(['10.0.0.0/8', '::1', 'fe80::/10'])).toEqual([]);
    expect(validateAllowedIps(['10.0.0.0/33', 'nope', '1.2.3.4/8/9', 5]).map((e) => e.field)).toEqual([
      'allowed_ips[0]',
      'allowed_ips[1]',
      'allowed_ips[2]',
      'allowed_ips[3]',
    ]);
  });
});
