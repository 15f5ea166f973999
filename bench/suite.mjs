// npm run bench — Portico's hot path against a floor reference (bench/floor.mjs: bare
// Fastify + pg, same table and seed, constant key check), interleaved round by round
// so both see the same machine. Real Postgres from DATABASE_URL (own databases
// portico_bench*), else the embedded default. Prints req/s, p50, p99, ratio to the
// floor and errors per scenario, then server RSS and start-to-ready time.
import { readFileSync } from 'node:fs';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { call, CONNECTIONS, loadMeasured, loadSpread, seededPortico, startFloor, startServer, tenant } from './lib.mjs';
import { FIELDS, LIST_FILTER } from './seed-data.mjs';

const RECORDS = Number(process.env.RECORDS ?? 10_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const LOG_LEVEL = process.env.BENCH_LOG_LEVEL ?? 'info';
const REDIS_URL = process.env.REDIS_URL;
const PG_URL = process.env.DATABASE_URL;
// Limits are computed and their headers sent on every request, but never reached.
const TIER = { TIERS_JSON: '{"bench": 1000000000}', DEFAULT_TIER: 'bench', LOG_LEVEL };
// One deployment's secrets, so a second instance accepts the first one's keys and tokens.
const SECRETS = {
  JWT_PRIVATE_KEY: generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
    .privateKey.export({ format: 'pem', type: 'pkcs8' })
    .toString(),
  API_KEY_PEPPER: randomBytes(32).toString('hex'),
  ENCRYPTION_KEY: randomBytes(32).toString('base64'),
};

const rssMb = (pid) => Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024);

