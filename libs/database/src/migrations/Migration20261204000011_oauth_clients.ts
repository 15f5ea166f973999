import { Migration } from '@mikro-orm/migrations';

/**
 * OAuth clients: apps registered by a space's admins to act for its users. A
 * confidential client stores only an HMAC of its secret (like API keys); a public one
 * has none. `id` (the client_id) is unique on its own: the token endpoint names the
 * client before the tenant is known, so in a distributed layout this small table is a
 * reference table, like api_keys. `generation` moves on every secret regeneration.
 */
export class Migration20261204000011_oauth_clients extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table oauth_clients (
        space_id uuid not null references spaces (id) on delete cascade,
        id uuid not null,
        name text not null,
        type text not null check (type in ('confidential', 'public')),
        redirect_uris text[] not null,
        scopes text[] not null,
        first_party boolean not null default false,
        secret_hash bytea,
        secret_last4 text,
        generation integer not null default 1,
        created_by_type text not null,
        created_by_id uuid not null,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        primary key (space_id, id),
        check ((type = 'confidential') = (secret_hash is not null))
      )`);
    this.addSql(`create unique index oauth_clients_id_key on oauth_clients (id)`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table oauth_clients');
  }
}
