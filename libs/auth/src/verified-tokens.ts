import { createHash } from 'node:crypto';
import { decode } from 'jsonwebtoken';
import type { AccessTokenPayload } from './jwt.strategy';

const MAX_ENTRIES = 10_000;

/**
 * Tokens whose signature and claims this process has already verified, until they
 * expire. An ES256 verification costs about a third of a cached-key read's CPU; a
 * sha256 of the token costs 1–2 µs. Keyed by that hash, so the cache holds no bearer
 * token. Only the signature check is skipped on a hit: what the token names (a user,
 * or a key that may since be revoked) is resolved again on every request.
 */
export class VerifiedTokens {
  private readonly entries = new Map<string, AccessTokenPayload & { exp: number }>();

  get(token: string, now = Date.now()): AccessTokenPayload | undefined {
    const id = digest(token);
    const payload = this.entries.get(id);
    if (!payload) return undefined;
    if (payload.exp * 1000 <= now) {
      this.entries.delete(id);
      return undefined;
    }
    return payload;
  }

  /** Call only after the token was verified. */
  remember(token: string): void {
    const payload = decode(token, { json: true }) as (AccessTokenPayload & { exp?: number }) | null;
    if (!payload || typeof payload.exp !== 'number') return;
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(digest(token), payload as AccessTokenPayload & { exp: number });
  }
}

const digest = (token: string) => createHash('sha256').update(token).digest('base64url');
