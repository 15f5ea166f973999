import { Injectable, OnModuleInit } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { FastifyRequest } from 'fastify';
import { Ports, TokenResponse } from '@app/common';
import { AuditWriter } from '@app/audit';
import { OAuthError, RefreshTokensService } from '@app/auth';
import { AppTokens } from './app-tokens';
import { ClientAuthenticator } from './client-auth';
import { authorizationForRefresh } from './oauth.queries';

class NotThisClients extends Error {}

/**
 * grant_type=refresh_token for an app (offline_access): the client authenticates, the
 * token rotates with the users' family rules (a reused one revokes the family), and
 * the authorization it rests on must still stand, belong to this client and the user
 * still be in the space. A refusal for another client rolls the rotation back.
 */
@Injectable()
export class AppRefresher implements OnModuleInit {
  constructor(
    private readonly em: EntityManager,
    private readonly clients: ClientAuthenticator,
    private readonly ports: Ports,
    private readonly refreshTokens: RefreshTokensService,
    private readonly tokens: AppTokens,
    private readonly audit: AuditWriter,
  ) {}

  onModuleInit(): void {
    this.ports.plug('appRefresher', { refresh: (params, request) => this.refresh(params, request) });
  }

  private async refresh(params: Record<string, string>, request: FastifyRequest): Promise<TokenResponse> {
    const client = await this.clients.authenticate(params, request);
    const invalid = () => new OAuthError('invalid_grant', 'The refresh token is invalid, expired or revoked.');
    let renewed;
    try {
      renewed = await this.em.transactional(async (em) => {
        const outcome = await this.refreshTokens.rotate(em, params.refresh_token);
        if (!outcome.ok || !outcome.authorizationId) return undefined;
        const aid = outcome.authorizationId;
        const grant = await authorizationForRefresh.first(em, { id: aid });
        if (!grant || grant.client_id !== client.id) throw new NotThisClients();
        if (grant.revoked_at || !grant.role) return undefined;
        await this.audit.append(em, {
          spaceId: grant.space_id,
          actor: { type: 'user', id: grant.user_id, label: `via ${client.name}` },
          action: 'oauth.refresh',
          resource: { type: 'oauth_client', id: client.id },
          metadata: { authorization_id: aid },
        });
        return { grant, aid, token: outcome.token };
      });
    } catch (error) {
      if (error instanceof NotThisClients) throw invalid();
      throw error;
    }
    if (!renewed) throw invalid();
    const { grant, aid, token } = renewed;
    return this.tokens.access(
      {
        userId: grant.user_id,
        spaceId: grant.space_id,
        clientId: client.id,
        authorizationId: aid,
        scopes: grant.scopes,
      },
      token,
    );
  }
}
