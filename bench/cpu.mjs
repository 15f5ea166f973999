// npm run bench:cpu — the server's own CPU time per request (from /proc) for the get by id
// with X-Api-Key at a fixed, unsaturated rate after a warm-up: a steady figure for
// before/after comparisons of tuning steps, where req/s on a shared 2-core machine
// moves ±15 % between identical runs. Real Postgres from DATABASE_URL, else embedded.
import autocannon from 'autocannon';
const RATE = Number(process.env.BENCH_RATE ?? 500);
const dir = process.cwd();
const { startServer, tenant, call, benchDatabase, cpuMs } = await import('./lib.mjs');
const { FIELDS, record } = await import('./seed-data.mjs');
const db = await benchDatabase('portico_bench_cpu');
const s = await startServer({ port: 3985, quiet: true, env: { DATABASE_URL: db, REDIS_URL: process.env.WITH_REDIS ?? '', LOG_LEVEL: 'info', TIERS_JSON: '{"bench": 1000000000}', DEFAULT_TIER: 'bench' } });
const { key, space } = await tenant(s.base);
const h = { 'x-api-key': key };
await call(s.base, 'POST', `/api/spaces/${space.id}/collections`, { name: 'orders', fields: FIELDS }, h);
const r = await call(s.base, 'POST', '/api/collections/orders/records/batch', { records: Array.from({ length: 1000 }, (_, j) => record(j)) }, h);
const url = `${s.base}/api/collections/orders/records/${r.data[500].id}`;
const run = (duration, rate) => new Promise((res, rej) => autocannon({ url, headers: h, connections: 20, duration, overallRate: rate }, (e, x) => (e ? rej(e) : res(x))));
// Warm-up: JIT and caches settle before anything is measured.
await run(15, RATE);
const out = [];
for (let i = 0; i < 5; i++) {
  const before = cpuMs(s.pid);
  const x = await run(5, RATE);
  out.push(Math.round(((cpuMs(s.pid) - before) * 1000) / x.requests.total));
}
console.log(`CPU µs/req at ${RATE} req/s:`, out.join(' '), 'median', [...out].sort((a, b) => a - b)[2]);
await s.stop();
