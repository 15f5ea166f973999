import { randomUUID } from 'node:crypto';
import { Matches, ValidationOptions } from 'class-validator';

/**
 * UUIDv7 (RFC 9562): unguessable (62 random bits) yet time-ordered, so ids double
 * as keyset-pagination keys and index inserts stay append-mostly.
 *
 * Monotonic within a process (RFC 9562 §6.2, method 1): the 12 bits after the version
 * nibble count up within a millisecond from a random start below 2048, so the records of
 * one batch list in the order they were given. A counter that runs out borrows the next
 * millisecond, and a clock that steps back keeps the last one, so ids never go backwards.
 */
let lastMs = 0;
let counter = 0;
/** `tttttttt-tttt-7` of `lastMs`: printed once a millisecond, not once an id. */
let prefix = '';
/** The counter's three hex digits, by value: no number printing per id. */
const HEX3 = Array.from({ length: 4096 }, (_, i) => i.toString(16).padStart(3, '0'));

export function uuidv7(): string {
  const now = Date.now();
  if (now > lastMs) {
    lastMs = now;
    counter = Math.floor(Math.random() * 2048);
    prefix = timePrefix(lastMs);
  } else if (++counter > 0xfff) {
    lastMs++;
    counter = 0;
    prefix = timePrefix(lastMs);
  }
  // randomUUID draws from node's buffered CSPRNG output (randomBytes per id cost more than
  // the rest of a batch insert's row); its last 64 bits keep RFC 9562's variant bits.
  return prefix + HEX3[counter] + randomUUID().slice(18);
}

function timePrefix(ms: number): string {
  const hex = ms.toString(16).padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: unknown): value is string => typeof value === 'string' && UUID.test(value);

/**
 * Names tenants choose for collections, fields and tiers: lower snake case, at most 63
 * characters (a Postgres identifier's length). The one definition; DTOs, the OpenAPI
 * document and the validators all take it from here.
 */
export const IDENTIFIER_PATTERN = '^[a-z][a-z0-9_]{0,62}$';
export const IDENTIFIER = new RegExp(IDENTIFIER_PATTERN);
export const isIdentifier = (value: unknown): value is string => typeof value === 'string' && IDENTIFIER.test(value);
/** Its OpenAPI schema. */
export const IDENTIFIER_SCHEMA = { type: 'string', pattern: IDENTIFIER_PATTERN, maxLength: 63 } as const;
/** class-validator: the property is an identifier. */
export const IsIdentifier = (options?: ValidationOptions): PropertyDecorator =>
  Matches(IDENTIFIER, { message: `$property must match ${IDENTIFIER_PATTERN}`, ...options });
