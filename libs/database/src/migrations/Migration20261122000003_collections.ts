import { Migration } from '@mikro-orm/migrations';

/**
 * Collections (schemas) and their records. Records keep their values in one JSONB
 * document: schemas change at runtime per tenant, and a table per collection would
 * mean DDL on every schema edit and a catalogue that grows with every tenant. The
 * primary key leads with (space_id, collection_id) so one collection's records are one
 * index range (get by id and the default id order), and a GIN index serves equality
 * filters by containment. Per-field indexes (unique, and orderable fields) are made
 * at runtime with the schema: see libs/collections/src/field-indexes.ts.
 */
export class Migration20261122000003_collections extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table collections (
        space_id uuid not null references spaces (id) on delete cascade,
        id uuid not null,
        name text not null,
        description text,
        fields jsonb not null default '[]',
        version integer not null default 1,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        primary key (space_id, id)
      )`);
    this.addSql(`create unique index collections_name_key on collections (space_id, name)`);
    this.addSql(`
      create table records (
        space_id uuid not null,
        collection_id uuid not null,
        id uuid not null,
        data jsonb not null default '{}',
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        primary key (space_id, collection_id, id),
        foreign key (space_id, collection_id) references collections (space_id, id) on delete cascade
      )`);
    this.addSql(`create index records_data_gin on records using gin (data jsonb_path_ops)`);
    this.addSql(`create index records_created_idx on records (space_id, collection_id, created_at, id)`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table records, collections');
  }
}
