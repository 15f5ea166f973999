/**
 * The signed-in user's tokens, in memory only (never localStorage: a script injected
 * into the page could read it). The access token is renewed before it expires with the
 * rotating refresh token; a reload signs in again through /oauth/authorize, which answers
 * at once while the Portico sign-in session (an HttpOnly cookie) lasts.
 */
export interface Tokens {
  access_token: string;
  refresh_token: string;
  expires_in: number;
}

export const CLIENT_ID = 'portico-console';
const VERIFIER_KEY = 'portico-console-pkce';
const redirectUri = () => `${window.location.origin}/console/callback`;

type Listener = () => void;

class Session {
  private tokens?: Tokens & { expiresAt: number };
  private refreshing?: Promise<void>;
  private readonly listeners = new Set<Listener>();

  get signedIn(): boolean {
    return this.tokens !== undefined;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  set(tokens: Tokens): void {
    this.tokens = { ...tokens, expiresAt: Date.now() + tokens.expires_in * 1000 };
    this.listeners.forEach((l) => l());
  }

  /** The access token, renewed first when it has less than 30 s left. */
  async accessToken(): Promise<string | undefined> {
    if (!this.tokens) return undefined;
    if (this.tokens.expiresAt - Date.now() < 30_000) await this.refresh();
    return this.tokens?.access_token;
  }

  private refresh(): Promise<void> {
    this.refreshing ??= (async () => {
      const res = await fetch('/api/auth/refresh', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refresh_token: this.tokens?.refresh_token }),
      });
      if (res.ok) this.set((await res.json()) as Tokens);
      else this.expired();
    })().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  expired(): void {
    if (!this.tokens) return;
    this.tokens = undefined;
    this.listeners.forEach((l) => l());
  }

  /** Revokes the refresh token and ends the sign-in pages' session, then forgets the tokens. */
  async signOut(): Promise<void> {
    const refresh = this.tokens?.refresh_token;
    this.tokens = undefined;
    await Promise.all([
      refresh &&
        fetch('/api/auth/logout', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ refresh_token: refresh }),
        }),
      fetch('/oauth/sign-out', { method: 'POST', credentials: 'same-origin' }),
    ]).catch(() => undefined);
    this.listeners.forEach((l) => l());
  }

  /** Authorization code + PKCE: off to the sign-in page, back at /console/callback. */
  async signIn(returnTo = window.location.pathname + window.location.search): Promise<void> {
    const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
    const challenge = base64url(
      new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))),
    );
    const state = base64url(crypto.getRandomValues(new Uint8Array(16)));
    // The verifier is not a credential on its own; it only has to survive the redirect.
    sessionStorage.setItem(VERIFIER_KEY, JSON.stringify({ verifier, state, returnTo }));
    const params = new URLSearchParams({
      response_type: 'code',
      client_id: CLIENT_ID,
      redirect_uri: redirectUri(),
      code_challenge: challenge,
      code_challenge_method: 'S256',
      state,
      scope: 'openid',
    });
    window.location.assign(`/oauth/authorize?${params.toString()}`);
  }

  /** The callback's half: the code for tokens. Returns where to go next. */
  async complete(search: URLSearchParams): Promise<string> {
    const saved = JSON.parse(sessionStorage.getItem(VERIFIER_KEY) ?? 'null') as {
      verifier: string;
      state: string;
      returnTo: string;
    } | null;
    sessionStorage.removeItem(VERIFIER_KEY);
    if (search.get('error'))
      throw new Error(search.get('error_description') ?? search.get('error') ?? 'Sign-in failed.');
    if (!saved || saved.state !== search.get('state')) throw new Error('This sign-in was not started here; try again.');
    const res = await fetch('/oauth/token', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: CLIENT_ID,
        code: search.get('code') ?? '',
        redirect_uri: redirectUri(),
        code_verifier: saved.verifier,
      }),
    });
    const body = (await res.json()) as Tokens & { error_description?: string };
    if (!res.ok) throw new Error(body.error_description ?? 'Sign-in failed.');
    this.set(body);
    return saved.returnTo.startsWith('/console') && !saved.returnTo.startsWith('/console/callback')
      ? saved.returnTo
      : '/console/';
  }
}

function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

export const session = new Session();
