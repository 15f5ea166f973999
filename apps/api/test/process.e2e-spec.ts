import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Runs the compiled server as `npm start` does (`npm test` builds first: see "pretest").
const MAIN = join(__dirname, '../../../dist/apps/api/src/main.js');

function run(env: Record<string, string>): ChildProcess & { output: () => string } {
  let output = '';
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  return Object.assign(child, { output: () => output });
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

describe('the server process', () => {
  let dataDir: string;
  beforeAll(() => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npm run build`);
  });
  beforeEach(() => (dataDir = mkdtempSync(join(tmpdir(), 'portico-proc-'))));
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it.each([
    ['PORT', 'eighty'],
    ['DATABASE_URL', 'mysql://nope'],
    ['LOG_LEVEL', 'chatty'],
  ])('stops with one line naming %s when it is bad', async (name, value) => {
    const child = run({ DATA_DIR: dataDir, [name]: value });
    expect(await exited(child)).toBe(1);
    const lines = child.output().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^Invalid configuration: ${name} `));
  });

  it('refuses to start in production without its secrets', async () => {
    const child = run({ DATA_DIR: dataDir, NODE_ENV: 'production' });
    expect(await exited(child)).toBe(1);
    expect(child.output()).toMatch(/JWT_PRIVATE_KEY is required/);
  });

  it('starts on a fresh embedded database, is ready, and drains on SIGTERM', async () => {
    const port = 20000 + Math.floor(Math.random() * 20000);
    const started = Date.now();
    const child = run({ DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' });
    const exit = exited(child);
    let ready = false;
    while (!ready && Date.now() - started < 20000) {
      ready = await fetch(`http://127.0.0.1:${port}/health/ready`).then(
        (r) => r.ok,
        () => false,
      );
      if (!ready) await new Promise((r) => setTimeout(r, 100));
    }
    expect(ready).toBe(true);
    expect(existsSync(join(dataDir, 'pglite'))).toBe(true);
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
  }, 30000);
});
