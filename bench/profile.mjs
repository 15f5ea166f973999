// npm run bench:profile — where the server's CPU goes on the get by id with X-Api-Key:
// runs the production build under `node --cpu-prof` at a fixed rate (BENCH_RATE, default
// 500 req/s) after a warm-up, then prints the top frames and packages by self time,
// in µs per request (idle excluded). Real Postgres from DATABASE_URL, else embedded.
// BENCH_TARGET=floor profiles the floor reference (bench/floor.mjs) the same way;
// BENCH_ENCRYPT=email,notes,sku marks those fields of the bench collection encrypted;
// BENCH_OP=create profiles creating one record instead of the get, BENCH_OP=batch a batch
// of 1000, BENCH_OP=list the suite's list (50 records, filter and sort).
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { benchDatabase, seededPortico, startFloor } from './lib.mjs';
import { LIST_FILTER } from './seed-data.mjs';

const RATE = Number(process.env.BENCH_RATE ?? 500);
const CREATE = process.env.BENCH_OP === 'create' || process.env.BENCH_OP === 'batch';
const BATCH = process.env.BENCH_OP === 'batch';
// The suite's list scenario: 50 records, filter and sort.
const LIST = process.env.BENCH_OP === 'list';
const LIST_QUERY = `?limit=50&filter=${encodeURIComponent(JSON.stringify(LIST_FILTER))}&sort=-total`;
let created = 0;
const one = () => ({ status: 'new', total: 5, email: `prof-${process.pid}-${created++}@example.com` });
// A fresh body per request (the bench collection's email is unique); the suite's create body.
const createRequests = [
  {
    method: 'POST',
    setupRequest: (req) => ({
      ...req,
      body: JSON.stringify(BATCH ? { records: Array.from({ length: 1000 }, one) } : one()),
    }),
  },
];
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const TOP = Number(process.env.BENCH_TOP ?? 25);
const dir = mkdtempSync(join(tmpdir(), 'portico-prof-'));
const PROFILE = `--cpu-prof --cpu-prof-dir=${dir}`;
const { url, h, stop } = process.env.BENCH_TARGET === 'floor' ? await floor() : await portico();

async function portico() {
  const p = await seededPortico({
    port: 3986,
    records: 1000,
    encrypt: (process.env.BENCH_ENCRYPT ?? '').split(',').filter(Boolean),
    env: {
      REDIS_URL: '',
      LOG_LEVEL: 'info',
      TIERS_JSON: '{"bench": 1000000000}',
      DEFAULT_TIER: 'bench',
      NODE_OPTIONS: PROFILE,
    },
  });
  const records = `${p.server.base}/api/collections/orders/records`;
  return {
    url: LIST ? `${records}${LIST_QUERY}` : BATCH ? `${records}/batch` : CREATE ? records : `${records}/${p.someId}`,
    h: { 'x-api-key': p.key, ...(CREATE ? { 'content-type': 'application/json' } : {}) },
    stop: () => p.server.stop(),
  };
}

async function floor() {
  const f = await startFloor({
    port: 3988,
    records: 1000,
    databaseUrl: await benchDatabase('portico_bench_prof'),
    env: { NODE_OPTIONS: PROFILE },
  });
  const h = { 'x-api-key': f.key, ...(CREATE ? { 'content-type': 'application/json' } : {}) };
  return {
    url: BATCH ? `${f.base}/items/batch` : CREATE ? `${f.base}/items` : `${f.base}/items/${f.someId}`,
    h,
    stop: f.stop,
  };
}

const run = (duration) =>
  new Promise((res, rej) =>
    autocannon(
      {
        url,
        headers: h,
        connections: 20,
        duration,
        overallRate: RATE,
        ...(CREATE ? { method: 'POST', requests: createRequests } : {}),
      },
      (e, x) => (e ? rej(e) : res(x)),
    ),
  );
await run(10);
const measured = await run(SECONDS);
await stop();

const profile = JSON.parse(
  readFileSync(
    join(
      dir,
      readdirSync(dir).find((f) => f.endsWith('.cpuprofile')),
    ),
    'utf8',
  ),
);
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
const frame = (n) =>
  `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/dist\//, 'dist/')}:${n.callFrame.lineNumber + 1}`;
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
console.log(
  `${requests} requests (${measured.non2xx} non-2xx) at ${RATE} req/s; server CPU ${fmt(total)} µs/request (profiled)`,
);
console.log('\nby package, µs/request:');
for (const [k, us] of byPackage.slice(0, TOP)) console.log(fmt(us), k);
console.log('\ntop frames by self time, µs/request:');
for (const [k, us] of sum(frame).slice(0, TOP)) console.log(fmt(us), k);
