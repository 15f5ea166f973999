import { Injectable, OnModuleInit } from '@nestjs/common';
import { Ports } from '@app/common';
import { AuthService, InvalidRefreshToken } from './auth.service';
import { OAuthError, OAuthGrants } from './oauth-grants';

/** grant_type=refresh_token: the same rotation as POST /api/auth/refresh. */
@Injectable()
export class RefreshTokenGrant implements OnModuleInit {
  constructor(
    private readonly grants: OAuthGrants,
    private readonly auth: AuthService,
    private readonly ports: Ports,
  ) {}

  onModuleInit(): void {
    this.grants.register('refresh_token', async (params, request) => {
      if (!params.refresh_token) throw new OAuthError('invalid_request', 'refresh_token is required.');
      try {
        return await this.auth.refresh(params.refresh_token);
      } catch (error) {
        // An app's token (offline_access) is renewed by the oauth lib, which checks the client too.
        const apps = this.ports.find('appRefresher');
        if (error instanceof InvalidRefreshToken && error.reason === 'app' && apps)
          return apps.refresh(params, request);
        if (error instanceof InvalidRefreshToken)
          throw new OAuthError('invalid_grant', 'The refresh token is invalid, expired or revoked.');
        throw error;
      }
    });
  }
}
