// npm run bench:records — a collection of RECORDS (default 100 000) records; get by
// id, list 50 with a two-condition filter and sort, create one; then EXPLAIN of the
// list and get queries (needs DATABASE_URL: the embedded database lives inside the
// server process). With DATABASE_URL the bench uses its own database, portico_bench.
import { createSecretKey, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import pg from 'pg';
import { benchDatabase, call, runScenarios, startServer, tenant } from './lib.mjs';
import { FIELDS, record } from './seed-data.mjs';

// The service's own query builder, so the plans shown are of the SQL it runs.
const require = createRequire(import.meta.url);
const { listQuery, guardedList } = require('../dist/libs/collections/src/records-query.js');
const { collectionWithRecord } = require('../dist/libs/collections/src/collections.queries.js');
const toPg = (sql) => {
  let i = 0;
  return sql.replace(/\?/g, () => `$${++i}`);
};

const TOTAL = Number(process.env.RECORDS ?? 100_000);
const dbUrl = await benchDatabase('portico_bench');
// A bench tier, so seeding and the scenarios measure records rather than 429s.
const TIER = { TIERS_JSON: '{"bench": 1000000000}', DEFAULT_TIER: 'bench' };
const server = await startServer({
  port: Number(process.env.BENCH_PORT ?? 3951),
  env: dbUrl ? { ...TIER, DATABASE_URL: dbUrl } : TIER,
});
try {
  console.log(`server ready in ${server.readyMs} ms (${dbUrl ? 'postgres' : 'embedded PGlite'})`);
  const { space, key } = await tenant(server.base);
  const h = { 'x-api-key': key };
  await call(
    server.base,
    'POST',
    `/api/spaces/${space.id}/collections`,
    {
      name: 'orders',
      fields: FIELDS,
    },
    h,
  );
  const seeded = Date.now();
  let someId;
  for (let i = 0; i < TOTAL; i += 1000) {
    const records = Array.from({ length: Math.min(1000, TOTAL - i) }, (_, j) => record(i + j));
    const res = await call(server.base, 'POST', '/api/collections/orders/records/batch', { records }, h);
    someId ??= res.data[Math.floor(res.data.length / 2)].id;
  }
  console.log(`seeded ${TOTAL} records in ${((Date.now() - seeded) / 1000).toFixed(1)} s`);
  if (dbUrl) {
    // What autovacuum does shortly after a bulk load; without statistics the planner guesses.
    const client = new pg.Client({ connectionString: dbUrl });
    await client.connect();
    await client.query('analyze records');
    await client.end();
  }
  const filter = encodeURIComponent(JSON.stringify({ status: 'paid', total: { gte: 500 } }));
  const url = (p) => server.base + p;
  let n = 0;
  await runScenarios(
    [
      { title: 'get by id', url: url(`/api/collections/orders/records/${someId}`), headers: h },
      {
        title: 'list 50, filter status+total, sort -total',
        url: url(`/api/collections/orders/records?limit=50&filter=${filter}&sort=-total`),
        headers: h,
      },
      {
        title: 'create one',
        url: url('/api/collections/orders/records'),
        method: 'POST',
        headers: h,
        makeBody: () => JSON.stringify({ status: 'new', total: 5, email: `bench-${n++}@example.com` }),
      },
    ],
    { rounds: Number(process.env.BENCH_ROUNDS ?? 3), duration: Number(process.env.BENCH_SECONDS ?? 5) },
  );
  if (dbUrl) {
    const client = new pg.Client({ connectionString: dbUrl });
    await client.connect();
    const [row] = (
      await client.query(
        `select space_id, id, fields, index_state from collections where name = 'orders' and space_id = $1`,
        [space.id],
      )
    ).rows;
    const explain = async (title, sql, params) => {
      // Once to warm this connection's catalog caches, as a pooled connection's are: the
      // planning time shown is then the per-request one.
      await client.query(`explain ${toPg(sql)}`, params);
      const plan = (await client.query(`explain (analyze, costs off, timing off) ${toPg(sql)}`, params)).rows.map(
        (r) => r['QUERY PLAN'],
      );
      console.log(`\n${title}\n  ${plan.join('\n  ')}`);
    };
    await explain(
      'get by id (collection and record, one statement)',
      collectionWithRecord.sql,
      collectionWithRecord.params({ spaceId: space.id, name: 'orders', recordId: someId }),
    );
    // As the service runs it: from the remembered schema (guarded), each record printed as JSON.
    const list = guardedList(
      { row },
      listQuery(
        { row, access: { readable: () => true } },
        { filter: decodeURIComponent(filter), sort: '-total' },
        50,
        createSecretKey(randomBytes(32)),
        undefined,
        true,
      ),
    );
    await explain('list 50 {"status":"paid","total":{"gte":500}} sort -total', list.sql, list.params);
    await client.end();
  } else {
    console.log('\n(EXPLAIN needs DATABASE_URL; skipped on the embedded database)');
  }
} finally {
  await server.stop();
}
