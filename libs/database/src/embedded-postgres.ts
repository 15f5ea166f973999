import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { loadTemplate } from './embedded-template';

export interface DatabaseHandle {
  /** A postgres:// URL the ordinary driver connects to. */
  url: string;
  /** 'postgres' for a real server, 'embedded' for PGlite. */
  kind: 'postgres' | 'embedded';
  close(): Promise<void>;
}

/**
 * Starts PGlite (Postgres compiled to WASM, in-process) and exposes it on a
 * loopback port so MikroORM's normal `pg` driver reaches it unchanged. PGlite is
 * single-session: callers must use a pool of one connection and never wait on a
 * second connection inside a transaction (it would queue forever). `dataDir` undefined
 * keeps the database in memory (tests).
 */
export async function startEmbeddedPostgres(dataDir?: string): Promise<DatabaseHandle> {
  let pgDir: string | undefined;
  if (dataDir) {
    pgDir = join(dataDir, 'pglite');
    mkdirSync(pgDir, { recursive: true, mode: 0o700 });
  }
  // A new database starts from the build's initialised template when there is one.
  const fresh = !pgDir || !existsSync(join(pgDir, 'PG_VERSION'));
  const template = fresh ? loadTemplate() : undefined;
  const db = await PGlite.create({
    ...(pgDir ? { dataDir: pgDir } : {}),
    ...(template ? { loadDataDir: template } : {}),
  });
  // PGlite runs one session at a time; the socket server queues statements across
  // connections and keeps a transaction's statements together. Each pool stays at one
  // connection; the headroom only lets a closing pool (migrations) and the app's
  // overlap, and lets tests run a second app instance on the same database.
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 4 });
  await server.start();
  return {
    url: `postgres://postgres@${server.getServerConn()}/postgres`,
    kind: 'embedded',
    async close() {
      await server.stop();
      await db.close();
    },
  };
}

/** DATABASE_URL when set; otherwise the embedded, file-backed default under DATA_DIR. */
export async function openDatabase(options: { url?: string; dataDir: string }): Promise<DatabaseHandle> {
  if (options.url) return { url: options.url, kind: 'postgres', close: () => Promise.resolve() };
  return startEmbeddedPostgres(options.dataDir);
}
