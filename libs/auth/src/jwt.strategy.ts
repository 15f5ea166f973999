import { Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { PassportStrategy } from '@nestjs/passport';
import { decode } from 'jsonwebtoken';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { APP_CONFIG, AppConfig } from '@app/config';
import { Ports, type Principal } from '@app/common';
import { SigningKeysService } from './signing-keys.service';

export interface AccessTokenPayload {
  sub: string;
  kind: 'user' | 'api_key' | 'oauth';
  email?: string;
  name?: string | null;
  [claim: string]: unknown;
}

/** How far in the future an `iat` may lie (clocks of other issuing instances). */
const MAX_CLOCK_SKEW_MS = 60_000;

/**
 * `Authorization: Bearer <JWT>`: ES256 only, our issuer and audience, and a `kid`
 * from our key ring (so a token signed by any other key is rejected).
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  private readonly platformAdmins: ReadonlySet<string>;

  constructor(
    keys: SigningKeysService,
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly ports: Ports,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      algorithms: ['ES256'],
      issuer: config.auth.issuer,
      audience: config.auth.audience,
      ignoreExpiration: false,
      passReqToCallback: true,
      secretOrKeyProvider: (_req: unknown, rawJwt: string, done: (err: unknown, key?: string) => void) => {
        const header = decode(rawJwt, { complete: true })?.header;
        const key = keys.publicKey(header?.kid);
        // jsonwebtoken takes a KeyObject (no PEM parsing per request); the typings only name strings.
        if (!key) done(new Error('unknown kid'));
        else done(null, key as unknown as string);
      },
    });
    this.platformAdmins = new Set(config.auth.platformAdminEmails);
  }

  async validate(request: FastifyRequest, payload: AccessTokenPayload): Promise<Principal | false> {
    // Every token we issue carries exp and iat; one without them would never expire (RFC 8725 §3.10).
    if (typeof payload.exp !== 'number' || typeof payload.iat !== 'number') return false;
    if (payload.iat * 1000 > Date.now() + MAX_CLOCK_SKEW_MS) return false;
    if (payload.kind === 'user' && typeof payload.email === 'string') {
      const email = payload.email;
      return {
        kind: 'user',
        id: payload.sub,
        email,
        name: payload.name ?? null,
        isPlatformAdmin: this.platformAdmins.has(email) || payload.adm === true,
      };
    }
    // App tokens name an authorization the oauth lib checks on every request (revocation, role).
    if (payload.kind === 'oauth') {
      const apps = this.ports.find('appTokenResolver');
      return (apps && (await apps.fromToken(request, payload))) ?? false;
    }
    // Key-derived tokens are resolved by the API-keys lib, which auth does not import.
    const keyTokens = payload.kind === 'api_key' ? this.ports.find('keyTokenResolver') : undefined;
    if (keyTokens) return (await keyTokens.fromToken(request, payload)) ?? false;
    return false;
  }
}
