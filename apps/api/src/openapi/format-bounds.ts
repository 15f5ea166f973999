import type { OpenAPIObject } from '@nestjs/swagger';

/**
 * Lengths that a string's format already fixes: a UUID is 36 characters, an ISO
 * timestamp from this API at most 30 (`toISOString()` gives 24), an email at most
 * 254 (RFC 5321), a URI at most 2048. Stating them spares every DTO the repetition
 * and lets clients and linters bound the value.
 */
const FORMAT_MAX_LENGTH: Record<string, number> = { uuid: 36, 'date-time': 30, email: 254, uri: 2048 };

export function boundFormattedStrings(document: OpenAPIObject): OpenAPIObject {
  visit(document);
  return document;
}

function visit(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(visit);
  if (typeof node !== 'object' || node === null) return;
  const schema = node as Record<string, unknown>;
  if (
    schema.type === 'string' &&
    typeof schema.format === 'string' &&
    schema.maxLength === undefined &&
    FORMAT_MAX_LENGTH[schema.format]
  ) {
    schema.maxLength = FORMAT_MAX_LENGTH[schema.format];
  }
  for (const value of Object.values(schema)) visit(value);
}
