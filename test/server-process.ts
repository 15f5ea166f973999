import { ChildProcess, spawn } from 'node:child_process';
import pg from 'pg';
import { startEmbeddedPostgres, type DatabaseHandle } from '@app/database';
import { freePort } from './private-postgres';

export interface ServerProcess {
  base: string;
  child: ChildProcess;
  /** SIGTERM (graceful) or SIGKILL (a crash); resolves when the process is gone. */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
}

/**
 * The built server (dist, as `npm start` runs it) in a process of its own, for what
 * jest's in-process app cannot show: module loading at start, and a crash (SIGKILL)
 * with a restart on the same data.
 */
export async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ['dist/apps/api/src/main.js'], {
    env: { ...process.env, NODE_ENV: 'development', PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async (signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM') => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  const deadline = Date.now() + 30_000;
  while (
    !(await fetch(`${base}/health/ready`).then(
      (r) => r.ok,
      () => false,
    ))
  ) {
    if (Date.now() > deadline || child.exitCode !== null) {
      await stop('SIGKILL');
      throw new Error('server not ready');
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { base, child, stop };
}

/**
 * Runs `read` on the database a stopped server process used: its own Postgres database
 * (`db`), or the embedded one in `dataDir`, which only one process may open at a time.
 */
export async function readDatabase<T>(
  db: DatabaseHandle | undefined,
  dataDir: string,
  read: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const embedded = db ? undefined : await startEmbeddedPostgres(dataDir);
  const client = new pg.Client({ connectionString: (db ?? embedded)!.url });
  await client.connect();
  try {
    return await read(client);
  } finally {
    await client.end();
    await embedded?.close();
  }
}
