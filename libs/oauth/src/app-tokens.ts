import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@app/config';
import { SigningKeysService } from '@app/auth';
import type { TokenResponse } from '@app/common';

export interface AppAccess {
  userId: string;
  spaceId: string;
  clientId: string;
  authorizationId: string;
  scopes: readonly string[];
}

/** The access token of an app: an ES256 JWT naming the authorization it rests on. */
@Injectable()
export class AppTokens {
  constructor(
    private readonly keys: SigningKeysService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async access(grant: AppAccess, refreshToken?: string): Promise<TokenResponse> {
    const ttl = this.config.auth.accessTokenTtl;
    const scope = grant.scopes.join(' ');
    const access_token = await this.keys.sign(
      grant.userId,
      { kind: 'oauth', spc: grant.spaceId, cid: grant.clientId, aid: grant.authorizationId, scope },
      ttl,
    );
    return {
      access_token,
      token_type: 'Bearer',
      expires_in: ttl,
      scope,
      ...(refreshToken ? { refresh_token: refreshToken } : {}),
    };
  }
}
