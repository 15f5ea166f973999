/** Anything that runs SQL with `?` placeholders: an EntityManager (in or out of a transaction) or a connection. */
export interface Executor {
  execute(sql: string, params: unknown[]): Promise<unknown>;
}

const NAMED = /(?<![:\w]):([a-z][A-Za-z0-9]*)/g;

/**
 * One SQL statement with named parameters (`:spaceId`), compiled once when its module
 * loads into the positional forms the drivers take: `?` for MikroORM's `execute`, `$n`
 * for a prepared statement. `P` names the parameters and their types, so a call site
 * cannot pass them in the wrong order or forget one; `R` is the row it returns.
 * Postgres casts (`::jsonb`) are left alone. Identifiers never travel as parameters:
 * a statement's text is fixed.
 */
export class Statement<P extends object = Record<string, never>, R = unknown> {
  /** With `?` placeholders. */
  readonly sql: string;
  /** With `$1…$n` placeholders, a name bound once per distinct parameter. */
  readonly numbered: string;
  private readonly order: (keyof P & string)[] = [];
  private readonly distinct: (keyof P & string)[] = [];

  constructor(
    /** Names the statement in logs and, for prepared statements, on the connection. */
    readonly name: string,
    text: string,
  ) {
    if (text.includes('?')) throw new Error(`${name}: use :name parameters, not "?"`);
    this.sql = text.replace(NAMED, (_, key: keyof P & string) => {
      this.order.push(key);
      return '?';
    });
    this.numbered = text.replace(NAMED, (_, key: keyof P & string) => {
      let at = this.distinct.indexOf(key);
      if (at < 0) at = this.distinct.push(key) - 1;
      return `$${at + 1}`;
    });
  }

  /** The values in `?` order. A parameter left out is a programming error, not a null. */
  params(values: P): unknown[] {
    return this.order.map((key) => this.value(values, key));
  }

  /** The values in `$n` order. */
  numberedParams(values: P): unknown[] {
    return this.distinct.map((key) => this.value(values, key));
  }

  /** Runs the statement on `db` (an EntityManager in a transaction, or a connection) and returns its rows. */
  async rows(db: Executor, values: P): Promise<R[]> {
    // The driver returns the rows as plain objects; `R` is what the statement's select list makes of them.
    return (await db.execute(this.sql, this.params(values))) as R[];
  }

  /** The first row, or undefined. */
  async first(db: Executor, values: P): Promise<R | undefined> {
    return (await this.rows(db, values))[0];
  }

  private value(values: P, key: keyof P & string): unknown {
    if (!(key in values)) throw new Error(`${this.name}: parameter :${key} was not given`);
    return values[key];
  }
}

/** `statement<{ id: string }, Row>('name', 'select … where id = :id')`. */
export function statement<P extends object = Record<string, never>, R = unknown>(
  name: string,
  text: string,
): Statement<P, R> {
  return new Statement<P, R>(name, text);
}
