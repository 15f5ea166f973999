import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { jwtVerify } from 'jose';
import { APP_CONFIG, AppConfig, pepperHash, SECRETS, Secrets } from '@app/config';
import { isUuid } from '@app/common';
import { SigningKeysService } from '@app/auth';
import { authorizationOfRefreshToken } from './oauth.queries';

export type AppToken =
  | { type: 'access'; authorizationId: string; sub: string; exp: number; iat: number }
  | { type: 'refresh'; authorizationId: string; exp: number; usable: boolean };

/**
 * What an app's token rests on, for revocation and introspection: an access JWT (its
 * signature, issuer, audience and expiry checked) or a refresh token (found by its
 * HMAC). Anything else, a user's or a key's token included, reads as undefined.
 */
@Injectable()
export class AppTokenReader {
  constructor(
    private readonly em: EntityManager,
    private readonly keys: SigningKeysService,
    @Inject(SECRETS) private readonly secrets: Secrets,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async read(token: string): Promise<AppToken | undefined> {
    if (token.startsWith('prt_')) {
      const row = await authorizationOfRefreshToken.first(this.em, { tokenHash: pepperHash(this.secrets, token) });
      if (!row?.authorization_id) return undefined;
      const exp = Math.floor(new Date(row.expires_at).getTime() / 1000);
      const usable = !row.used_at && !row.revoked_at && exp * 1000 > Date.now();
      return { type: 'refresh', authorizationId: row.authorization_id, exp, usable };
    }
    try {
      const { payload } = await jwtVerify(
        token,
        (header) => {
          const key = this.keys.publicKey(header.kid);
          if (!key) throw new Error('unknown kid');
          return key;
        },
        { issuer: this.config.auth.issuer, audience: this.config.auth.audience, algorithms: ['ES256'] },
      );
      const { kind, aid, sub, exp, iat } = payload;
      if (kind !== 'oauth' || typeof aid !== 'string' || !isUuid(aid) || typeof sub !== 'string') return undefined;
      return { type: 'access', authorizationId: aid, sub, exp: exp ?? 0, iat: iat ?? 0 };
    } catch {
      return undefined;
    }
  }
}
