import { randomBytes, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { pepperHash, SECRETS, Secrets } from '@app/config';
import { isUuid } from '@app/common';
import { AuditWriter } from '@app/audit';
import {
  AuthorizeParams,
  AuthorizeRequest,
  checkAuthorize,
  PageError,
  redirectTo,
  RedirectError,
} from './authorize-request';
import { CONSOLE_CLIENT_ID, consoleClient, isConsole } from './console-client';
import { clientById, consentOf, insertCode, saveConsent, SessionRow, spaceAndRole } from './oauth.queries';

/** How long a code may wait for its exchange (RFC 6749 §4.1.2: short; API.md: at most 60 s). */
export const CODE_SECONDS = 60;

export type Signed = SessionRow & { tokenHash: Buffer };

/** What the authorize endpoint answers: a page, or a redirect back to the app. */
export type AuthorizeOutcome =
  | { page: 'error'; message: string; status: number }
  | { page: 'consent'; request: AuthorizeRequest; spaceName: string; email: string; csrf: string }
  | { redirect: string };

@Injectable()
export class AuthorizeService {
  constructor(
    private readonly em: EntityManager,
    private readonly audit: AuditWriter,
    @Inject(SECRETS) private readonly secrets: Secrets,
  ) {}

  /** The request checked against its client: an error page, an error redirect, or the request. */
  async check(params: AuthorizeParams, issuer: string): Promise<AuthorizeRequest | PageError | RedirectError> {
    const client =
      params.client_id === CONSOLE_CLIENT_ID
        ? consoleClient(issuer)
        : params.client_id && isUuid(params.client_id)
          ? await clientById.first(this.em, { id: params.client_id })
          : undefined;
    return checkAuthorize(params, client);
  }

  errorRedirect(error: RedirectError, issuer: string): string {
    return redirectTo(error.redirectUri, {
      error: error.error,
      error_description: error.description,
      state: error.state,
      iss: issuer,
    });
  }

  /**
   * For a signed-in user: a code at once when consent is not needed (a first-party app,
   * or these scopes granted before), else the consent page. A user who is not a member
   * of the app's space is sent back with `access_denied`.
   */
  async decide(
    request: AuthorizeRequest,
    user: Signed,
    params: AuthorizeParams,
    issuer: string,
  ): Promise<AuthorizeOutcome> {
    const { client } = request;
    // The console acts for the user everywhere they are a member: no space to check, no consent.
    if (isConsole(client)) return { redirect: await this.issueCode(request, user, issuer) };
    const space = await spaceAndRole.first(this.em, { spaceId: client.space_id, userId: user.user_id });
    if (!space?.role)
      return { redirect: this.denied(request, issuer, 'You are not a member of the space this app belongs to.') };
    const granted = await consentOf.first(this.em, {
      spaceId: client.space_id,
      clientId: client.id,
      userId: user.user_id,
    });
    if (client.first_party || request.scopes.every((s) => granted?.scopes.includes(s)))
      return { redirect: await this.issueCode(request, user, issuer) };
    return { page: 'consent', request, spaceName: space.name, email: user.email, csrf: this.csrf(user, params) };
  }

  /** The consent form's answer; `csrf` must be the one its page carried for this session and request. */
  async answer(
    request: AuthorizeRequest,
    user: Signed,
    params: AuthorizeParams,
    csrf: string | undefined,
    allow: boolean,
    issuer: string,
  ): Promise<AuthorizeOutcome> {
    const expected = Buffer.from(this.csrf(user, params));
    if (!csrf || csrf.length !== expected.length || !timingSafeEqual(Buffer.from(csrf), expected))
      return {
        page: 'error',
        status: 403,
        message: 'This form has expired or did not come from this page. Start again from the app.',
      };
    const { client } = request;
    const space = await spaceAndRole.first(this.em, { spaceId: client.space_id, userId: user.user_id });
    if (!space?.role)
      return { redirect: this.denied(request, issuer, 'You are not a member of the space this app belongs to.') };
    await this.em.transactional(async (em) => {
      if (allow)
        await saveConsent.rows(em, {
          spaceId: client.space_id,
          clientId: client.id,
          userId: user.user_id,
          scopesJson: JSON.stringify(request.scopes),
        });
      await this.audit.append(em, {
        spaceId: client.space_id,
        actor: { type: 'user', id: user.user_id, label: user.email },
        action: 'oauth.consent',
        outcome: allow ? 'success' : 'denied',
        resource: { type: 'oauth_client', id: client.id },
        metadata: { scopes: request.scopes },
      });
    });
    if (!allow) return { redirect: this.denied(request, issuer, 'The user denied the request.') };
    return { redirect: await this.issueCode(request, user, issuer) };
  }

  private denied(request: AuthorizeRequest, issuer: string, description: string): string {
    return this.errorRedirect(
      {
        kind: 'redirect',
        redirectUri: request.redirectUri,
        error: 'access_denied',
        description,
        state: request.state,
      },
      issuer,
    );
  }

  /** A code of 256 random bits, stored as its HMAC, for at most CODE_SECONDS. */
  private async issueCode(request: AuthorizeRequest, user: Signed, issuer: string): Promise<string> {
    const code = randomBytes(32).toString('base64url');
    await insertCode.rows(this.em, {
      codeHash: this.codeHash(code),
      spaceId: isConsole(request.client) ? null : request.client.space_id,
      clientId: isConsole(request.client) ? null : request.client.id,
      userId: user.user_id,
      redirectUri: request.redirectUri,
      scopesJson: JSON.stringify(request.scopes),
      codeChallenge: request.codeChallenge ?? null,
      nonce: request.nonce ?? null,
      authTime: new Date(user.auth_time),
      expiresAt: new Date(Date.now() + CODE_SECONDS * 1000),
    });
    return redirectTo(request.redirectUri, { code, state: request.state, iss: issuer });
  }

  codeHash(code: string): Buffer {
    return pepperHash(this.secrets, `oauth-code:${code}`);
  }

  /** Bound to the session and to every parameter of the request, so a form cannot be replayed elsewhere. */
  private csrf(user: Signed, params: AuthorizeParams): string {
    return pepperHash(this.secrets, `oauth-csrf:${user.tokenHash.toString('hex')}:${JSON.stringify(params)}`).toString(
      'base64url',
    );
  }
}
