import { Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

/** RFC 6749 §5.1 success body. */
export interface OAuthTokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token?: string;
  scope?: string;
}

/** RFC 6749 §5.2 error codes. */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope';

export class OAuthError extends Error {
  constructor(
    readonly error: OAuthErrorCode,
    readonly description: string,
  ) {
    super(description);
  }

  get status(): number {
    return this.error === 'invalid_client' ? 401 : 400;
  }
}

/** HTTP Basic `client_id:client_secret` (RFC 6749 §2.3.1: each part form-urlencoded). */
export function basicCredentials(header: string | undefined): { id: string; secret: string } | undefined {
  const m = header ? /^Basic +([A-Za-z0-9+/=]+)$/i.exec(header) : null;
  if (!m) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const at = decoded.indexOf(':');
  if (at < 0) return undefined;
  try {
    return { id: decodeURIComponent(decoded.slice(0, at)), secret: decodeURIComponent(decoded.slice(at + 1)) };
  } catch {
    return undefined;
  }
}

export type GrantHandler = (params: Record<string, string>, request: FastifyRequest) => Promise<OAuthTokenResponse>;

/** Grant types of POST /oauth/token; each module registers the grants it owns. */
@Injectable()
export class OAuthGrants {
  private readonly handlers = new Map<string, GrantHandler>();

  register(grantType: string, handler: GrantHandler): void {
    this.handlers.set(grantType, handler);
  }

  handler(grantType: string): GrantHandler | undefined {
    return this.handlers.get(grantType);
  }
}