const stops = [];
try {
  console.log(
    `database: ${PG_URL ? 'Postgres (DATABASE_URL)' : 'embedded PGlite (no DATABASE_URL)'}; ${RECORDS} records; log level ${LOG_LEVEL}; ${REDIS_URL ? 'Redis limits scenario on' : 'no REDIS_URL: Redis scenario skipped'}`,
  );
  const portico = (port, env) => seededPortico({ port, records: RECORDS, env: { ...TIER, ...SECRETS, ...env } });
  const main = await portico(3971, { REDIS_URL: '' });
  stops.push(() => main.server.stop());
  const withRedis = REDIS_URL ? await portico(3972, { REDIS_URL }) : undefined;
  if (withRedis) stops.push(() => withRedis.server.stop());
  const ref = await startFloor({ port: 3973, records: RECORDS, databaseUrl: main.db });
  stops.push(() => ref.stop());
  // A second instance on the same database (Postgres only: the embedded database is one process's).
  const second = main.db
    ? await startServer({ port: 3975, quiet: true, env: { ...TIER, ...SECRETS, REDIS_URL: '', DATABASE_URL: main.db } })
    : undefined;
  if (second) stops.push(() => second.stop());

  // Ten more spaces on the main server (one user: signups have a tight per-address
  // budget), each with the bench collection and a key, for the spread writers.
  const owner = await tenant(main.server.base);
  const spread = [];
  for (let i = 0; i < 10; i++) {
    const base = main.server.base;
    const space = await call(base, 'POST', '/api/spaces', { name: `spread ${i}` }, owner.auth);
    const made = await call(
      base,
      'POST',
      `/api/spaces/${space.id}/api-keys`,
      { label: 'bench', is_admin: true },
      owner.auth,
    );
    await call(base, 'POST', `/api/spaces/${space.id}/collections`, { name: 'orders', fields: FIELDS }, owner.auth);
    spread.push(made.key);
  }
  const filter = encodeURIComponent(JSON.stringify(LIST_FILTER));
  let n = 0;
  const createBody = () =>
    JSON.stringify({ status: 'new', total: 5, email: `bench-${process.pid}-${n++}@example.com` });
  // Every writer updates the same record, in both: the row lock is part of what is compared.
  const patchBody = () => JSON.stringify({ total: n++ % 1000, notes: 'patched' });
  const batchBody = () =>
    JSON.stringify({
      records: Array.from({ length: 1000 }, () => ({
        status: 'new',
        total: 5,
        email: `bench-${process.pid}-${n++}@example.com`,
      })),
    });
  // An import is a few clients sending large batches, not fifty.
  const BATCH_CONNECTIONS = 4;
  const fk = { 'x-api-key': ref.key };
  const P = (s, path) => s.server.base + path;
  const F = ref.pid;
  const M = main.server.pid;
  // Each Portico scenario is compared with the floor scenario named in `floor`.
  const scenarios = [
    { title: 'floor: get by id', pid: F, url: `${ref.base}/items/${ref.someId}`, headers: fk },
    {
      title: 'get by id, X-Api-Key',
      pid: M,
      floor: 'floor: get by id',
      url: P(main, `/api/collections/orders/records/${main.someId}`),
      headers: { 'x-api-key': main.key },
    },
    {
      title: 'get by id, key-derived JWT',
      pid: M,
      floor: 'floor: get by id',
      url: P(main, `/api/collections/orders/records/${main.someId}`),
      headers: { authorization: `Bearer ${main.jwt}` },
    },
    ...(withRedis
      ? [
          {
            title: 'get by id, X-Api-Key, Redis limits',
            pid: withRedis.server.pid,
            floor: 'floor: get by id',
            url: P(withRedis, `/api/collections/orders/records/${withRedis.someId}`),
            headers: { 'x-api-key': withRedis.key },
          },
        ]
      : []),
    ...(second
      ? [
          {
            title: 'get by id, X-Api-Key, 2 instances',
            pids: [M, second.pid],
            urls: [main.server.base, second.base].map((b) => `${b}/api/collections/orders/records/${main.someId}`),
            floor: 'floor: get by id',
            headers: { 'x-api-key': main.key },
          },
        ]
      : []),
    { title: 'floor: list 50', pid: F, url: `${ref.base}/items`, headers: fk },
    {
      title: 'list 50, filter + sort',
      pid: M,
      floor: 'floor: list 50',
      url: P(main, `/api/collections/orders/records?limit=50&filter=${filter}&sort=-total`),
      headers: { 'x-api-key': main.key },
    },
    { title: 'floor: create', pid: F, url: `${ref.base}/items`, method: 'POST', makeBody: createBody, headers: fk },
    {
      title: 'create one',
      pid: M,
      floor: 'floor: create',
      url: P(main, '/api/collections/orders/records'),
      method: 'POST',
      makeBody: createBody,
      headers: { 'x-api-key': main.key },
    },
    {
      title: 'floor: patch one',
      pid: F,
      url: `${ref.base}/items/${ref.someId}`,
      method: 'PATCH',
      makeBody: patchBody,
      headers: fk,
    },
    {
      title: 'patch one',
      pid: M,
      floor: 'floor: patch one',
      url: P(main, `/api/collections/orders/records/${main.someId}`),
      method: 'PATCH',
      makeBody: patchBody,
      headers: { 'x-api-key': main.key },
    },
    {
      title: 'floor: batch create 1000',
      pid: F,
      url: `${ref.base}/items/batch`,
      method: 'POST',
      makeBody: batchBody,
      headers: fk,
    },
    {
      title: 'batch create 1000',
      pid: M,
      floor: 'floor: batch create 1000',
      url: P(main, '/api/collections/orders/records/batch'),
      method: 'POST',
      makeBody: batchBody,
      headers: { 'x-api-key': main.key },
      connections: BATCH_CONNECTIONS,
    },
    {
      // The same 50 writers over 10 spaces: with "create one" (all in one space), whether
      // one tenant's writes queue on something of the space's (issue #22: ≥ 0.8×).
      title: 'create one, 10 spaces',
      pids: [M],
      urls: Array(10).fill(P(main, '/api/collections/orders/records')),
      headersList: spread.map((key) => ({ 'x-api-key': key })),
      method: 'POST',
      makeBody: createBody,
    },
  ];
  // BENCH_ONLY (a regular expression on titles) narrows a tuning run; the floors compared with stay in.
  if (process.env.BENCH_ONLY) {
    const only = new RegExp(process.env.BENCH_ONLY, 'i');
    const wanted = new Set(scenarios.filter((s) => only.test(s.title)).flatMap((s) => [s.title, s.floor]));
    scenarios.splice(0, scenarios.length, ...scenarios.filter((s) => wanted.has(s.title)));
  }
  const results = new Map(scenarios.map((s) => [s.title, []]));
  for (let round = 1; round <= ROUNDS; round++) {
    process.stdout.write(`round ${round}/${ROUNDS} `);
    for (const s of scenarios) {
      results
        .get(s.title)
        .push(
          s.urls
            ? await loadSpread(s.pids, s.urls, { ...s, duration: SECONDS })
            : await loadMeasured(s.pid, { ...s, duration: SECONDS }),
        );
      process.stdout.write('.');
    }
    process.stdout.write('\n');
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const summary = new Map(
    [...results].map(([title, rs]) => [
      title,
      {
        rps: Math.round(median(rs.map((r) => r.requests.average))),
        cpu: Math.round(median(rs.map((r) => r.cpuUsPerRequest))),
        p50: median(rs.map((r) => r.latency.p50)),
        p99: median(rs.map((r) => r.latency.p99)),
        bad: rs.reduce((a, r) => a + r.non2xx + r.errors, 0),
      },
    ]),
  );
  const rows = scenarios.map((s) => {
    const m = summary.get(s.title);
    const f = s.floor ? summary.get(s.floor) : undefined;
    return {
      scenario: s.title,
      'req/s (median)': m.rps,
      'server CPU µs/req': m.cpu,
      'p50 ms': m.p50,
      'p99 ms': m.p99,
      'ratio to floor': f ? Number((m.rps / f.rps).toFixed(2)) : '—',
      'p99 vs floor': f ? Number((m.p99 / Math.max(1, f.p99)).toFixed(2)) : '—',
      'errors/non-2xx': m.bad,
    };
  });
  console.log(
    `\n${ROUNDS} interleaved rounds × ${SECONDS} s, ${CONNECTIONS} connections, autocannon in this process; servers in their own`,
  );
  console.log(
    "server CPU µs/req: the server process's own CPU time per request (from /proc), steadier than req/s on a shared machine",
  );
  console.table(rows);
  const key = summary.get('get by id, X-Api-Key')?.rps;
  const jwt = summary.get('get by id, key-derived JWT')?.rps;
  if (key && jwt) console.log(`key-derived JWT vs X-Api-Key: ${(jwt / key).toFixed(2)}×`);
  const one = summary.get('create one')?.rps;
  const ten = summary.get('create one, 10 spaces')?.rps;
  if (one && ten) console.log(`50 writers in one space vs over 10 spaces: ${(one / ten).toFixed(2)}×`);
  console.log(
    `RSS after the run: Portico ${rssMb(main.server.pid)} MB${withRedis ? `, Portico with Redis ${rssMb(withRedis.server.pid)} MB` : ''}, floor ${rssMb(ref.pid)} MB`,
  );
  if (PG_URL) {
    // Start-to-ready is a property of the embedded default: measure it on a fresh data dir.
    const cold = await startServer({ port: 3974, quiet: true, env: { ...TIER, DATABASE_URL: '', REDIS_URL: '' } });
    console.log(`start-to-ready on the embedded default (fresh data dir): ${cold.readyMs} ms`);
    await cold.stop();
  } else {
    console.log(`start-to-ready on the embedded default (fresh data dir): ${main.server.readyMs} ms`);
  }
} finally {
  for (const stop of stops.reverse()) await stop().catch(() => undefined);
}
