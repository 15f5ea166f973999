import { createHash, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { FastifyRequest } from 'fastify';
import { APP_CONFIG, AppConfig } from '@app/config';
import { uuidv7 } from '@app/common';
import { AuditWriter } from '@app/audit';
import {
  AuthService,
  OAuthError,
  OAuthGrants,
  OAuthTokenResponse,
  RefreshTokensService,
  SigningKeysService,
} from '@app/auth';
import { CONSOLE_CLIENT_ID } from './console-client';
import { AppTokens } from './app-tokens';
import { AuthorizeService } from './authorize.service';
import { ClientAuthenticator } from './client-auth';
import { issuerOf } from './issuer';
import {
  CodeRow,
  insertAuthorization,
  lockCode,
  revokeAuthorizationOfCode,
  spendCode,
  userClaims,
} from './oauth.queries';

const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

/**
 * grant_type=authorization_code (RFC 6749 §4.1.3, RFC 7636 §4.6): the client, the code
 * (unused, unexpired, its own, for the same redirect URI) and the PKCE verifier are
 * checked in one transaction that spends the code. A replayed code is `invalid_grant`
 * and revokes what was issued from it.
 */
@Injectable()
export class AuthorizationCodeGrant implements OnModuleInit {
  constructor(
    private readonly grants: OAuthGrants,
    private readonly em: EntityManager,
    private readonly clients: ClientAuthenticator,
    private readonly authorize: AuthorizeService,
    private readonly keys: SigningKeysService,
    private readonly appTokens: AppTokens,
    private readonly refreshTokens: RefreshTokensService,
    private readonly audit: AuditWriter,
    private readonly sessions: AuthService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.grants.register('authorization_code', (params, request) => this.exchange(params, request));
  }

  private async exchange(params: Record<string, string>, request: FastifyRequest): Promise<OAuthTokenResponse> {
    if (params.client_id === CONSOLE_CLIENT_ID) return this.consoleExchange(params);
    const client = await this.clients.authenticate(params, request);
    if (!params.code) throw new OAuthError('invalid_request', 'code is required.');
    if (!params.redirect_uri) throw new OAuthError('invalid_request', 'redirect_uri is required.');
    const codeHash = this.authorize.codeHash(params.code);
    type Exchanged =
      | { code: CodeRow; spaceId: string; authorizationId: string; refreshToken?: string }
      | { error: string; replay?: CodeRow };
    const issued = await this.em.transactional(async (em): Promise<Exchanged> => {
      const code = await lockCode.first(em, { codeHash });
      if (!code) return { error: 'The code is invalid.' };
      if (code.used_at) {
        await revokeAuthorizationOfCode.rows(em, { codeHash });
        return { error: 'The code was already used; what was issued from it is revoked.', replay: code };
      }
      const problem = this.problemWith(code, client.id, params);
      if (problem) return { error: problem };
      if (code.space_id === null || code.client_id === null) return { error: 'The code was issued to another client.' };
      await spendCode.rows(em, { codeHash });
      const authorizationId = uuidv7();
      await insertAuthorization.rows(em, {
        id: authorizationId,
        spaceId: code.space_id,
        clientId: code.client_id,
        userId: code.user_id,
        scopesJson: JSON.stringify(code.scopes),
        codeHash,
      });
      await this.audit.append(em, {
        spaceId: code.space_id,
        actor: { type: 'user', id: code.user_id, label: `via ${client.name}` },
        action: 'oauth.code_exchange',
        resource: { type: 'oauth_client', id: client.id },
        metadata: { authorization_id: authorizationId, scopes: code.scopes },
      });
      // offline_access: a refresh family of the authorization's own, rotating as users' families do.
      const refresh = code.scopes.includes('offline_access')
        ? await this.refreshTokens.startFamily(em, code.user_id, authorizationId)
        : undefined;
      return { code, spaceId: code.space_id, authorizationId, refreshToken: refresh?.token };
    });
    if ('error' in issued) {
      if (issued.replay)
        await this.audit.appendNow({
          spaceId: issued.replay.space_id,
          actor: { type: 'user', id: issued.replay.user_id, label: `via ${client.name}` },
          action: 'oauth.code_exchange',
          outcome: 'failure',
          resource: { type: 'oauth_client', id: client.id },
          metadata: { reason: 'replay' },
        });
      throw new OAuthError('invalid_grant', issued.error);
    }
    return this.tokens(
      issued.code,
      issued.spaceId,
      issued.authorizationId,
      client.id,
      issuerOf(this.config, request),
      issued.refreshToken,
    );
  }

  /**
   * The console's code (console-client.ts): checked as any public client's (unused,
   * unexpired, same redirect URI, PKCE), then it buys the user's own session, with a
   * refresh token that rotates at /api/auth/refresh.
   */
  private async consoleExchange(params: Record<string, string>): Promise<OAuthTokenResponse> {
    if (!params.code) throw new OAuthError('invalid_request', 'code is required.');
    if (!params.redirect_uri) throw new OAuthError('invalid_request', 'redirect_uri is required.');
    const codeHash = this.authorize.codeHash(params.code);
    const spent = await this.em.transactional(async (em): Promise<{ userId: string } | { error: string }> => {
      const code = await lockCode.first(em, { codeHash });
      if (!code) return { error: 'The code is invalid.' };
      if (code.used_at) return { error: 'The code was already used.' };
      const problem = this.problemWith(code, null, params) ?? (code.code_challenge ? undefined : 'PKCE is required.');
      if (problem) return { error: problem };
      await spendCode.rows(em, { codeHash });
      return { userId: code.user_id };
    });
    if ('error' in spent) throw new OAuthError('invalid_grant', spent.error);
    return this.sessions.startSession(spent.userId, 'console');
  }

  /** Why this code cannot be exchanged by this client (null: the console) with these parameters, or undefined. */
  private problemWith(code: CodeRow, clientId: string | null, params: Record<string, string>): string | undefined {
    if (code.client_id !== clientId) return 'The code was issued to another client.';
    if (new Date(code.expires_at).getTime() <= Date.now()) return 'The code has expired.';
    if (code.redirect_uri !== params.redirect_uri) return 'redirect_uri differs from the authorization request.';
    const verifier = params.code_verifier;
    // No challenge was sent: a verifier now would be a downgrade attempt (RFC 9700 §2.1.1).
    if (!code.code_challenge) return verifier === undefined ? undefined : 'No code_challenge was sent for this code.';
    if (!verifier || !VERIFIER.test(verifier)) return 'A valid code_verifier is required.';
    const computed = Buffer.from(createHash('sha256').update(verifier).digest('base64url'));
    const expected = Buffer.from(code.code_challenge);
    if (computed.length !== expected.length || !timingSafeEqual(computed, expected))
      return 'code_verifier does not match the code_challenge.';
    return undefined;
  }

  private async tokens(
    code: CodeRow,
    spaceId: string,
    authorizationId: string,
    clientId: string,
    issuer: string,
    refreshToken: string | undefined,
  ): Promise<OAuthTokenResponse> {
    const response: OAuthTokenResponse & { id_token?: string } = await this.appTokens.access(
      { userId: code.user_id, spaceId, clientId, authorizationId, scopes: code.scopes },
      refreshToken,
    );
    if (code.scopes.includes('openid')) {
      // email and name travel in the id_token with their scopes, as UserInfo gives them.
      const wantsEmail = code.scopes.includes('email');
      const wantsName = code.scopes.includes('profile');
      const user = wantsEmail || wantsName ? await userClaims.first(this.em, { id: code.user_id }) : undefined;
      response.id_token = await this.keys.signIdToken(
        issuer,
        code.user_id,
        clientId,
        {
          auth_time: Math.floor(new Date(code.auth_time).getTime() / 1000),
          ...(code.nonce ? { nonce: code.nonce } : {}),
          ...(wantsEmail && user ? { email: user.email } : {}),
          ...(wantsName && user ? { name: user.name } : {}),
        },
        this.config.auth.accessTokenTtl,
      );
    }
    return response;
  }
}
