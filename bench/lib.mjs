// Shared by the benchmark scripts: start the production build, call it, load it, tabulate.
import { spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { FIELDS, record } from './seed-data.mjs';

export const CONNECTIONS = 50;

/** A new, empty database `name` on the server of DATABASE_URL; undefined without one (the embedded default). */
export async function benchDatabase(name) {
  if (!process.env.DATABASE_URL) return undefined;
  const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await admin.connect();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.query(`create database ${name}`);
  await admin.end();
  const u = new URL(process.env.DATABASE_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

/** The V8 flags of `npm run start:prod` (the heap sizes production runs with), read from package.json. */
const PRODUCTION_NODE_FLAGS = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
  .scripts['start:prod'].split(' ')
  .filter((word) => word.startsWith('--'));

/**
 * The same secrets for every bench server on this machine: instances on one database must
 * share them (the server refuses to start otherwise), and benches reuse DATABASE_URL.
 */
function benchSecrets() {
  const file = join(tmpdir(), 'portico-bench-secrets.json');
  if (existsSync(file)) {
    const stored = JSON.parse(readFileSync(file, 'utf8'));
    // A file from before encrypted fields: its master key is added once.
    if (stored.ENCRYPTION_KEY) return stored;
    stored.ENCRYPTION_KEY = randomBytes(32).toString('base64');
    writeFileSync(file, JSON.stringify(stored), { mode: 0o600 });
    return stored;
  }
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const secrets = {
    JWT_PRIVATE_KEY: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    API_KEY_PEPPER: randomBytes(32).toString('hex'),
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  };
  writeFileSync(file, JSON.stringify(secrets), { mode: 0o600 });
  return secrets;
}

export async function startServer({ port, env = {}, quiet = false }) {
  const dataDir = mkdtempSync(join(tmpdir(), 'portico-bench-'));
  const base = `http://127.0.0.1:${port}`;
  const started = Date.now();
  const child = spawn(process.execPath, [...PRODUCTION_NODE_FLAGS, 'dist/apps/api/src/main.js'], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      NODE_ENV: 'production',
      ...benchSecrets(),
      ...env,
    },
    // Quiet: logs are still written (and cost what they cost), just not to this terminal.
    stdio: ['ignore', quiet ? 'ignore' : 'inherit', 'inherit'],
  });
  while (
    !(await fetch(`${base}/health/ready`).then(
      (r) => r.ok,
      () => false,
    ))
  ) {
    if (Date.now() - started > 30_000) throw new Error('server not ready');
    await new Promise((r) => setTimeout(r, 100));
  }
  const readyMs = Date.now() - started;
  return {
    base,
    readyMs,
    pid: child.pid,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function call(base, method, path, body, headers = {}) {
  const res = await fetch(base + path, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.status === 204 ? undefined : res.json();
}

/** A user, a space and an admin key on a fresh server. */
let tenants = 0;
export async function tenant(base) {
  const user = await call(base, 'POST', '/api/auth/signup', {
    email: `bench-${Date.now()}-${tenants++}@example.com`,
    password: 'bench password',
  });
  const auth = { authorization: `Bearer ${user.access_token}` };
  const space = await call(base, 'POST', '/api/spaces', { name: 'bench' }, auth);
  const key = await call(base, 'POST', `/api/spaces/${space.id}/api-keys`, { label: 'bench', is_admin: true }, auth);
  return { auth, space, key: key.key };
}

/** `makeBody`, when given, builds a fresh body for every request (e.g. unique values). */
export function load({ url, headers, method = 'GET', makeBody, duration, connections = CONNECTIONS }) {
  const requests = makeBody ? [{ method, setupRequest: (req) => ({ ...req, body: makeBody() }) }] : undefined;
  return new Promise((resolve, reject) =>
    autocannon(
      { url, method, requests, connections, duration, headers: { 'content-type': 'application/json', ...headers } },
      (err, r) => (err ? reject(err) : resolve(r)),
    ),
  );
}

/** CPU time (user + system) a process has used, in ms, from /proc (Linux). */
export function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  // utime and stime are fields 14 and 15 of stat; here 0-based after the command name.
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}
const CLOCK_TICKS = 100;

/**
 * `load`, plus the server's own CPU per request: a measure of the server's work that,
 * unlike req/s, barely moves with what else the two cores are doing.
 */
export async function loadMeasured(pid, scenario) {
  const before = cpuMs(pid);
  const result = await load(scenario);
  result.cpuUsPerRequest = ((cpuMs(pid) - before) * 1000) / Math.max(1, result.requests.total);
  return result;
}

/**
 * The same load split over several instances at once (the connections shared out, as a
 * load balancer would): req/s summed, latencies of the slowest, CPU of all servers.
 */
export async function loadSpread(pids, urls, scenario) {
  const before = pids.reduce((a, pid) => a + cpuMs(pid), 0);
  // `headersList`: each part's own credentials (writers spread over spaces).
  const parts = await Promise.all(
    urls.map((url, i) =>
      load({
        ...scenario,
        url,
        headers: scenario.headersList?.[i] ?? scenario.headers,
        connections: Math.ceil(CONNECTIONS / urls.length),
      }),
    ),
  );
  const total = parts.reduce((a, r) => a + r.requests.total, 0);
  return {
    requests: { average: parts.reduce((a, r) => a + r.requests.average, 0), total },
    latency: { p50: Math.max(...parts.map((r) => r.latency.p50)), p99: Math.max(...parts.map((r) => r.latency.p99)) },
    non2xx: parts.reduce((a, r) => a + r.non2xx, 0),
    errors: parts.reduce((a, r) => a + r.errors, 0),
    cpuUsPerRequest: ((pids.reduce((a, pid) => a + cpuMs(pid), 0) - before) * 1000) / Math.max(1, total),
  };
}

/** Interleaves the scenarios for `rounds` rounds and prints medians. */
export async function runScenarios(scenarios, { rounds, duration }) {
  const results = new Map(scenarios.map((s) => [s.title, []]));
  for (let round = 0; round < rounds; round++) {
    for (const s of scenarios) results.get(s.title).push(await load({ ...s, duration }));
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const rows = [...results].map(([scenario, rs]) => ({
    scenario,
    'req/s (median)': Math.round(median(rs.map((r) => r.requests.average))),
    'p50 ms': median(rs.map((r) => r.latency.p50)),
    'p99 ms': median(rs.map((r) => r.latency.p99)),
    'non-2xx': rs.reduce((n, r) => n + r.non2xx + r.errors, 0),
  }));
  console.log(`\n${rounds} rounds × ${duration}s, ${CONNECTIONS} connections`);
  console.table(rows);
  return rows;
}

/**
 * A Portico server with a tenant, its admin key, a key-derived JWT and an `orders`
 * collection of `records` seeded records (analysed on Postgres). Its own database
 * `portico_bench_<port>` when DATABASE_URL is set; `env` goes to the server.
 */
export async function seededPortico({ port, records, env = {}, encrypt = [] }) {
  const db = await benchDatabase(`portico_bench_${port}`);
  const server = await startServer({ port, quiet: true, env: { ...env, ...(db ? { DATABASE_URL: db } : {}) } });
  const { space, key } = await tenant(server.base);
  const h = { 'x-api-key': key };
  const fields = FIELDS.map((f) => (encrypt.includes(f.name) ? { ...f, encrypted: true } : f));
  await call(server.base, 'POST', `/api/spaces/${space.id}/collections`, { name: 'orders', fields }, h);
  let someId;
  for (let i = 0; i < records; i += 1000) {
    const batch = Array.from({ length: Math.min(1000, records - i) }, (_, j) => record(i + j));
    const res = await call(server.base, 'POST', '/api/collections/orders/records/batch', { records: batch }, h);
    someId ??= res.data[Math.floor(res.data.length / 2)].id;
  }
  if (db) {
    const client = new pg.Client({ connectionString: db });
    await client.connect();
    await client.query('analyze records');
    await client.end();
  }
  const { token } = await call(server.base, 'POST', '/api/auth/token', { api_key: key });
  return { server, key, jwt: token, someId, db };
}

/** The floor reference (bench/floor.mjs) in its own process, seeded with `records` rows. */
export async function startFloor({ port, records, databaseUrl, env = {} }) {
  const key = 'floor-constant-key-0123456789';
  const child = spawn(process.execPath, ['bench/floor.mjs'], {
    env: {
      ...process.env,
      ...env,
      FLOOR_PORT: String(port),
      FLOOR_KEY: key,
      FLOOR_RECORDS: String(records),
      FLOOR_DATABASE_URL: databaseUrl ?? '',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  const started = Date.now();
  let health;
  while (
    !(health = await fetch(`${base}/health`).then(
      (r) => (r.ok ? r.json() : null),
      () => null,
    ))
  ) {
    if (Date.now() - started > 60_000) throw new Error('floor not ready');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    base,
    key,
    someId: health.id,
    pid: child.pid,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}
