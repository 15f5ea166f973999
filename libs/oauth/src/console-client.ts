import type { OAuthClientRow } from './oauth.queries';

/**
 * The web console (API.md, "Console") signs in as a first-party public client of the
 * whole platform, not of one space: authorization code + PKCE, no consent screen, and
 * its code buys the user's own session (access and rotating refresh token, as
 * /api/auth/login gives), not an app token. Its one redirect URI is the issuer's
 * /console/callback, so a code can only ever go back to the console of this server.
 */
export const CONSOLE_CLIENT_ID = 'portico-console';

export const isConsole = (client: Pick<OAuthClientRow, 'id'>) => client.id === CONSOLE_CLIENT_ID;

export function consoleClient(issuer: string): OAuthClientRow {
  return {
    // A console code names no space or client (migration 15).
    space_id: '',
    id: CONSOLE_CLIENT_ID,
    name: 'Portico console',
    type: 'public',
    redirect_uris: [`${issuer}/console/callback`],
    scopes: ['openid', 'profile', 'email'],
    first_party: true,
    secret_hash: null,
    generation: 1,
    created_at: new Date(0),
    updated_at: new Date(0),
  };
}
