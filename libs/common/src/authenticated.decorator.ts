import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiOAuth2, ApiSecurity } from '@nestjs/swagger';
import { ApiProblems } from './api-problems';
import { SECURITY_SCHEMES } from './security-schemes';

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
  // Routes keys may call are also the ones an app's token (OAuth) may call.
  if (options.apiKeys)
    decorators.push(
      ApiSecurity(SECURITY_SCHEMES.apiKey),
      ApiSecurity(SECURITY_SCHEMES.undbToken),
      ApiOAuth2([], SECURITY_SCHEMES.oauth2),
    );
  return applyDecorators(...decorators);
}

/** ekoDB compatibility: the credential may also arrive in this body field (never the query string). */
export const CredentialInBody = (field: string) => SetMetadata(BODY_CREDENTIAL, field);
