import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  createSecretKey,
  hkdfSync,
  KeyObject,
  randomBytes,
} from 'node:crypto';
import type { MasterKey } from '@app/config';

/**
 * Envelope encryption of field values (API.md, "Encrypted fields"), with node:crypto's
 * AES-256-GCM only. A collection has a random 256-bit data key, stored wrapped by the
 * master key (AES-256-GCM, bound to its space and collection) with the master key's
 * version. Each value is sealed under the data key with a fresh 96-bit nonce and
 * associated data naming space, collection, record and field, so a ciphertext moved to
 * another record or field does not open. Equality works through a blind index: an
 * HMAC-SHA-256 of the value under a key derived (HKDF) from the data key.
 */
const NONCE = 12;
const TAG = 16;
/** The prefix of a sealed value: the scheme's version, so a later scheme can coexist. */
const SEALED = 'e1:';

export class DecryptError extends Error {}

export interface WrappedKey {
  wrapped: Buffer;
  masterVersion: string;
}

const wrapContext = (spaceId: string, collectionId: string) => `portico:data-key:v1:${spaceId}/${collectionId}`;
export const valueContext = (spaceId: string, collectionId: string, recordId: string, field: string) =>
  `portico:value:v1:${spaceId}/${collectionId}/${recordId}/${field}`;

/**
 * Nonces come from a buffer of CSPRNG output taken in sequence and never reused (the way
 * node buffers randomUUID): one randomBytes call per 1024 nonces instead of one per value,
 * which alone cost more than the AES-GCM operation. Uniqueness is what GCM needs; each
 * slice is fresh random bytes.
 */
const NONCE_POOL = NONCE * 1024;
let pool = Buffer.alloc(0);
let poolAt = NONCE_POOL;
function freshNonce(): Buffer {
  if (poolAt === NONCE_POOL) {
    pool = randomBytes(NONCE_POOL);
    poolAt = 0;
  }
  return pool.subarray(poolAt, (poolAt += NONCE));
}

function seal(key: KeyObject, plaintext: Buffer, aad: string): Buffer {
  const nonce = freshNonce();
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG }).setAAD(Buffer.from(aad));
  return Buffer.concat([nonce, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}

function open(key: KeyObject, sealed: Buffer, aad: string): Buffer {
  if (sealed.length < NONCE + TAG) throw new DecryptError('sealed value too short');
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, NONCE), { authTagLength: TAG })
    .setAAD(Buffer.from(aad))
    .setAuthTag(sealed.subarray(sealed.length - TAG));
  try {
    // GCM's final() adds no bytes; it checks the tag, and throws if it does not match.
    const plaintext = decipher.update(sealed.subarray(NONCE, sealed.length - TAG));
    decipher.final();
    return plaintext;
  } catch {
    throw new DecryptError('authentication failed');
  }
}

export const newDataKey = (): Buffer => randomBytes(32);

/** JSON with object keys sorted at every level: equal values, equal text (the blind index's input). */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

export function wrapDataKey(master: MasterKey, dataKey: Buffer, spaceId: string, collectionId: string): WrappedKey {
  return { wrapped: seal(master.key, dataKey, wrapContext(spaceId, collectionId)), masterVersion: master.version };
}

/** The data key, opened with whichever configured master key has its version; DecryptError otherwise. */
export function unwrapDataKey(
  masters: readonly MasterKey[],
  wrapped: WrappedKey,
  spaceId: string,
  collectionId: string,
): Buffer {
  const master = masters.find((m) => m.version === wrapped.masterVersion);
  if (!master) throw new DecryptError(`no configured master key has version ${wrapped.masterVersion}`);
  return open(master.key, wrapped.wrapped, wrapContext(spaceId, collectionId));
}

/** One collection's cipher: seal and open values, and their blind index. */
export class FieldCipher {
  private readonly key: KeyObject;
  private readonly indexKey: KeyObject;

  constructor(dataKey: Buffer) {
    this.key = createSecretKey(dataKey);
    this.indexKey = createSecretKey(
      Buffer.from(hkdfSync('sha256', dataKey, Buffer.alloc(0), 'portico:blind-index:v1', 32)),
    );
  }

  /** `e1:` + base64url(nonce ‖ ciphertext ‖ tag). */
  encrypt(plaintext: string, context: string): string {
    return SEALED + seal(this.key, Buffer.from(plaintext, 'utf8'), context).toString('base64url');
  }

  decrypt(value: string, context: string): string {
    if (!value.startsWith(SEALED)) throw new DecryptError('not a sealed value');
    return open(this.key, Buffer.from(value.slice(SEALED.length), 'base64url'), context).toString('utf8');
  }

  /** Equal values of one field give equal indexes; other fields and other collections do not. */
  blindIndex(field: string, normalised: string): string {
    return createHmac('sha256', this.indexKey).update(field).update('\0').update(normalised).digest('base64url');
  }
}
