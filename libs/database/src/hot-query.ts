import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { Pool } from 'pg';
import type { Statement } from './statement';

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

  /** Runs `statement` prepared under its name (which must identify exactly its text). */
  async rows<P extends object, R>(statement: Statement<P, R>, values: P): Promise<R[]> {
    this.pool ??= this.em.getConnection().getNativeClient();
    const pool = await this.pool;
    const params = statement.numberedParams(values);
    this.em.config.getLogger().logQuery({ query: statement.numbered, params, level: 'info' });
    const result = await pool.query({ name: statement.name, text: statement.numbered, values: params });
    return result.rows as R[];
  }
}
