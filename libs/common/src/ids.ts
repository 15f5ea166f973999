import { randomBytes } from 'node:crypto';
import { Matches, ValidationOptions } from 'class-validator';

/**
 * UUIDv7 (RFC 9562): unguessable (74 random bits) yet time-ordered, so ids double
 * as keyset-pagination keys and index inserts stay append-mostly.
 */
export function uuidv7(): string {
  const bytes = randomBytes(16);
  const ms = BigInt(Date.now());
  for (let i = 0; i < 6; i++) bytes[i] = Number((ms >> BigInt(8 * (5 - i))) & 0xffn);
  bytes[6] = (bytes[6] & 0x0f) | 0x70;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
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
