import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { APP_CONFIG, AppConfig, pepperHash, SECRETS, Secrets } from '@app/config';
import { uuidv7 } from '@app/common';
import {
  insertRefreshFamily,
  insertRefreshToken,
  RefreshTokenRow,
  refreshTokenByHash,
  revokeRefreshFamily,
  spendRefreshToken,
} from './auth.queries';

const PREFIX = 'prt_';

export type RotateOutcome =
  | {
      ok: true;
      userId: string;
      familyId: string;
      token: string;
      reusedWithinWindow: boolean;
      /** The OAuth authorization an app's family belongs to; null for a user's own session. */
      authorizationId: string | null;
    }
  | { ok: false; reason: 'unknown' | 'expired' | 'revoked' | 'reused'; userId?: string; familyId?: string };

/**
 * Opaque, single-use refresh tokens in families. Only an HMAC of a token is stored.
 * Presenting a spent token revokes its family at once (theft detection). Operators
 * may open a short window (REFRESH_REUSE_WINDOW, off by default) in which a retry of
 * the same token gets the same successor again, not a new branch of the family: a
 * token's successor is derived from it (an HMAC under the pepper), so it can be
 * handed out again without ever being stored.
 */
@Injectable()
export class RefreshTokensService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(SECRETS) private readonly secrets: Secrets,
  ) {}

  private hash(token: string): Buffer {
    return pepperHash(this.secrets, token);
  }

  /** Starts a new family for a fresh login; returns its first token. Runs in the caller's transaction. */
  async startFamily(
    em: EntityManager,
    userId: string,
    authorizationId: string | null = null,
  ): Promise<{ familyId: string; token: string }> {
    const familyId = uuidv7();
    await insertRefreshFamily.rows(em, { familyId, userId, authorizationId });
    return { familyId, token: await this.mint(em, familyId) };
  }

  /** The one successor of `parent`: only someone holding the parent and the server's pepper can compute it. */
  private successorOf(parent: string): string {
    return PREFIX + pepperHash(this.secrets, `refresh-successor:${parent}`).toString('base64url');
  }

  private async mint(
    em: EntityManager,
    familyId: string,
    token = PREFIX + randomBytes(32).toString('base64url'),
  ): Promise<string> {
    const expiresAt = new Date(Date.now() + this.config.auth.refreshTokenTtl * 1000);
    await insertRefreshToken.rows(em, { id: uuidv7(), familyId, tokenHash: this.hash(token), expiresAt });
    return token;
  }

  private async find(em: EntityManager, token: string): Promise<RefreshTokenRow | undefined> {
    if (!token.startsWith(PREFIX)) return undefined;
    return refreshTokenByHash.first(em, { tokenHash: this.hash(token) });
  }

  /** Spends `token` and mints its successor, in one transaction. */
  async rotate(em: EntityManager, token: string): Promise<RotateOutcome> {
    const row = await this.find(em, token);
    if (!row) return { ok: false, reason: 'unknown' };
    const ids = { userId: row.user_id, familyId: row.family_id };
    const authorizationId = row.oauth_authorization_id;
    if (row.revoked_at) return { ok: false, reason: 'revoked', ...ids };
    if (new Date(row.expires_at) <= new Date()) return { ok: false, reason: 'expired', ...ids };
    const successor = this.successorOf(token);
    if (row.used_at) {
      const window = this.config.auth.refreshReuseWindow;
      const spentFor = (Date.now() - new Date(row.used_at).getTime()) / 1000;
      if (window === 0 || spentFor > window) {
        await this.revokeFamily(em, row.family_id, 'reuse');
        return { ok: false, reason: 'reused', ...ids };
      }
      // A retry inside the window: the successor minted the first time, again.
      return { ok: true, ...ids, token: successor, reusedWithinWindow: true, authorizationId };
    }
    await spendRefreshToken.rows(em, { id: row.id });
    return {
      ok: true,
      ...ids,
      token: await this.mint(em, row.family_id, successor),
      reusedWithinWindow: false,
      authorizationId,
    };
  }

  /** Revokes the family `token` belongs to; unknown tokens are ignored (logout is idempotent). */
  async revokeByToken(em: EntityManager, token: string): Promise<{ userId: string; familyId: string } | undefined> {
    const row = await this.find(em, token);
    if (!row) return undefined;
    await this.revokeFamily(em, row.family_id, 'logout');
    return { userId: row.user_id, familyId: row.family_id };
  }

  private async revokeFamily(em: EntityManager, familyId: string, reason: string): Promise<void> {
    await revokeRefreshFamily.rows(em, { familyId, reason });
  }
}
