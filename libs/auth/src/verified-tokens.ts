import { decode } from 'jsonwebtoken';
import { SeenCredentials } from '@app/common';
import type { AccessTokenPayload } from './jwt.strategy';

type Verified = AccessTokenPayload & { exp: number };

/**
 * Tokens whose signature and claims this process has already verified, until they
 * expire. An ES256 verification costs about a third of a cached-key read's CPU.
 * Only the signature check is skipped on a hit: what the token names (a user, or a
 * key that may since be revoked) is resolved again on every request.
 */
export class VerifiedTokens {
  private readonly seen = new SeenCredentials<Verified>();

  get(token: string, now = Date.now()): AccessTokenPayload | undefined {
    const digest = SeenCredentials.digest(token);
    const payload = this.seen.get(digest);
    if (payload && payload.exp * 1000 <= now) {
      this.seen.delete(digest);
      return undefined;
    }
    return payload;
  }

  /** Call only after the token was verified. */
  remember(token: string): void {
    const payload = decode(token, { json: true }) as (AccessTokenPayload & { exp?: number }) | null;
    if (!payload || typeof payload.exp !== 'number') return;
    this.seen.set(SeenCredentials.digest(token), payload as Verified);
  }
}
