import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';

/**
 * `ptc_` + key id (22 base62 chars: the key's UUID) + secret (43 base62 chars,
 * 256 random bits) + checksum (6 base62 chars of CRC32 over everything before it).
 * The id makes lookup O(1); the checksum rejects typos and garbage without a
 * database round trip and lets secret scanners match with near-zero false positives
 * (`ptc_[0-9A-Za-z]{71}` whose last 6 characters check out).
 */
export const KEY_PREFIX = 'ptc_';
const ID_LEN = 22;
const SECRET_LEN = 43;
const CHECK_LEN = 6;
const KEY_SHAPE = new RegExp(`^${KEY_PREFIX}[0-9A-Za-z]{${ID_LEN + SECRET_LEN + CHECK_LEN}}$`);
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function toBase62(bytes: Buffer, length: number): string {
  let n = BigInt(`0x${bytes.toString('hex') || '0'}`);
  let out = '';
  while (n > 0n) {
    out = ALPHABET[Number(n % 62n)] + out;
    n /= 62n;
  }
  return out.padStart(length, '0');
}

function fromBase62(text: string, bytes: number): Buffer {
  let n = 0n;
  for (const c of text) n = n * 62n + BigInt(ALPHABET.indexOf(c));
  return Buffer.from(n.toString(16).padStart(bytes * 2, '0'), 'hex');
}

const checksum = (body: string) => {
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return toBase62(crc, CHECK_LEN);
};

const uuidBytes = (uuid: string) => Buffer.from(uuid.replace(/-/g, ''), 'hex');
const bytesUuid = (b: Buffer) => {
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};

export function generateKey(keyId: string): string {
  const body = KEY_PREFIX + toBase62(uuidBytes(keyId), ID_LEN) + toBase62(randomBytes(32), SECRET_LEN);
  return body + checksum(body);
}

/** The key id a well-formed key names, or undefined for anything malformed. */
export function parseKey(key: string): { keyId: string } | undefined {
  if (key.length !== KEY_PREFIX.length + ID_LEN + SECRET_LEN + CHECK_LEN || !KEY_SHAPE.test(key)) return undefined;
  const body = key.slice(0, -CHECK_LEN);
  if (checksum(body) !== key.slice(-CHECK_LEN)) return undefined;
  const idBytes = fromBase62(key.slice(KEY_PREFIX.length, KEY_PREFIX.length + ID_LEN), 16);
  if (idBytes.length !== 16) return undefined;
  return { keyId: bytesUuid(idBytes) };
}

export const maskKey = (last4: string) => `${KEY_PREFIX}…${last4}`;
