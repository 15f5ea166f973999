import { Migration } from '@mikro-orm/migrations';

/**
 * Data keys of encrypted fields (API.md, "Encrypted fields"): one random 256-bit key per
 * collection and generation, stored only wrapped by the master key, with that master
 * key's version so startup and rotation know which configured key opens it. Deleting a
 * collection (or its space) destroys its keys, and with them its ciphertexts' meaning.
 */
export class Migration20261205000016_collection_keys extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table collection_keys (
        space_id uuid not null,
        collection_id uuid not null,
        generation integer not null default 1,
        wrapped bytea not null,
        master_version text not null,
        created_at timestamptz not null default now(),
        primary key (space_id, collection_id, generation),
        foreign key (space_id, collection_id) references collections (space_id, id) on delete cascade
      )`);
    // Startup opens one key per master version; rotation finds the keys still under an old one.
    this.addSql('create index collection_keys_master_idx on collection_keys (master_version)');
  }

  override async down(): Promise<void> {
    this.addSql('drop table collection_keys');
  }
}
