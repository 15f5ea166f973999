import { Migration } from '@mikro-orm/migrations';

/** Users, sessions (refresh-token families) and spaces with their members. */
export class Migration20261122000001_users_spaces extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table users (
        id uuid primary key,
        email text not null,
        name text,
        password_hash text not null,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      )`);
    this.addSql(`create unique index users_email_key on users (email)`);

    this.addSql(`
      create table refresh_families (
        id uuid primary key,
        user_id uuid not null references users (id) on delete cascade,
        created_at timestamptz not null default now(),
        revoked_at timestamptz,
        revoked_reason text
      )`);
    this.addSql(`create index refresh_families_user_idx on refresh_families (user_id)`);
    this.addSql(`
      create table refresh_tokens (
        id uuid primary key,
        family_id uuid not null references refresh_families (id) on delete cascade,
        token_hash bytea not null,
        created_at timestamptz not null default now(),
        expires_at timestamptz not null,
        used_at timestamptz
      )`);
    this.addSql(`create unique index refresh_tokens_hash_key on refresh_tokens (token_hash)`);
    this.addSql(`create index refresh_tokens_family_idx on refresh_tokens (family_id)`);

    this.addSql(`
      create table spaces (
        id uuid primary key,
        name text not null,
        tier text not null,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      )`);
    this.addSql(`
      create table space_members (
        space_id uuid not null references spaces (id) on delete cascade,
        user_id uuid not null references users (id) on delete cascade,
        role text not null check (role in ('owner', 'admin', 'editor', 'viewer')),
        created_at timestamptz not null default now(),
        primary key (space_id, user_id)
      )`);
    this.addSql(`create index space_members_user_idx on space_members (user_id, space_id)`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table space_members, spaces, refresh_tokens, refresh_families, users');
  }
}
