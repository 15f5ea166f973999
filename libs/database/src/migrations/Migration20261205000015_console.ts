import { Migration } from '@mikro-orm/migrations';

/**
 * The console (API.md, "Console"). The first user, made by the first-run setup, is a
 * platform admin by a flag of their own (PLATFORM_ADMIN_EMAILS still adds others). The
 * console signs in as a first-party client of the whole platform, not of one space: its
 * codes name no space or client (both null, or neither).
 */
export class Migration20261205000015_console extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table users add column is_platform_admin boolean not null default false');
    this.addSql('alter table oauth_codes alter column space_id drop not null, alter column client_id drop not null');
    this.addSql(
      'alter table oauth_codes add constraint oauth_codes_console_check check ((space_id is null) = (client_id is null))',
    );
  }

  override async down(): Promise<void> {
    this.addSql('delete from oauth_codes where space_id is null');
    this.addSql('alter table oauth_codes drop constraint oauth_codes_console_check');
    this.addSql('alter table oauth_codes alter column space_id set not null, alter column client_id set not null');
    this.addSql('alter table users drop column is_platform_admin');
  }
}
