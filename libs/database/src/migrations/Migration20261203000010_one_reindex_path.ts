import { Migration } from '@mikro-orm/migrations';

/**
 * A schema change of a small collection now re-indexes it with the background
 * re-indexer's batch function (one batch covering every record), so there is one
 * definition of how pivot rows are rebuilt; the whole-collection function goes.
 */
export class Migration20261203000010_one_reindex_path extends Migration {
  override async up(): Promise<void> {
    this.addSql('drop function portico_pivot_resync(uuid, uuid)');
  }

  override async down(): Promise<void> {
    this.addSql(`
      create function portico_pivot_resync(p_space uuid, p_collection uuid) returns void language plpgsql as $$
      begin
        delete from record_values where space_id = p_space and collection_id = p_collection;
        delete from record_uniques where space_id = p_space and collection_id = p_collection;
        perform portico_pivot_resync_batch(p_space, p_collection, null, 2147483647);
      end
      $$`);
  }
}
