import { Injectable, OnModuleInit } from '@nestjs/common';
import { basicCredentials, MeService, OAuthError, OAuthGrants } from '@app/auth';
import { ApiKeysService } from './api-keys.service';
import { MeApiKeyDto } from './dto/api-key.dto';

/** Plugs API keys into the token endpoint (client_credentials) and GET /api/auth/me. */
@Injectable()
export class ApiKeyAuthExtensions implements OnModuleInit {
  constructor(
    private readonly grants: OAuthGrants,
    private readonly me: MeService,
    private readonly keys: ApiKeysService,
  ) {}

  onModuleInit(): void {
    this.grants.register('client_credentials', async (params, request) => {
      const basic = basicCredentials(request.headers.authorization);
      const id = basic?.id ?? params.client_id;
      const secret = basic?.secret ?? params.client_secret;
      if (!id || !secret)
        throw new OAuthError('invalid_client', 'client_id and client_secret (or HTTP Basic) are required.');
      const issued = await this.keys.exchange(request, secret, id);
      if (!issued) throw new OAuthError('invalid_client', 'The client credentials are invalid, expired or revoked.');
      return { access_token: issued.token, token_type: 'Bearer', expires_in: issued.expires_in };
    });
    this.me.register('api_key', (principal): MeApiKeyDto | undefined => {
      if (principal.kind !== 'api_key') return undefined;
      return {
        kind: 'api_key',
        id: principal.id,
        label: principal.label,
        space_id: principal.spaceId,
        is_admin: principal.isAdmin,
        collection_permissions: { ...principal.collectionPermissions },
        scopes: [...principal.scopes],
        expires_at: principal.expiresAt?.toISOString() ?? null,
      };
    });
  }
}
