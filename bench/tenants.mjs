// npm run bench:tenants — does one tenant's record path stay as fast as the database
// fills with other tenants' collections, and while another tenant churns its schema?
//   1. Tenant A: create + get by id, p50/p99, with about 10 collections in the database,
//      then again after COLLECTIONS (default 5,000) more, each with five indexed fields
//      (one unique) and a few records, spread over COLLECTIONS / 20 spaces.
//   2. Tenant A's p99 alone, then while tenant B creates, alters and drops collections in
//      a loop; errors of either side are counted.
// B's loop is paced (BENCH_CHURN_PER_SECOND, default 4 loops of 4 requests a second), so A's
// figures show interference through the database rather than CPU shared on one machine;
// 0 runs it flat out.
// Needs DATABASE_URL (a real Postgres); uses its own database, portico_tenants.
import pg from 'pg';
import { benchDatabase, call, startServer, tenant } from './lib.mjs';

if (!process.env.DATABASE_URL) {
  console.error('bench:tenants needs DATABASE_URL (a real Postgres)');
  process.exit(2);
}
const COLLECTIONS = Number(process.env.COLLECTIONS ?? 5000);
const SAMPLE_SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
/** Tenant B's create-alter-drop loops per second; 0 runs them back to back (B then also competes for CPU). */
const CHURN_PER_SECOND = Number(process.env.BENCH_CHURN_PER_SECOND ?? 4);
const FIELDS = [
  { name: 'sku', type: 'text', unique: true },
  { name: 'title', type: 'text', required: true },
  { name: 'price', type: 'number' },
  { name: 'stock', type: 'integer' },
  { name: 'added', type: 'datetime' },
];
const row = (i) => ({
  sku: `sku-${i}-${Math.random().toString(36).slice(2)}`,
  title: `item ${i}`,
  price: i % 1000,
  stock: i % 17,
  added: new Date(1_700_000_000_000 + i * 1000).toISOString(),
});

const dbUrl = await benchDatabase('portico_tenants');
const server = await startServer({
  port: Number(process.env.BENCH_PORT ?? 3952),
  env: {
    DATABASE_URL: dbUrl,
    TIERS_JSON: '{"bench": 1000000000}',
    DEFAULT_TIER: 'bench',
    RATE_LIMIT_AUTH_PER_MINUTE: '100000',
    RATE_LIMIT_USER_PER_MINUTE: '1000000',
  },
  quiet: true,
});
const percentile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
};

/** CONCURRENCY loops of create-then-get on A's collection for `seconds`; latencies of each call. */
async function sampleA(base, h, seconds) {
  const latencies = { create: [], get: [] };
  let errors = 0;
  let n = 0;
  const until = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (Date.now() < until) {
        let t = performance.now();
        const created = await fetch(`${base}/api/collections/items/records`, {
          method: 'POST',
          headers: { ...h, 'content-type': 'application/json' },
          body: JSON.stringify(row(n++)),
        });
        latencies.create.push(performance.now() - t);
        if (created.status !== 201) {
          errors++;
          await created.text();
          continue;
        }
        const { id } = await created.json();
        t = performance.now();
        const got = await fetch(`${base}/api/collections/items/records/${id}`, { headers: h });
        latencies.get.push(performance.now() - t);
        if (got.status !== 200) errors++;
        await got.arrayBuffer();
      }
    }),
  );
  const f = (xs) => ({ n: xs.length, p50: +percentile(xs, 50).toFixed(1), p99: +percentile(xs, 99).toFixed(1) });
  return { create: f(latencies.create), get: f(latencies.get), errors };
}

