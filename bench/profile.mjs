// npm run bench:profile — where the server's CPU goes on the get by id with X-Api-Key:
// runs the production build under `node --cpu-prof` at a fixed rate (BENCH_RATE, default
// 500 req/s) after a warm-up, then prints the top frames and packages by self time,
// in µs per request (idle excluded). Real Postgres from DATABASE_URL, else embedded.
// BENCH_TARGET=floor profiles the floor reference (bench/floor.mjs) the same way.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { benchDatabase, call, startServer, tenant } from './lib.mjs';
import { FIELDS, record } from './seed-data.mjs';

const RATE = Number(process.env.BENCH_RATE ?? 500);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const TOP = Number(process.env.BENCH_TOP ?? 25);
const dir = mkdtempSync(join(tmpdir(), 'portico-prof-'));
const db = await benchDatabase('portico_bench_prof');
const PROFILE = `--cpu-prof --cpu-prof-dir=${dir}`;
const { url, h, stop } = process.env.BENCH_TARGET === 'floor' ? await floor() : await portico();

async function portico() {
  const s = await startServer({
    port: 3986,
    quiet: true,
    env: { DATABASE_URL: db ?? '', REDIS_URL: '', LOG_LEVEL: 'info', TIERS_JSON: '{"bench": 1000000000}', DEFAULT_TIER: 'bench', NODE_OPTIONS: PROFILE },
  });
  const { key, space } = await tenant(s.base);
  const h = { 'x-api-key': key };
  await call(s.base, 'POST', `/api/spaces/${space.id}/collections`, { name: 'orders', fields: FIELDS }, h);
  const seeded = await call(s.base, 'POST', '/api/collections/orders/records/batch', { records: Array.from({ length: 1000 }, (_, j) => record(j)) }, h);
  return { url: `${s.base}/api/collections/orders/records/${seeded.data[500].id}`, h, stop: () => s.stop() };
}

async function floor() {
  const key = 'floor-constant-key-0123456789';
  const child = spawn(process.execPath, ['bench/floor.mjs'], {
    env: { ...process.env, NODE_OPTIONS: PROFILE, FLOOR_PORT: '3988', FLOOR_KEY: key, FLOOR_RECORDS: '1000', FLOOR_DATABASE_URL: db ?? '' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  let health;
  while (!(health = await fetch('http://127.0.0.1:3988/health').then((r) => (r.ok ? r.json() : null), () => null))) await new Promise((r) => setTimeout(r, 100));
  const stop = async () => {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  };
  return { url: `http://127.0.0.1:3988/items/${health.id}`, h: { 'x-api-key': key }, stop };
}
const run = (duration) => new Promise((res, rej) => autocannon({ url, headers: h, connections: 20, duration, overallRate: RATE }, (e, x) => (e ? rej(e) : res(x))));
await run(10);
const measured = await run(SECONDS);
await stop();

const profile = JSON.parse(readFileSync(join(dir, readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))), 'utf8'));
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
// Only samples taken during the measured run (the last SECONDS of the profile) count.
const end = profile.endTime;
const start = end - SECONDS * 1e6 - 2e6;
const self = new Map();
let t = profile.startTime;
for (let i = 0; i < profile.samples.length; i++) {
  t += profile.timeDeltas[i];
  if (t < start) continue;
  const id = profile.samples[i];
  self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i + 1] ?? 0));
}
const requests = measured.requests.total;
const frame = (n) => `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/dist\//, 'dist/')}:${n.callFrame.lineNumber + 1}`;
const pkg = (n) => {
  const u = n.callFrame.url;
  if (u.includes('node_modules/')) return u.replace(/^.*node_modules\/((@[^/]+\/)?[^/]+).*$/, '$1');
  if (u.includes('/dist/')) return 'portico';
  if (u.startsWith('node:')) return `node:${u.slice(5).split('/')[0]}`;
  return n.callFrame.functionName ? `(${n.callFrame.functionName.replace(/^\((.*)\)$/, '$1')})` : '(native)';
};
const sum = (keyOf) => {
  const m = new Map();
  for (const [id, us] of self) {
    const n = nodes.get(id);
    if (n.callFrame.functionName === '(idle)') continue;
    m.set(keyOf(n), (m.get(keyOf(n)) ?? 0) + us);
  }
  return [...m].sort((a, b) => b[1] - a[1]);
};
const byPackage = sum(pkg);
const total = byPackage.reduce((a, [, us]) => a + us, 0);
const fmt = (us) => (us / requests).toFixed(1).padStart(7);
console.log(`${requests} requests at ${RATE} req/s; server CPU ${fmt(total)} µs/request (profiled)`);
console.log('\nby package, µs/request:');
for (const [k, us] of byPackage.slice(0, TOP)) console.log(fmt(us), k);
console.log('\ntop frames by self time, µs/request:');
for (const [k, us] of sum(frame).slice(0, TOP)) console.log(fmt(us), k);
