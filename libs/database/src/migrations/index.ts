import type { Migration } from '@mikro-orm/migrations';
import { Migration20261122000001_users_spaces } from './Migration20261122000001_users_spaces';
import { Migration20261122000002_api_keys } from './Migration20261122000002_api_keys';
import { Migration20261122000003_collections } from './Migration20261122000003_collections';
import { Migration20261202000004_audit } from './Migration20261202000004_audit';
import { Migration20261202000005_safe_number_index } from './Migration20261202000005_safe_number_index';
import { Migration20261203000006_audit_scrub } from './Migration20261203000006_audit_scrub';
import { Migration20261203000007_deployment_secrets } from './Migration20261203000007_deployment_secrets';
import { Migration20261203000008_record_pivots } from './Migration20261203000008_record_pivots';
import { Migration20261203000009_background_reindex } from './Migration20261203000009_background_reindex';
import { Migration20261203000010_one_reindex_path } from './Migration20261203000010_one_reindex_path';
import { Migration20261204000011_oauth_clients } from './Migration20261204000011_oauth_clients';
import { Migration20261204000012_oauth_flow } from './Migration20261204000012_oauth_flow';
import { Migration20261204000013_oauth_indexes } from './Migration20261204000013_oauth_indexes';
import { Migration20261205000014_usage } from './Migration20261205000014_usage';
import { Migration20261205000015_console } from './Migration20261205000015_console';
import { Migration20261205000016_collection_keys } from './Migration20261205000016_collection_keys';
import { Migration20261205000017_encrypted_pivots } from './Migration20261205000017_encrypted_pivots';
import { Migration20261206000018_field_conversions } from './Migration20261206000018_field_conversions';
import { Migration20261206000019_audit_sequencer } from './Migration20261206000019_audit_sequencer';
import { Migration20261207000020_pivot_changed_fields } from './Migration20261207000020_pivot_changed_fields';
import { Migration20261207000021_cheaper_audit_link } from './Migration20261207000021_cheaper_audit_link';

type MigrationClass = new (...args: ConstructorParameters<typeof Migration>) => Migration;

/**
 * Every migration, in order. Listed explicitly (not globbed) so the same list runs
 * from compiled JS, from ts under jest, and from a bundle.
 */
export const migrations: { name: string; class: MigrationClass }[] = [
  { name: 'Migration20261122000001_users_spaces', class: Migration20261122000001_users_spaces },
  { name: 'Migration20261122000002_api_keys', class: Migration20261122000002_api_keys },
  { name: 'Migration20261122000003_collections', class: Migration20261122000003_collections },
  { name: 'Migration20261202000004_audit', class: Migration20261202000004_audit },
  { name: 'Migration20261202000005_safe_number_index', class: Migration20261202000005_safe_number_index },
  { name: 'Migration20261203000006_audit_scrub', class: Migration20261203000006_audit_scrub },
  { name: 'Migration20261203000007_deployment_secrets', class: Migration20261203000007_deployment_secrets },
  { name: 'Migration20261203000008_record_pivots', class: Migration20261203000008_record_pivots },
  { name: 'Migration20261203000009_background_reindex', class: Migration20261203000009_background_reindex },
  { name: 'Migration20261203000010_one_reindex_path', class: Migration20261203000010_one_reindex_path },
  { name: 'Migration20261204000011_oauth_clients', class: Migration20261204000011_oauth_clients },
  { name: 'Migration20261204000012_oauth_flow', class: Migration20261204000012_oauth_flow },
  { name: 'Migration20261204000013_oauth_indexes', class: Migration20261204000013_oauth_indexes },
  { name: 'Migration20261205000014_usage', class: Migration20261205000014_usage },
  { name: 'Migration20261205000015_console', class: Migration20261205000015_console },
  { name: 'Migration20261205000016_collection_keys', class: Migration20261205000016_collection_keys },
  { name: 'Migration20261205000017_encrypted_pivots', class: Migration20261205000017_encrypted_pivots },
  { name: 'Migration20261206000018_field_conversions', class: Migration20261206000018_field_conversions },
  { name: 'Migration20261206000019_audit_sequencer', class: Migration20261206000019_audit_sequencer },
  { name: 'Migration20261207000020_pivot_changed_fields', class: Migration20261207000020_pivot_changed_fields },
  { name: 'Migration20261207000021_cheaper_audit_link', class: Migration20261207000021_cheaper_audit_link },
];
