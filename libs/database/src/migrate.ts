import { MikroORM, PostgreSqlDriver } from '@mikro-orm/postgresql';
import { ormOptions } from './orm-options';

/** Brings the schema at `url` up to date; returns the names of the migrations applied. */
export async function migrateDatabase(url: string): Promise<string[]> {
  const orm = await MikroORM.init<PostgreSqlDriver>(ormOptions({ url, poolSize: 1, entities: [] }));
  try {
    const applied = await orm.migrator.up();
    return applied.map((m) => m.name);
  } finally {
    await orm.close(true);
  }
}
