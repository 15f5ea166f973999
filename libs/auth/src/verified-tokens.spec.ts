import { sign } from 'jsonwebtoken';
import { VerifiedTokens } from './verified-tokens';

describe('VerifiedTokens', () => {
  const token = (exp: number, sub = 'u1') => sign({ sub, kind: 'user', exp }, 'test-secret');
  const now = Date.UTC(2026, 11, 2);

  it('answers a remembered token until it expires, then forgets it', () => {
    const cache = new VerifiedTokens();
    const t = token(now / 1000 + 60);
    expect(cache.get(t, now)).toBeUndefined();
    cache.remember(t);
    expect(cache.get(t, now)).toMatchObject({ sub: 'u1', kind: 'user' });
    expect(cache.get(t, now + 60_000)).toBeUndefined();
    expect(cache.get(t, now)).toBeUndefined();
  });

  it('never answers for another token, even one with the same claims but another signature', () => {
    const cache = new VerifiedTokens();
    const t = token(now / 1000 + 60);
    cache.remember(t);
    const forged = `${t.split('.').slice(0, 2).join('.')}.AAAA`;
    expect(cache.get(forged, now)).toBeUndefined();
    expect(cache.get(token(now / 1000 + 60, 'u2'), now)).toBeUndefined();
  });

  it('does not remember a token without an expiry', () => {
    const cache = new VerifiedTokens();
    const t = sign({ sub: 'u1', kind: 'user' }, 'test-secret');
    cache.remember(t);
    expect(cache.get(t, now)).toBeUndefined();
  });
});
