import { Injectable, OnModuleInit } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { FastifyRequest } from 'fastify';
import { isUuid, Ports, Role, TokenClaims, UserPrincipal } from '@app/common';
import { appPrincipal } from './oauth.queries';

/**
 * The principal of an app's access token: its user, restricted to the authorization's
 * space and scopes and to the user's role as it is now. Read on every request (one
 * statement), so a revoked authorization, a deleted client, a removed member or a
 * demotion takes effect on the next request, on every instance.
 */
@Injectable()
export class AppTokenResolver implements OnModuleInit {
  constructor(
    private readonly em: EntityManager,
    private readonly ports: Ports,
  ) {}

  onModuleInit(): void {
    this.ports.plug('appTokenResolver', { fromToken: (request, claims) => this.fromToken(request, claims) });
  }

  private async fromToken(_request: FastifyRequest, claims: TokenClaims): Promise<UserPrincipal | null> {
    const aid = claims.aid;
    if (typeof aid !== 'string' || !isUuid(aid)) return null;
    const row = await appPrincipal.first(this.em.getConnection(), { id: aid });
    if (!row || row.user_id !== claims.sub || !row.role) return null;
    return {
      kind: 'user',
      id: row.user_id,
      email: row.email,
      name: row.name,
      // An app never carries platform-wide power, whoever its user is.
      isPlatformAdmin: false,
      app: {
        clientId: row.client_id,
        clientName: row.client_name,
        authorizationId: aid,
        spaceId: row.space_id,
        scopes: row.scopes,
        role: row.role as Role,
      },
    };
  }
}
