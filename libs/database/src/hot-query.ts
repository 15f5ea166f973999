import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { Pool, QueryConfig } from 'pg';
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
    return this.send<R>({ name: statement.name, text: statement.numbered, values: statement.numberedParams(values) });
  }

  /**
   * A statement built per request (`?` placeholders, none of them inside literals), its
   * values bound rather than printed into the text: `em.execute` escapes and copies every
   * value into the SQL, a thousand-record batch's JSON included. Errors come back as
   * MikroORM's exceptions, as from `em.execute`.
   */
  async query<R>(sql: string, params: unknown[]): Promise<R[]> {
    let n = 0;
    const text = sql.replace(/\?/g, () => `$${++n}`);
    return this.send<R>({ text, values: params });
  }

  /**
   * A statement built per request whose values are printed into its text as
   * `em.execute` prints them (so each takes its type from the literal, as it always
   * did: a filter's values compare as they were written), sent without MikroORM's
   * per-call context and Kysely's compilation.
   */
  async inline<R>(sql: string, params: unknown[]): Promise<R[]> {
    return this.send<R>({ text: this.em.getPlatform().formatQuery(sql, params) });
  }

  private async send<R>(query: QueryConfig): Promise<R[]> {
    this.pool ??= this.em.getConnection().getNativeClient();
    const pool = await this.pool;
    this.em.config.getLogger().logQuery({ query: query.text, params: query.values, level: 'info' });
    // Checked out and given back without the error (as MikroORM's own queries are): pool.query
    // would close a connection on any SQL error, a unique violation included, and the
    // embedded database's one session would outlive it with its prepared statements.
    // pg-pool still drops a connection that died.
    const client = await pool.connect();
    try {
      return (await client.query(query)).rows as R[];
    } catch (error) {
      throw this.em.getDriver().convertException(error as Error);
    } finally {
      client.release();
    }
  }
}
