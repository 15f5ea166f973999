import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { randomUUID, KeyObject } from 'node:crypto';
import { APP_CONFIG, AppConfig, SECRETS, Secrets, SigningKey } from '@app/config';

export interface PublicJwk {
  kty: string;
  crv: string;
  x: string;
  y: string;
  kid: string;
  alg: 'ES256';
  use: 'sig';
}

/** Claims Portico puts in every access token beyond the registered ones. */
export interface AccessClaims {
  kind: 'user' | 'api_key' | 'oauth';
  [claim: string]: unknown;
}

/**
 * ES256 signing with a `kid`. The current key signs; earlier keys named in
 * JWT_PREVIOUS_PUBLIC_KEYS still verify (and stay in the JWKS) so rotating the
 * signing key does not log anybody out.
 */
@Injectable()
export class SigningKeysService {
  private readonly byKid: Map<string, KeyObject>;
  readonly jwks: { keys: PublicJwk[] };

  constructor(
    private readonly jwt: JwtService,
    @Inject(SECRETS) private readonly secrets: Secrets,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    const all: SigningKey[] = [secrets.signingKey, ...secrets.verifyKeys];
    this.byKid = new Map(all.map((k) => [k.kid, k.publicKey]));
    this.jwks = {
      keys: all.map((k) => {
        const jwk = k.publicKey.export({ format: 'jwk' }) as { kty: string; crv: string; x: string; y: string };
        return { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y, kid: k.kid, alg: 'ES256', use: 'sig' };
      }),
    };
  }

  publicKey(kid: string | undefined): KeyObject | undefined {
    return kid ? this.byKid.get(kid) : undefined;
  }

  sign(subject: string, claims: AccessClaims, ttlSeconds: number): Promise<string> {
    return this.jwt.signAsync(claims, {
      algorithm: 'ES256',
      privateKey: this.secrets.signingKey.privateKey!,
      keyid: this.secrets.signingKey.kid,
      subject,
      issuer: this.config.auth.issuer,
      audience: this.config.auth.audience,
      expiresIn: ttlSeconds,
      jwtid: randomUUID(),
    });
  }

  /** An OpenID Connect id_token: for the app (`aud` = its client id), never accepted as an API credential. */
  signIdToken(
    issuer: string,
    subject: string,
    clientId: string,
    claims: Record<string, unknown>,
    ttlSeconds: number,
  ): Promise<string> {
    return this.jwt.signAsync(claims, {
      algorithm: 'ES256',
      privateKey: this.secrets.signingKey.privateKey!,
      keyid: this.secrets.signingKey.kid,
      subject,
      issuer,
      audience: clientId,
      expiresIn: ttlSeconds,
    });
  }
}
