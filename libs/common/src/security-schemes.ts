import type { SecuritySchemeObject } from '@nestjs/swagger';
import { OAUTH_SCOPES } from './oauth-scopes';

/** Names of the security schemes in the OpenAPI document. */
export const SECURITY_SCHEMES = {
  undbToken: 'x-undb-api-token',
  apiKey: 'X-Api-Key',
  bearer: 'bearer',
  oauth2: 'oauth2',
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
  [SECURITY_SCHEMES.oauth2]: {
    type: 'oauth2',
    description:
      "An app acting for a user (authorization code + PKCE): the user's role in the client's space, intersected " +
      'with the granted scopes. Register a client under /api/spaces/{space_id}/oauth-clients. Its access tokens ' +
      'are ES256 JWTs handled as RFC8725 recommends: the algorithm is fixed server-side, `alg: none` is refused, ' +
      'and issuer, audience, expiry and key id are checked.',
    flows: {
      authorizationCode: {
        authorizationUrl: '/oauth/authorize',
        tokenUrl: '/oauth/token',
        refreshUrl: '/oauth/token',
        scopes: { ...OAUTH_SCOPES },
      },
    },
  },
};
