import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';

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

export interface OAuthErrorBody {
  error: string;
  error_description: string;
}

/** An RFC 6749 endpoint's body (a form or JSON object) as string parameters; anything else is invalid_request. */
export function oauthParams(body: unknown): Record<string, string> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new OAuthError('invalid_request', 'The body must be a form or a JSON object.');
  const params: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) {
    if (typeof v !== 'string') throw new OAuthError('invalid_request', `Parameter ${k} must be a string.`);
    params[k] = v;
  }
  return params;
}

/**
 * Runs an RFC 6749-style endpoint (token, revocation, introspection): `work` gets the
 * parameters; an OAuthError it throws becomes the RFC 6749 body OAuth clients parse
 * (401 with `WWW-Authenticate: Basic` for invalid_client), not a problem document.
 */
export async function oauthEndpoint<T>(
  body: unknown,
  reply: FastifyReply,
  work: (params: Record<string, string>) => Promise<T>,
): Promise<T | OAuthErrorBody> {
  try {
    return await work(oauthParams(body));
  } catch (error) {
    if (!(error instanceof OAuthError)) throw error;
    void reply.status(error.status);
    if (error.status === 401) void reply.header('WWW-Authenticate', 'Basic realm="portico"');
    return { error: error.error, error_description: error.description };
  }
}
