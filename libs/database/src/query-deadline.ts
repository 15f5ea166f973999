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
    const expire = () =>
      armed.connection?.stream?.destroy(new Error(`query exceeded its ${ms} ms deadline; connection dropped`));
    (client as { query: unknown }).query = (...args: unknown[]) => {
      // Callback style (pg-pool's pool.query, which the hot prepared statements use): the
      // destroyed connection makes pg call back with an error.
      const last = args.length - 1;
      if (typeof args[last] === 'function') {
        const callback = args[last] as (...r: unknown[]) => void;
        const timer = setTimeout(expire, ms);
        timer.unref();
        args[last] = (...r: unknown[]) => {
          clearTimeout(timer);
          callback(...r);
        };
        return query(...args);
      }
      const result = query(...args);
      if (!(result instanceof Promise)) return result; // cursors (submittables) keep pg's own behaviour
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

/**
 * Gives a checked-out connection back to the pool when it dies (server gone, deadline
 * hit), instead of waiting for its holder to. Kysely releases a transaction's
 * connection only after a successful COMMIT or ROLLBACK, so a transaction whose
 * connection dropped under it kept its pool slot forever: each outage shrank the pool,
 * and closing the pool then waited on the lost slot indefinitely. The holder's own later
 * release becomes a no-op (pg-pool would throw on a second release).
 */
export function releaseDeadConnections(pool: Pool): void {
  const checkedOut = new WeakSet<PoolClient>();
  pool.on('acquire', (client: PoolClient) => checkedOut.add(client));
  pool.on('release', (_err: Error | undefined, client: PoolClient) => checkedOut.delete(client));
  pool.on('connect', (client: PoolClient) => {
    const died = (err?: Error) => {
      if (!checkedOut.has(client)) return;
      checkedOut.delete(client);
      const release = client.release.bind(client);
      (client as { release: unknown }).release = () => undefined;
      try {
        release(err ?? new Error('connection ended while checked out'));
      } catch {
        // released meanwhile: nothing to give back
      }
    };
    client.on('end', () => died());
    client.on('error', died);
  });
}
