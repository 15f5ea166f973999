import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiSecurity } from '@nestjs/swagger';
import type { SecuritySchemeObject } from '@nestjs/swagger';
import { ApiProblems } from './api-problems';

/** Names of the security schemes in the OpenAPI document. */
export const SECURITY_SCHEMES = {
  undbToken: 'x-undb-api-token',
  apiKey: 'X-Api-Key',
  bearer: 'bearer',
} as const;

/** The schemes themselves, for every OpenAPI document the API serves (the main one and each space's). */
export const SECURITY_SCHEME_DEFINITIONS: Record<
  (typeof SECURITY_SCHEMES)[keyof typeof SECURITY_SCHEMES],
  SecuritySchemeObject
> = {
  [SECURITY_SCHEMES.undbToken]: {
    type: 'apiKey',
    in: 'header',
    name: 'x-undb-api-token',
    description: 'A space API key (undb style).',
  },
  [SECURITY_SCHEMES.apiKey]: {
    type: 'apiKey',
    in: 'header',
    name: 'X-Api-Key',
    description: 'A space API key (Jelou style).',
  },
  [SECURITY_SCHEMES.bearer]: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description:
      'A user access JWT, a key-derived JWT, or a raw API key. JWTs are ES256 JWS and are handled as RFC8725 ' +
      'recommends: the algorithm is fixed server-side (never taken from the token), `alg: none` is refused, and ' +
      'issuer, audience, expiry and key id are checked.',
  },
};

export const ACCEPTS_API_KEYS = 'portico:accepts-api-keys';
export const BODY_CREDENTIAL = 'portico:body-credential';

/**
 * Declares who may call a route, for the guard and the OpenAPI document at once
 * (so the docs cannot drift from enforcement). Without `apiKeys`, only users'
 * bearer tokens are accepted and an API key gets 403.
 */
export function Authenticated(options: { apiKeys?: boolean } = {}) {
  // Every authenticated route is also charged against a tenant budget (429).
  const decorators = [
    SetMetadata(ACCEPTS_API_KEYS, options.apiKeys === true),
    ApiBearerAuth(SECURITY_SCHEMES.bearer),
    ApiProblems(401, 403, 429),
  ];
  if (options.apiKeys) decorators.push(ApiSecurity(SECURITY_SCHEMES.apiKey), ApiSecurity(SECURITY_SCHEMES.undbToken));
  return applyDecorators(...decorators);
}

/** ekoDB compatibility: the credential may also arrive in this body field (never the query string). */
export const CredentialInBody = (field: string) => SetMetadata(BODY_CREDENTIAL, field);