try {
  const base = server.base;
  const a = await tenant(base);
  const ah = { 'x-api-key': a.key };
  await call(base, 'POST', `/api/spaces/${a.space.id}/collections`, { name: 'items', fields: FIELDS }, ah);
  for (let i = 0; i < 9; i++)
    await call(base, 'POST', `/api/spaces/${a.space.id}/collections`, { name: `side_${i}`, fields: FIELDS }, ah);
  await sampleA(base, ah, 2); // warm-up
  const small = await sampleA(base, ah, SAMPLE_SECONDS);
  console.log(`10 collections: ${JSON.stringify(small)}`);

  // Fill: COLLECTIONS collections over COLLECTIONS/20 spaces of other tenants, 3 records each.
  const filled = Date.now();
  const others = [];
  for (let i = 0; i < Math.max(1, Math.ceil(COLLECTIONS / 20)); i++) others.push(await tenant(base));
  let made = 0;
  await Promise.all(
    Array.from({ length: 4 }, async (_, w) => {
      for (let i = w; i < COLLECTIONS; i += 4) {
        const t = others[i % others.length];
        const name = `c_${i}`;
        await call(
          base,
          'POST',
          `/api/spaces/${t.space.id}/collections`,
          { name, fields: FIELDS },
          { 'x-api-key': t.key },
        );
        await call(
          base,
          'POST',
          `/api/spaces/${t.space.id}/collections/${name}/records/batch`,
          { records: [row(1), row(2), row(3)] },
          { 'x-api-key': t.key },
        );
        if (++made % 500 === 0) console.log(`  ${made} collections (${((Date.now() - filled) / 1000).toFixed(0)} s)`);
      }
    }),
  );
  const client = new pg.Client({ connectionString: dbUrl });
  await client.connect();
  // What autovacuum would do after such a fill, done now so it does not run during the sample.
  await client.query('vacuum (analyze)');
  const { rows } = await client.query(`select count(*)::int as n from pg_indexes where tablename = 'records'`);
  await client.end();
  console.log(
    `filled ${COLLECTIONS} collections in ${((Date.now() - filled) / 1000).toFixed(0)} s; indexes on records: ${rows[0].n}`,
  );
  const large = await sampleA(base, ah, SAMPLE_SECONDS);
  console.log(`${COLLECTIONS + 10} collections: ${JSON.stringify(large)}`);

  // Schema churn by tenant B next to A's traffic.
  const alone = await sampleA(base, ah, SAMPLE_SECONDS);
  const b = await tenant(base);
  const bh = { 'x-api-key': b.key };
  let churning = true;
  let churn = 0;
  let churnErrors = 0;
  const churnSamples = [];
  const loop = (async () => {
    while (churning) {
      const started = Date.now();
      const name = `churn_${churn++}`;
      const steps = [
        ['POST', `/api/spaces/${b.space.id}/collections`, { name, fields: FIELDS }],
        ['POST', `/api/spaces/${b.space.id}/collections/${name}/records/batch`, { records: [row(1), row(2)] }],
        [
          'PATCH',
          `/api/spaces/${b.space.id}/collections/${name}`,
          {
            add_fields: [{ name: 'code', type: 'text', unique: true }],
            update_fields: [{ name: 'stock', type: 'number' }],
          },
        ],
        ['DELETE', `/api/spaces/${b.space.id}/collections/${name}`],
      ];
      for (const [method, path, body] of steps) {
        const res = await fetch(base + path, {
          method,
          headers: body ? { ...bh, 'content-type': 'application/json' } : bh,
          body: body ? JSON.stringify(body) : undefined,
        });
        if (res.status >= 300) {
          churnErrors++;
          if (churnSamples.length < 3) churnSamples.push(`${method} ${res.status} ${(await res.text()).slice(0, 160)}`);
        }
        if (!res.bodyUsed) await res.arrayBuffer();
      }
      if (CHURN_PER_SECOND > 0)
        await new Promise((r) => setTimeout(r, Math.max(0, 1000 / CHURN_PER_SECOND - (Date.now() - started))));
    }
  })();
  const during = await sampleA(base, ah, SAMPLE_SECONDS);
  churning = false;
  await loop;
  console.log(`A alone: ${JSON.stringify(alone)}`);
  if (churnSamples.length) console.log(`B's errors, first few:\n  ${churnSamples.join('\n  ')}`);
  console.log(
    `A while B churns (${churn} collections created, altered, dropped; ${churnErrors} errors): ${JSON.stringify(during)}`,
  );
  const ratio = (x, y) => (x / y).toFixed(2);
  console.log(
    `summary: large/small p99 create ${ratio(large.create.p99, small.create.p99)}×, get ${ratio(large.get.p99, small.get.p99)}×; ` +
      `churn/alone p99 create ${ratio(during.create.p99, alone.create.p99)}×, get ${ratio(during.get.p99, alone.get.p99)}×; errors A ${during.errors + large.errors}, B ${churnErrors}`,
  );
} finally {
  await server.stop();
}
