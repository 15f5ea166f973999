// npm run bench:encrypted — what encrypted fields cost (issue #21): get by id and create on
// a record with 3 encrypted text fields against the same record with the 3 fields in
// clear, in one server, in alternating rounds. Prints req/s, server CPU µs per request and
// the ratio for each pair (the budget: get within 10 %, create within 15 %).
import { benchDatabase, call, loadMeasured, startServer, tenant } from './lib.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const FIELDS = (encrypted) => [
  { name: 'ssn', type: 'text', encrypted },
  { name: 'email', type: 'email', encrypted },
  { name: 'notes', type: 'text', encrypted },
  { name: 'total', type: 'number' },
];
const body = (n) => ({
  ssn: `078-05-${String(n).padStart(4, '0')}`,
  email: `p${n}@example.com`,
  notes: 'seen on a Tuesday',
  total: n,
});

const db = await benchDatabase('portico_bench_encrypted');
const server = await startServer({
  port: 3991,
  quiet: true,
  env: {
    TIERS_JSON: '{"bench": 1000000000}',
    DEFAULT_TIER: 'bench',
    REDIS_URL: '',
    ...(db ? { DATABASE_URL: db } : {}),
  },
});
try {
  const { space, key } = await tenant(server.base);
  const h = { 'x-api-key': key };
  const kinds = {};
  for (const [name, encrypted] of [
    ['plain', false],
    ['sealed', true],
  ]) {
    await call(server.base, 'POST', `/api/spaces/${space.id}/collections`, { name, fields: FIELDS(encrypted) }, h);
    const records = Array.from({ length: 1000 }, (_, i) => body(i));
    const made = await call(server.base, 'POST', `/api/collections/${name}/records/batch`, { records }, h);
    kinds[name] = made.data[500].id;
  }
  let n = 10_000;
  const scenario = (name, op) =>
    op === 'get'
      ? { url: `${server.base}/api/collections/${name}/records/${kinds[name]}`, headers: h, duration: SECONDS }
      : {
          url: `${server.base}/api/collections/${name}/records`,
          method: 'POST',
          makeBody: () => JSON.stringify(body(n++)),
          headers: h,
          duration: SECONDS,
        };
  const results = {};
  for (let round = 1; round <= ROUNDS; round++) {
    for (const op of ['get', 'create'])
      for (const name of round % 2 ? ['plain', 'sealed'] : ['sealed', 'plain']) {
        const r = await loadMeasured(server.pid, scenario(name, op));
        (results[`${op} ${name}`] ??= []).push(r);
      }
    process.stdout.write(`round ${round}/${ROUNDS}\n`);
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const row = (rs) => ({
    rps: Math.round(median(rs.map((r) => r.requests.average))),
    cpu: Math.round(median(rs.map((r) => r.cpuUsPerRequest))),
    errors: rs.reduce((e, r) => e + r.errors + r.non2xx, 0),
  });
  const table = Object.fromEntries(Object.entries(results).map(([k, rs]) => [k, row(rs)]));
  console.table(table);
  // Each round's pair ran back to back: the median of per-round ratios cancels the drift
  // between rounds (on a shared 2-core machine, the plain get alone varies by ±25 %).
  const pct = (x) => `${(x * 100).toFixed(1)} %`;
  for (const op of ['get', 'create']) {
    const plain = results[`${op} plain`];
    const sealed = results[`${op} sealed`];
    const cpu = median(sealed.map((s, i) => s.cpuUsPerRequest / plain[i].cpuUsPerRequest - 1));
    const rps = median(sealed.map((s, i) => s.requests.average / plain[i].requests.average - 1));
    console.log(`${op}: encrypted server CPU µs/req ${pct(cpu)}, req/s ${pct(rps)} (medians of per-round ratios)`);
  }
} finally {
  await server.stop();
}
