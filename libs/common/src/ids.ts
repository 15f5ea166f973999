import { randomUUID } from 'node:crypto';
import { Matches, ValidationOptions } from 'class-validator';

/**
 * UUIDv7 (RFC 9562): unguessable (74 random bits) yet time-ordered, so ids double
 * as keyset-pagination keys and index inserts stay append-mostly.
 */
export function uuidv7(): string {
  // randomUUID draws from node's buffered CSPRNG output (randomBytes per id cost more than
  // the rest of a batch insert's row); its v4 layout already has RFC 9562's variant bits.
  // The first 48 bits become the millisecond timestamp and the version nibble 7:
  // 12 + 62 random bits remain, as UUIDv7 has.
  const ms = Date.now().toString(16).padStart(12, '0');
  return `${ms.slice(0, 8)}-${ms.slice(8, 12)}-7${randomUUID().slice(15)}`;
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
