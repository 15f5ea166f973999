import { createSecretKey, randomBytes } from 'node:crypto';
import type { MasterKey } from '@app/config';
import { DecryptError, FieldCipher, newDataKey, unwrapDataKey, valueContext, wrapDataKey } from './field-crypto';

const master = (version: string): MasterKey => ({ version, key: createSecretKey(randomBytes(32)) });
const SPACE = '0190b7a4-1111-7000-8000-000000000001';
const COLLECTION = '0190b7a4-2222-7000-8000-000000000002';
const RECORD = '0190b7a4-3333-7000-8000-000000000003';

describe('field encryption (envelope, AES-256-GCM)', () => {
  it('seals and opens a value only in its own space, collection, record and field', () => {
    const cipher = new FieldCipher(newDataKey());
    const here = valueContext(SPACE, COLLECTION, RECORD, 'ssn');
    const sealed = cipher.encrypt('078-05-1120', here);
    expect(sealed).toMatch(/^e1:[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain('078-05-1120');
    expect(cipher.encrypt('078-05-1120', here)).not.toBe(sealed); // a fresh nonce each time
    expect(cipher.decrypt(sealed, here)).toBe('078-05-1120');
    for (const elsewhere of [
      valueContext(SPACE, COLLECTION, '0190b7a4-3333-7000-8000-000000000004', 'ssn'),
      valueContext(SPACE, COLLECTION, RECORD, 'card'),
      valueContext(SPACE, '0190b7a4-2222-7000-8000-000000000009', RECORD, 'ssn'),
    ])
      expect(() => cipher.decrypt(sealed, elsewhere)).toThrow(DecryptError);
    const tampered = sealed.slice(0, -2) + (sealed.endsWith('AA') ? 'BB' : 'AA');
    expect(() => cipher.decrypt(tampered, here)).toThrow(DecryptError);
    expect(() => new FieldCipher(newDataKey()).decrypt(sealed, here)).toThrow(DecryptError);
  });

  it('never repeats a nonce, across refills of the nonce buffer', () => {
    const cipher = new FieldCipher(newDataKey());
    const here = valueContext(SPACE, COLLECTION, RECORD, 'ssn');
    // 12 bytes of nonce are the first 16 base64url characters after the prefix.
    const nonces = Array.from({ length: 3000 }, () => cipher.encrypt('x', here).slice(3, 19));
    expect(new Set(nonces).size).toBe(nonces.length);
  });

  it('wraps data keys under the current master key and opens them with any configured one', () => {
    const old = master('old');
    const current = master('new');
    const dataKey = newDataKey();
    const wrapped = wrapDataKey(old, dataKey, SPACE, COLLECTION);
    expect(wrapped.masterVersion).toBe('old');
    expect(unwrapDataKey([current, old], wrapped, SPACE, COLLECTION).equals(dataKey)).toBe(true);
    // Re-wrapped under the new key (rotation), the old key is no longer needed.
    const rewrapped = wrapDataKey(current, unwrapDataKey([old], wrapped, SPACE, COLLECTION), SPACE, COLLECTION);
    expect(unwrapDataKey([current], rewrapped, SPACE, COLLECTION).equals(dataKey)).toBe(true);
    expect(() => unwrapDataKey([current], wrapped, SPACE, COLLECTION)).toThrow(/no configured master key/);
    expect(() => unwrapDataKey([old], wrapped, SPACE, '0190b7a4-2222-7000-8000-000000000009')).toThrow(DecryptError);
  });

  it('gives a blind index equal for equal values of one field, and unrelated elsewhere', () => {
    const cipher = new FieldCipher(newDataKey());
    expect(cipher.blindIndex('email', 'a@example.com')).toBe(cipher.blindIndex('email', 'a@example.com'));
    expect(cipher.blindIndex('email', 'a@example.com')).not.toBe(cipher.blindIndex('email', 'b@example.com'));
    expect(cipher.blindIndex('email', 'a@example.com')).not.toBe(cipher.blindIndex('backup', 'a@example.com'));
    expect(new FieldCipher(newDataKey()).blindIndex('email', 'a@example.com')).not.toBe(
      cipher.blindIndex('email', 'a@example.com'),
    );
  });
});
