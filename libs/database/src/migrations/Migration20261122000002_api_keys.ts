import { Migration } from '@mikro-orm/migrations';

/**
 * Space-scoped API keys. Only an HMAC of the secret is stored. `id` is also
 * unique on its own: a credential names its key before the tenant is known, so in a
 * distributed (Citus) layout this small table is a reference table.
 */
export class Migration20261122000002_api_keys extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table api_keys (
        space_id uuid not null references spaces (id) on delete cascade,
        id uuid not null,
        secret_hash bytea not null,
        generation integer not null default 1,
        label text not null,
        description text,
        is_admin boolean not null default false,
        collection_permissions jsonb not null default '{}',
        scopes text[] not null default '{}',
        allowed_ips text[] not null default '{}',
        rate_limit_per_minute integer,
        last4 text not null,
        expires_at timestamptz,
        last_used_at timestamptz,
        created_by_type text not null,
        created_by_id uuid not null,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        primary key (space_id, id)
      )`);
    this.addSql(`create unique index api_keys_id_key on api_keys (id)`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table api_keys');
  }
}
