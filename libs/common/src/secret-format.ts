import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';

/**
 * The shape of every secret Portico hands out (API keys `ptc_`, OAuth client secrets
 * `pcs_`): prefix + owner id (22 base62 chars: its UUID) + secret (43 base62 chars, 256
 * random bits) + checksum (6 base62 chars of CRC32 over everything before it). The id
 * makes lookup O(1); the checksum rejects typos and garbage without a database round
 * trip and lets secret scanners match with near-zero false positives.
 */
const ID_LEN = 22;
const SECRET_LEN = 43;
const CHECK_LEN = 6;
/** Length of a secret after its prefix. */
export const SECRET_BODY_LENGTH = ID_LEN + SECRET_LEN + CHECK_LEN;
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const BODY = new RegExp(`^[0-9A-Za-z]{${SECRET_BODY_LENGTH}}$`);

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

/** A new secret naming `ownerId` (a UUID). */
export function generateSecret(prefix: string, ownerId: string): string {
  const body = prefix + toBase62(uuidBytes(ownerId), ID_LEN) + toBase62(randomBytes(32), SECRET_LEN);
  return body + checksum(body);
}

/** The owner id a well-formed secret names, or undefined for anything malformed (no I/O). */
export function parseSecret(prefix: string, secret: string): string | undefined {
  if (secret.length !== prefix.length + SECRET_BODY_LENGTH || !secret.startsWith(prefix)) return undefined;
  if (!BODY.test(secret.slice(prefix.length))) return undefined;
  const body = secret.slice(0, -CHECK_LEN);
  if (checksum(body) !== secret.slice(-CHECK_LEN)) return undefined;
  const idBytes = fromBase62(secret.slice(prefix.length, prefix.length + ID_LEN), 16);
  if (idBytes.length !== 16) return undefined;
  return bytesUuid(idBytes);
}
