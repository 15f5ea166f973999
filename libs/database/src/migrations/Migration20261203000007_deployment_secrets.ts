import { Migration } from '@mikro-orm/migrations';

/**
 * Fingerprints of the secrets every instance on this database must share (the pepper
 * that hashes keys and refresh tokens, the JWT signing key), so an instance started
 * with other secrets refuses to start instead of silently rejecting everyone's
 * credentials. Never the secrets themselves. A reference table under Citus.
 */
export class Migration20261203000007_deployment_secrets extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table deployment_secrets (
        name text primary key,
        fingerprint text not null,
        updated_at timestamptz not null default now()
      )`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table deployment_secrets');
  }
}
