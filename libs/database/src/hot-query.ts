import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { Pool } from 'pg';

/**
 * The few statements every authenticated read runs, sent through the `pg` pool under
 * MikroORM's connection as named prepared statements. `em.execute` formats the
 * parameters into the SQL text and logs through its own context on every call;
 * here Postgres parses and plans each statement once per connection and the driver
 * sends only the values. Logged through MikroORM's logger like any other query, so
 * query counting (tests) sees them. Outside transactions only: a transaction's
 * statements must run on its own connection.
 */
@Injectable()
export class HotQueries {
  private pool?: Promise<Pool>;

  constructor(private readonly em: EntityManager) {}

  /** `sql` uses `$1…$n` placeholders; `name` must identify exactly this SQL text. */
  async rows<T>(name: string, sql: string, params: unknown[]): Promise<T[]> {
    this.pool ??= this.em.getConnection().getNativeClient();
    const pool = await this.pool;
    this.em.config.getLogger().logQuery({ query: sql, params, level: 'info' });
    const result = await pool.query({ name, text: sql, values: params });
    return result.rows as T[];
  }
}
