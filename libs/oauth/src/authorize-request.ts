import type { OAuthClientRow } from './oauth.queries';
import { OAUTH_SCOPE_NAMES, OAuthScope } from '@app/common';

/** The parameters of GET /oauth/authorize that travel through the sign-in and consent forms. */
export const AUTHORIZE_PARAMS = [
  'response_type',
  'client_id',
  'redirect_uri',
  'scope',
  'state',
  'code_challenge',
  'code_challenge_method',
  'nonce',
] as const;
export type AuthorizeParams = Partial<Record<(typeof AUTHORIZE_PARAMS)[number], string>>;

export interface AuthorizeRequest {
  client: OAuthClientRow;
  redirectUri: string;
  scopes: OAuthScope[];
  state?: string;
  codeChallenge?: string;
  nonce?: string;
}

/** A request that cannot be trusted with a redirect (unknown client or redirect URI): an error page. */
export interface PageError {
  kind: 'page';
  message: string;
}
/** A request from a known client to a registered URI: the error goes back to it (RFC 6749 §4.1.2.1). */
export interface RedirectError {
  kind: 'redirect';
  redirectUri: string;
  error: 'invalid_request' | 'unsupported_response_type' | 'invalid_scope' | 'access_denied';
  description: string;
  state?: string;
}

const PKCE_CHALLENGE = /^[A-Za-z0-9._~-]{43,128}$/;

/** The authorize parameters of a query or form, each a single string (repeats are refused by `checkAuthorize`). */
export function authorizeParams(source: unknown): AuthorizeParams | 'repeated' {
  const params: AuthorizeParams = {};
  const from = (source ?? {}) as Record<string, unknown>;
  for (const name of AUTHORIZE_PARAMS) {
    const value = from[name];
    if (value === undefined) continue;
    if (typeof value !== 'string') return 'repeated';
    params[name] = value;
  }
  return params;
}

/**
 * Checks an authorization request (RFC 6749 §4.1.1, RFC 7636, RFC 9700): the client and
 * its exactly registered redirect URI first (without them nothing is redirected), then
 * the rest, whose errors go back to the client with its `state`.
 */
export function checkAuthorize(
  params: AuthorizeParams,
  client: OAuthClientRow | undefined,
): AuthorizeRequest | PageError | RedirectError {
  if (!params.client_id || !client)
    return { kind: 'page', message: 'This app is not known to Portico: the link that brought you here is wrong.' };
  const redirectUri = params.redirect_uri;
  if (!redirectUri || !client.redirect_uris.includes(redirectUri))
    return {
      kind: 'page',
      message: `The address "${client.name}" asked to return to is not one it registered, so you are not sent there.`,
    };
  const state = params.state;
  const fail = (error: RedirectError['error'], description: string): RedirectError => ({
    kind: 'redirect',
    redirectUri,
    error,
    description,
    state,
  });
  if (params.response_type !== 'code') return fail('unsupported_response_type', 'response_type must be "code".');
  const method = params.code_challenge_method;
  if (method !== undefined && method !== 'S256')
    return fail('invalid_request', 'code_challenge_method must be S256 ("plain" is not accepted).');
  const challenge = params.code_challenge;
  if (challenge === undefined && client.type === 'public')
    return fail('invalid_request', 'A public client must send a PKCE code_challenge (S256).');
  if (challenge !== undefined && (!PKCE_CHALLENGE.test(challenge) || method !== 'S256'))
    return fail(
      'invalid_request',
      'code_challenge must be a base64url S256 challenge with code_challenge_method=S256.',
    );
  if (state !== undefined && state.length > 2000) return fail('invalid_request', 'state is too long.');
  if (params.nonce !== undefined && params.nonce.length > 500) return fail('invalid_request', 'nonce is too long.');
  const requested = (params.scope ?? '').split(' ').filter(Boolean);
  if (requested.length === 0) return fail('invalid_scope', 'scope is required.');
  const unknown = requested.filter((s) => !(OAUTH_SCOPE_NAMES as string[]).includes(s));
  if (unknown.length) return fail('invalid_scope', `Unknown scope: ${unknown.join(' ')}.`);
  const beyond = requested.filter((s) => !(client.scopes as string[]).includes(s));
  if (beyond.length) return fail('invalid_scope', `The app may not ask for: ${beyond.join(' ')}.`);
  return {
    client,
    redirectUri,
    scopes: [...new Set(requested)] as OAuthScope[],
    state,
    codeChallenge: challenge,
    nonce: params.nonce,
  };
}

/** `redirect_uri` with `params` added to its query (it may have one already). */
export function redirectTo(redirectUri: string, params: Record<string, string | undefined>): string {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(name, value);
  return url.toString();
}
