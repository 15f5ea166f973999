import { statement } from '@app/database';
import type { ClientType } from './dto/oauth-client.dto';
import type { OAuthScope } from '@app/common';

/** Every statement of the oauth lib. */

export interface OAuthClientRow {
  space_id: string;
  id: string;
  name: string;
  type: ClientType;
  redirect_uris: string[];
  scopes: OAuthScope[];
  first_party: boolean;
  secret_hash: Buffer | null;
  generation: number;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS =
  'space_id, id, name, type, redirect_uris, scopes, first_party, secret_hash, generation, created_at, updated_at';

export const clientInSpace = statement<{ spaceId: string; id: string }, OAuthClientRow>(
  'oauth-client-in-space',
  `select ${COLUMNS} from oauth_clients where space_id = :spaceId and id = :id`,
);

export const lockClientInSpace = statement<{ spaceId: string; id: string }, OAuthClientRow>(
  'lock-oauth-client-in-space',
  `select ${COLUMNS} from oauth_clients where space_id = :spaceId and id = :id for update`,
);

export const clientsOfSpace = statement<{ spaceId: string; after: string | null; limit: number }, OAuthClientRow>(
  'oauth-clients-of-space',
  `select ${COLUMNS} from oauth_clients
    where space_id = :spaceId and (:after::uuid is null or id > :after::uuid)
    order by id limit :limit`,
);

export const insertClient = statement<
  {
    spaceId: string;
    id: string;
    name: string;
    type: ClientType;
    redirectUrisJson: string;
    scopesJson: string;
    firstParty: boolean;
    secretHash: Buffer | null;
    secretLast4: string | null;
    createdByType: string;
    createdById: string;
  },
  OAuthClientRow
>(
  'insert-oauth-client',
  `insert into oauth_clients (space_id, id, name, type, redirect_uris, scopes, first_party, secret_hash, secret_last4,
     created_by_type, created_by_id)
   values (:spaceId, :id, :name, :type,
     array(select jsonb_array_elements_text(cast(:redirectUrisJson as jsonb))),
     array(select jsonb_array_elements_text(cast(:scopesJson as jsonb))),
     :firstParty, :secretHash, :secretLast4, :createdByType, :createdById)
   returning ${COLUMNS}`,
);

/** A PATCH: null leaves a member as it is. */
export const updateClient = statement<
  {
    spaceId: string;
    id: string;
    name: string | null;
    redirectUrisJson: string | null;
    scopesJson: string | null;
    firstParty: boolean | null;
  },
  OAuthClientRow
>(
  'update-oauth-client',
  `update oauth_clients set
     name = coalesce(:name, name),
     redirect_uris = case when cast(:redirectUrisJson as text) is null then redirect_uris
       else array(select jsonb_array_elements_text(cast(:redirectUrisJson as jsonb))) end,
     scopes = case when cast(:scopesJson as text) is null then scopes
       else array(select jsonb_array_elements_text(cast(:scopesJson as jsonb))) end,
     first_party = coalesce(:firstParty, first_party),
     updated_at = now()
   where space_id = :spaceId and id = :id
   returning ${COLUMNS}`,
);

export const regenerateClientSecret = statement<
  { spaceId: string; id: string; secretHash: Buffer; secretLast4: string },
  OAuthClientRow
>(
  'regenerate-oauth-client-secret',
  `update oauth_clients set secret_hash = :secretHash, secret_last4 = :secretLast4, generation = generation + 1,
     updated_at = now()
   where space_id = :spaceId and id = :id
   returning ${COLUMNS}`,
);

export const deleteClient = statement<{ spaceId: string; id: string }>(
  'delete-oauth-client',
  'delete from oauth_clients where space_id = :spaceId and id = :id',
);

/** The client an authorization request or token request names, whatever its space. */
export const clientById = statement<{ id: string }, OAuthClientRow>(
  'oauth-client-by-id',
  `select ${COLUMNS} from oauth_clients where id = :id`,
);

export const deleteSession = statement<{ tokenHash: Buffer }>(
  'delete-oauth-session',
  'delete from oauth_sessions where token_hash = :tokenHash',
);

export const insertSession = statement<{ tokenHash: Buffer; userId: string; expiresAt: Date }>(
  'insert-oauth-session',
  'insert into oauth_sessions (token_hash, user_id, expires_at) values (:tokenHash, :userId, :expiresAt)',
);

export interface SessionRow {
  user_id: string;
  email: string;
  name: string | null;
  auth_time: Date;
}

export const liveSession = statement<{ tokenHash: Buffer }, SessionRow>(
  'live-oauth-session',
  `select s.user_id, u.email, u.name, s.auth_time from oauth_sessions s join users u on u.id = s.user_id
    where s.token_hash = :tokenHash and s.expires_at > now()`,
);

export const spaceAndRole = statement<{ spaceId: string; userId: string }, { name: string; role: string | null }>(
  'oauth-space-and-role',
  `select s.name, m.role from spaces s
     left join space_members m on m.space_id = s.id and m.user_id = :userId
    where s.id = :spaceId`,
);

export const consentOf = statement<{ spaceId: string; clientId: string; userId: string }, { scopes: string[] }>(
  'oauth-consent-of',
  'select scopes from oauth_consents where space_id = :spaceId and client_id = :clientId and user_id = :userId',
);

/** Remembers a consent; a later one adds its scopes to what was granted before. */
export const saveConsent = statement<{ spaceId: string; clientId: string; userId: string; scopesJson: string }>(
  'save-oauth-consent',
  `insert into oauth_consents (space_id, client_id, user_id, scopes)
   values (:spaceId, :clientId, :userId, array(select jsonb_array_elements_text(cast(:scopesJson as jsonb))))
   on conflict (space_id, client_id, user_id) do update
     set scopes = array(select distinct unnest(oauth_consents.scopes || excluded.scopes) order by 1)`,
);

export const insertCode = statement<{
  codeHash: Buffer;
  /** Both null for the console's codes (console-client.ts). */
  spaceId: string | null;
  clientId: string | null;
  userId: string;
  redirectUri: string;
  scopesJson: string;
  codeChallenge: string | null;
  nonce: string | null;
  authTime: Date;
  expiresAt: Date;
}>(
  'insert-oauth-code',
  `insert into oauth_codes (code_hash, space_id, client_id, user_id, redirect_uri, scopes, code_challenge, nonce,
     auth_time, expires_at)
   values (:codeHash, :spaceId, :clientId, :userId, :redirectUri,
     array(select jsonb_array_elements_text(cast(:scopesJson as jsonb))), :codeChallenge, :nonce, :authTime, :expiresAt)`,
);

export interface CodeRow {
  code_hash: Buffer;
  /** Both null for the console's codes. */
  space_id: string | null;
  client_id: string | null;
  user_id: string;
  redirect_uri: string;
  scopes: string[];
  code_challenge: string | null;
  nonce: string | null;
  auth_time: Date;
  expires_at: Date;
  used_at: Date | null;
}

/** Locks the code: two concurrent exchanges of one code serialise here, and the second finds it used. */
export const lockCode = statement<{ codeHash: Buffer }, CodeRow>(
  'lock-oauth-code',
  'select * from oauth_codes where code_hash = :codeHash for update',
);

export const spendCode = statement<{ codeHash: Buffer }>(
  'spend-oauth-code',
  'update oauth_codes set used_at = now() where code_hash = :codeHash',
);

/** A replayed code: what was issued from it stops working (RFC 6749 §4.1.2). */
export const revokeAuthorizationOfCode = statement<{ codeHash: Buffer }, { id: string }>(
  'revoke-oauth-authorization-of-code',
  `update oauth_authorizations set revoked_at = now() where code_hash = :codeHash and revoked_at is null returning id`,
);

export const insertAuthorization = statement<{
  id: string;
  spaceId: string;
  clientId: string;
  userId: string;
  scopesJson: string;
  codeHash: Buffer;
}>(
  'insert-oauth-authorization',
  `insert into oauth_authorizations (id, space_id, client_id, user_id, scopes, code_hash)
   values (:id, :spaceId, :clientId, :userId, array(select jsonb_array_elements_text(cast(:scopesJson as jsonb))),
     :codeHash)`,
);

export interface AppPrincipalRow {
  user_id: string;
  email: string;
  name: string | null;
  space_id: string;
  client_id: string;
  client_name: string;
  scopes: string[];
  role: string | null;
}

/**
 * The hot read of an app's request: the authorization (not revoked), its client (not
 * deleted: the row would be gone) and the user's current role, in one statement.
 */
export const appPrincipal = statement<{ id: string }, AppPrincipalRow>(
  'oauth-app-principal',
  `select a.user_id, u.email, u.name, a.space_id, a.client_id, c.name as client_name, a.scopes, m.role
     from oauth_authorizations a
     join oauth_clients c on c.space_id = a.space_id and c.id = a.client_id
     join users u on u.id = a.user_id
     left join space_members m on m.space_id = a.space_id and m.user_id = a.user_id
    where a.id = :id and a.revoked_at is null`,
);

/** What renewing an app's access needs to know of its authorization. */
export const authorizationForRefresh = statement<
  { id: string },
  {
    space_id: string;
    client_id: string;
    user_id: string;
    scopes: string[];
    revoked_at: Date | null;
    role: string | null;
  }
>(
  'oauth-authorization-for-refresh',
  `select a.space_id, a.client_id, a.user_id, a.scopes, a.revoked_at, m.role
     from oauth_authorizations a
     left join space_members m on m.space_id = a.space_id and m.user_id = a.user_id
    where a.id = :id`,
);

/** Revokes an authorization (and the refresh families resting on it): its tokens stop on the next request. */
export const revokeAuthorization = statement<
  { id: string; clientId: string },
  { id: string; space_id: string; user_id: string }
>(
  'revoke-oauth-authorization',
  `with revoked as (
     update oauth_authorizations set revoked_at = now()
      where id = :id and client_id = :clientId and revoked_at is null
      returning id, space_id, user_id),
   families as (
     update refresh_families f set revoked_at = now(), revoked_reason = 'oauth_revoke'
       from revoked where f.oauth_authorization_id = revoked.id and f.revoked_at is null returning 1)
   select id, space_id, user_id from revoked`,
);

/** The authorization an app's refresh token rests on, and the token's own state. */
export const authorizationOfRefreshToken = statement<
  { tokenHash: Buffer },
  { authorization_id: string | null; expires_at: Date; used_at: Date | null; revoked_at: Date | null }
>(
  'oauth-authorization-of-refresh-token',
  `select f.oauth_authorization_id as authorization_id, t.expires_at, t.used_at, f.revoked_at
     from refresh_tokens t join refresh_families f on f.id = t.family_id
    where t.token_hash = :tokenHash`,
);

export interface GrantRow {
  client_id: string;
  client_name: string;
  space_id: string;
  space_name: string;
  scopes: string[];
  granted_at: Date;
}

/** The apps a user authorised: remembered consents, and first-party apps holding live authorizations. */
export const grantsOfUser = statement<{ userId: string }, GrantRow>(
  'oauth-grants-of-user',
  `select g.client_id, c.name as client_name, g.space_id, s.name as space_name, g.scopes, g.granted_at
     from (
       select space_id, client_id, scopes, created_at as granted_at from oauth_consents where user_id = :userId
       union all
       select a.space_id, a.client_id, a.scopes, a.created_at from oauth_authorizations a
        where a.user_id = :userId and a.revoked_at is null
          and not exists (select 1 from oauth_consents k
                           where k.user_id = a.user_id and k.space_id = a.space_id and k.client_id = a.client_id)
     ) g
     join oauth_clients c on c.space_id = g.space_id and c.id = g.client_id
     join spaces s on s.id = g.space_id
    order by g.granted_at desc`,
);

/** Withdraws a user's grant to a client: the consent goes, its authorizations and refresh families are revoked. */
export const withdrawGrant = statement<{ userId: string; clientId: string }, { space_id: string; withdrawn: number }>(
  'withdraw-oauth-grant',
  `with consents as (
     delete from oauth_consents where user_id = :userId and client_id = :clientId returning space_id),
   revoked as (
     update oauth_authorizations set revoked_at = now()
      where user_id = :userId and client_id = :clientId and revoked_at is null returning id, space_id),
   families as (
     update refresh_families f set revoked_at = now(), revoked_reason = 'grant_withdrawn'
       from revoked where f.oauth_authorization_id = revoked.id and f.revoked_at is null returning 1)
   select space_id, count(*)::int as withdrawn
     from (select space_id from consents union all select space_id from revoked) w
    group by space_id`,
);

export const userClaims = statement<{ id: string }, { email: string; name: string | null }>(
  'oauth-user-claims',
  'select email, name from users where id = :id',
);

/**
 * Expired codes and sign-in sessions, deleted periodically: a code lives a minute and
 * a spent one is only kept a day (to recognise a replay); a session ends at its expiry.
 */
export const purgeExpired = statement<Record<string, never>, { codes: number; sessions: number }>(
  'purge-expired-oauth',
  `/* background */ with c as (delete from oauth_codes where expires_at < now() - interval '1 day' returning 1),
        s as (delete from oauth_sessions where expires_at < now() returning 1)
   select (select count(*) from c)::int as codes, (select count(*) from s)::int as sessions`,
);
