import { execFileSync, spawnSync } from 'node:child_process';
import { freePort } from './private-postgres';

/** Fault tests kill a Redis of their own, never the machine's shared one. */
export const canRunPrivateRedis = () => spawnSync('which', ['redis-server']).status === 0;

export interface PrivateRedis {
  url: string;
  /** Shuts it down now (the fault); safe to call again at clean-up. */
  kill(): void;
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  execFileSync('redis-server', [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--daemonize',
    'yes',
  ]);
  const ping = () =>
    spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout.trim() === 'PONG';
  for (let i = 0; i < 50 && !ping(); i++) await new Promise((r) => setTimeout(r, 20));
  return {
    url: `redis://127.0.0.1:${port}`,
    kill: () => void spawnSync('redis-cli', ['-p', String(port), 'shutdown', 'nosave']),
  };
}
