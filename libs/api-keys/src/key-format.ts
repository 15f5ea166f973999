import { generateSecret, parseSecret } from '@app/common';

/**
 * `ptc_` + key id + 256-bit secret + checksum (the shape every Portico secret has:
 * libs/common/src/secret-format.ts). Secret scanners match `ptc_[0-9A-Za-z]{71}` whose
 * last 6 characters check out.
 */
export const KEY_PREFIX = 'ptc_';

export function generateKey(keyId: string): string {
  return generateSecret(KEY_PREFIX, keyId);
}

/** The key id a well-formed key names, or undefined for anything malformed. */
export function parseKey(key: string): { keyId: string } | undefined {
  const keyId = parseSecret(KEY_PREFIX, key);
  return keyId === undefined ? undefined : { keyId };
}

export const maskKey = (last4: string) => `${KEY_PREFIX}…${last4}`;
