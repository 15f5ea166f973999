import { Injectable, OnModuleInit } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Authenticator, badRequest, Metrics, Ports, Principal, unauthorized } from '@app/common';
import { JwtStrategy } from './jwt.strategy';
import { runStrategy } from './run-strategy';
import { VerifiedTokens } from './verified-tokens';

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** Every value of a header; Node joins repeated custom headers with ", ". */
function values(header: string | string[] | undefined): string[] {
  if (header === undefined) return [];
  return (Array.isArray(header) ? header : [header]).flatMap((h) => h.split(',')).map((v) => v.trim());
}

/**
 * The single credential of a request, from `Authorization: Bearer`, `X-Api-Key` or
 * `x-undb-api-token` (never the query string). Returns undefined when there is none;
 * different values on several headers are ambiguous (400); a malformed
 * Authorization header is 401.
 */
export function extractCredential(request: FastifyRequest, bodyCredential?: string): string | undefined {
  const found: string[] = [];
  for (const raw of values(request.headers.authorization)) {
    const m = /^Bearer +(\S+)$/i.exec(raw);
    if (!m) throw unauthorized('The Authorization header must be "Bearer <token>".');
    found.push(m[1]);
  }
  found.push(...values(request.headers['x-api-key']), ...values(request.headers['x-undb-api-token']));
  if (bodyCredential !== undefined) found.push(bodyCredential.trim());
  if (found.some((v) => v === '')) throw unauthorized('An empty credential was presented.');
  const distinct = new Set(found);
  if (distinct.size > 1) {
    throw badRequest(
      'Credentials were sent in several headers with different values.',
      undefined,
      'ambiguous-credentials',
    );
  }
  return found[0];
}

@Injectable()
export class CredentialAuthenticator implements Authenticator, OnModuleInit {
  private readonly verified = new VerifiedTokens();

  private readonly counted: { hit: () => void; miss: () => void };

  constructor(
    private readonly jwt: JwtStrategy,
    private readonly ports: Ports,
    metrics: Metrics,
  ) {
    this.counted = metrics.cache('jwt');
  }

  onModuleInit(): void {
    this.ports.plug('authenticator', this);
  }

  async authenticate(request: FastifyRequest, bodyCredential?: string): Promise<Principal | null> {
    const credential = extractCredential(request, bodyCredential);
    if (credential === undefined) return null;
    let principal: Principal | false | null = null;
    if (JWT_SHAPE.test(credential)) {
      // passport-jwt reads the Authorization header; a JWT on X-Api-Key is no API key and fails below.
      if (request.headers.authorization) {
        const known = this.verified.get(credential);
        if (known) this.counted.hit();
        else this.counted.miss();
        if (known) {
          principal = await this.jwt.validate(request, known);
        } else {
          // A bad token is the strategy's `fail` (false); what `validate` throws (a decided
          // refusal such as a key's allowlist 403, or a database that is down) stands, so
          // an outage is a 503, not a "bad credential" 401.
          principal = await runStrategy<Principal>(this.jwt, request);
          if (principal) this.verified.remember(credential);
        }
      }
    } else {
      const apiKeys = this.ports.find('apiKeyVerifier');
      if (apiKeys) principal = await apiKeys.verify(request, credential);
    }
    if (!principal) throw unauthorized('The credential is invalid, expired or revoked.');
    return principal;
  }
}
