import { Migration } from '@mikro-orm/migrations';

/**
 * Indexes the OAuth tables' other access paths, so no tenant's action scans every
 * tenant's rows: withdrawing a grant finds a user's consents; revoking an authorization
 * finds its refresh families; deleting a client cascades to its authorizations, codes
 * and consents through (space_id, client_id).
 */
export class Migration20261204000013_oauth_indexes extends Migration {
  override async up(): Promise<void> {
    this.addSql('create index oauth_consents_user_idx on oauth_consents (user_id, client_id)');
    this.addSql('create index oauth_authorizations_client_idx on oauth_authorizations (space_id, client_id)');
    this.addSql('create index oauth_codes_client_idx on oauth_codes (space_id, client_id)');
    this.addSql(
      `create index refresh_families_oauth_idx on refresh_families (oauth_authorization_id)
         where oauth_authorization_id is not null`,
    );
  }

  override async down(): Promise<void> {
    this.addSql('drop index refresh_families_oauth_idx');
    this.addSql('drop index oauth_codes_client_idx');
    this.addSql('drop index oauth_authorizations_client_idx');
    this.addSql('drop index oauth_consents_user_idx');
  }
}
