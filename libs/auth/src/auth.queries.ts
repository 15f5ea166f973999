import { statement } from '@app/database';

/** Every statement of the auth lib that is not a MikroORM entity operation. */

export interface RefreshTokenRow {
  id: string;
  family_id: string;
  user_id: string;
  expires_at: Date;
  used_at: Date | null;
  revoked_at: Date | null;
  /** Set when the family belongs to an OAuth app's authorization (offline_access), not to a user's own session. */
  oauth_authorization_id: string | null;
}

export const insertRefreshFamily = statement<{ familyId: string; userId: string; authorizationId: string | null }>(
  'insert-refresh-family',
  `insert into refresh_families (id, user_id, oauth_authorization_id)
   values (:familyId, :userId, :authorizationId)`,
);

export const insertRefreshToken = statement<{ id: string; familyId: string; tokenHash: Buffer; expiresAt: Date }>(
  'insert-refresh-token',
  `insert into refresh_tokens (id, family_id, token_hash, expires_at)
   values (:id, :familyId, :tokenHash, :expiresAt)`,
);

/** Locks the token row: two concurrent rotations of one token serialise here. */
export const refreshTokenByHash = statement<{ tokenHash: Buffer }, RefreshTokenRow>(
  'refresh-token-by-hash',
  `select t.id, t.family_id, f.user_id, t.expires_at, t.used_at, f.revoked_at, f.oauth_authorization_id
     from refresh_tokens t join refresh_families f on f.id = t.family_id
    where t.token_hash = :tokenHash for update of t`,
);

export const spendRefreshToken = statement<{ id: string }>(
  'spend-refresh-token',
  'update refresh_tokens set used_at = now() where id = :id',
);

export const revokeRefreshFamily = statement<{ familyId: string; reason: string }>(
  'revoke-refresh-family',
  'update refresh_families set revoked_at = now(), revoked_reason = :reason where id = :familyId and revoked_at is null',
);

/** Orders concurrent first-run setups (transaction-scoped): the second sees the first's user. */
export const lockFirstUser = statement(
  'lock-first-user',
  `select pg_advisory_xact_lock(hashtext('portico.first-user'))`,
);

export const anyUser = statement<Record<string, never>, { id: string }>('any-user', 'select id from users limit 1');
