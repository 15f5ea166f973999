import type { Pool, PoolClient } from 'pg';

const ARMED = Symbol('portico.queryDeadline');

/**
 * A client-side deadline for every statement on the pool's connections, for servers
 * that do not answer at all (frozen, or a network path that drops packets), where the
 * server-side statement_timeout cannot fire. pg's own `query_timeout` leaves the
 * connection busy with the abandoned statement, so the ROLLBACK that follows waits
 * just as long; here the connection is destroyed instead, so everything queued on it
 * fails at once and the pool discards it.
 */
export function armQueryDeadlines(pool: Pool, ms: number): void {
  pool.on('connect', (client: PoolClient) => {
    const armed = client as PoolClient & { [ARMED]?: true; connection?: { stream?: { destroy(err?: Error): void } } };
    if (armed[ARMED]) return;
    armed[ARMED] = true;
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as { query: unknown }).query = (...args: unknown[]) => {
      const result = query(...args);
      if (!(result instanceof Promise)) return result; // callbacks and cursors keep pg's own behaviour
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          const error = new Error(`query exceeded its ${ms} ms deadline; connection dropped`);
          armed.connection?.stream?.destroy(error);
          reject(error);
        }, ms);
        timer.unref();
      });
      return Promise.race([result, deadline]).finally(() => clearTimeout(timer));
    };
  });
}
