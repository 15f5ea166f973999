// npm run bench:auth — authenticated request with a cached API key vs an
// unauthenticated one, on one production-built server, interleaved rounds.
// Uses DATABASE_URL when set, else the embedded database in a temp DATA_DIR.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';

const PORT = Number(process.env.BENCH_PORT ?? 3950);
const BASE = `http://127.0.0.1:${PORT}`;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const DURATION = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = 50;

const dataDir = mkdtempSync(join(tmpdir(), 'portico-bench-'));
const server = spawn(process.execPath, ['dist/apps/api/src/main.js'], {
  env: { ...process.env, PORT: String(PORT), HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'warn', NODE_ENV: 'production', ...(await secretsEnv()) },
  stdio: ['ignore', 'inherit', 'inherit'],
});

async function secretsEnv() {
  const { generateKeyPairSync, randomBytes } = await import('node:crypto');
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return { JWT_PRIVATE_KEY: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), API_KEY_PEPPER: randomBytes(32).toString('hex') };
}

async function post(path, body, headers = {}) {
  const res = await fetch(BASE + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

function run(title, headers, path) {
  return new Promise((resolve, reject) =>
    autocannon({ url: BASE + path, connections: CONNECTIONS, duration: DURATION, headers }, (err, r) => (err ? reject(err) : resolve({ title, r }))),
  );
}

try {
  const started = Date.now();
  while (!(await fetch(`${BASE}/health/ready`).then((r) => r.ok, () => false))) {
    if (Date.now() - started > 30_000) throw new Error('server not ready');
    await new Promise((r) => setTimeout(r, 100));
  }
  console.log(`server ready in ${Date.now() - started} ms (${process.env.DATABASE_URL ? 'postgres' : 'embedded PGlite'})`);
  const user = await post('/api/auth/signup', { email: `bench-${Date.now()}@example.com`, password: 'bench password' });
  const space = await post('/api/spaces', { name: 'bench' }, { authorization: `Bearer ${user.access_token}` });
  const key = await post(`/api/spaces/${space.id}/api-keys`, { label: 'bench', collection_permissions: { '*': ['read'] } }, { authorization: `Bearer ${user.access_token}` });
  const jwt = (await post('/api/auth/token', { api_key: key.key })).token;

  const scenarios = [
    ['unauthenticated GET /health/live', {}, '/health/live'],
    ['X-Api-Key GET /api/auth/me', { 'x-api-key': key.key }, '/api/auth/me'],
    ['key JWT GET /api/auth/me', { authorization: `Bearer ${jwt}` }, '/api/auth/me'],
  ];
  const results = new Map(scenarios.map(([t]) => [t, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [title, headers, path] of scenarios) results.get(title).push((await run(title, headers, path)).r);
  }
  const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const rows = [...results].map(([title, rs]) => ({
    scenario: title,
    'req/s (median)': Math.round(median(rs.map((r) => r.requests.average))),
    'p50 ms': median(rs.map((r) => r.latency.p50)),
    'p99 ms': median(rs.map((r) => r.latency.p99)),
    'non-2xx': rs.reduce((n, r) => n + r.non2xx + r.errors, 0),
  }));
  const base = rows[0]['req/s (median)'];
  for (const row of rows) row['ratio to unauth'] = (row['req/s (median)'] / base).toFixed(2);
  console.log(`\n${ROUNDS} rounds × ${DURATION}s, ${CONNECTIONS} connections`);
  console.table(rows);
} finally {
  server.kill('SIGTERM');
  await new Promise((r) => server.once('exit', r));
  rmSync(dataDir, { recursive: true, force: true });
}
