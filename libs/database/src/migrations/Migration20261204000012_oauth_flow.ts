import { Migration } from '@mikro-orm/migrations';

/**
 * The authorization-code flow's state. Every secret (session cookie, code) is stored
 * as an HMAC under the pepper, never in clear.
 * - oauth_sessions: who signed in on the /oauth pages (a browser session that is no
 *   API credential).
 * - oauth_codes: codes, single use, at most 60 s, bound to client, redirect URI, PKCE
 *   challenge, user, space and scopes.
 * - oauth_authorizations: one per code exchanged; access tokens name it (`aid`), so
 *   revoking it (a replayed code, a withdrawn grant) or deleting the client (cascade)
 *   stops its tokens on the next request.
 * - oauth_consents: what a user granted a client, so the consent page is asked once.
 */
export class Migration20261204000012_oauth_flow extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table oauth_sessions (
        token_hash bytea primary key,
        user_id uuid not null references users (id) on delete cascade,
        auth_time timestamptz not null default now(),
        expires_at timestamptz not null
      )`);
    this.addSql(`
      create table oauth_authorizations (
        id uuid primary key,
        space_id uuid not null,
        client_id uuid not null,
        user_id uuid not null references users (id) on delete cascade,
        scopes text[] not null,
        code_hash bytea not null,
        created_at timestamptz not null default now(),
        revoked_at timestamptz,
        foreign key (space_id, client_id) references oauth_clients (space_id, id) on delete cascade
      )`);
    this.addSql(`create unique index oauth_authorizations_code_key on oauth_authorizations (code_hash)`);
    this.addSql(`create index oauth_authorizations_user_idx on oauth_authorizations (user_id, client_id)`);
    this.addSql(`
      create table oauth_codes (
        code_hash bytea primary key,
        space_id uuid not null,
        client_id uuid not null,
        user_id uuid not null references users (id) on delete cascade,
        redirect_uri text not null,
        scopes text[] not null,
        code_challenge text,
        nonce text,
        auth_time timestamptz not null,
        expires_at timestamptz not null,
        used_at timestamptz,
        foreign key (space_id, client_id) references oauth_clients (space_id, id) on delete cascade
      )`);
    this.addSql(`
      create table oauth_consents (
        space_id uuid not null,
        client_id uuid not null,
        user_id uuid not null references users (id) on delete cascade,
        scopes text[] not null,
        created_at timestamptz not null default now(),
        primary key (space_id, client_id, user_id),
        foreign key (space_id, client_id) references oauth_clients (space_id, id) on delete cascade
      )`);
    this.addSql(`alter table refresh_families add column oauth_authorization_id uuid
      references oauth_authorizations (id) on delete cascade`);
  }

  override async down(): Promise<void> {
    this.addSql('alter table refresh_families drop column oauth_authorization_id');
    this.addSql('drop table oauth_consents');
    this.addSql('drop table oauth_codes');
    this.addSql('drop table oauth_authorizations');
    this.addSql('drop table oauth_sessions');
  }
}
