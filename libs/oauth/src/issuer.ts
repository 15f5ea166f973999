import type { FastifyRequest } from 'fastify';
import type { AppConfig } from '@app/config';

/**
 * The issuer identifier (RFC 8414, OpenID Connect Discovery): OAUTH_ISSUER, or the
 * origin the request reached (scheme and host as Fastify resolves them, a trusted
 * proxy's X-Forwarded-* included).
 */
export function issuerOf(config: AppConfig, request: FastifyRequest): string {
  return config.auth.oauthIssuer ?? `${request.protocol}://${request.host}`;
}
