// The floor reference: what the hot path costs with no framework and no ORM. Bare
// Fastify + pg, the same table shape as Portico's records (one JSONB document per row,
// keyed by space and collection), the same seed, and a constant API-key check.
// Started by bench/suite.mjs as its own process; prints nothing until ready.
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import Fastify from 'fastify';
import pg from 'pg';
import { record } from './seed-data.mjs';

const require = createRequire(import.meta.url);
const PORT = Number(process.env.FLOOR_PORT);
const KEY = process.env.FLOOR_KEY;
const TOTAL = Number(process.env.FLOOR_RECORDS ?? 10_000);
const SPACE = '00000000-0000-7000-8000-000000000001';
const COLLECTION = '00000000-0000-7000-8000-000000000002';

let url = process.env.FLOOR_DATABASE_URL;
let embedded;
if (!url) {
  // Like Portico's default: PGlite in this process, reached over a loopback socket, one connection.
  const { startEmbeddedPostgres } = require('../dist/libs/database/src/embedded-postgres.js');
  embedded = await startEmbeddedPostgres();
  url = embedded.url;
}
const pool = new pg.Pool({ connectionString: url, max: embedded ? 1 : 10 });
await pool.query(`drop table if exists floor_records`);
await pool.query(`create table floor_records (
  space_id uuid not null, collection_id uuid not null, id uuid not null, data jsonb not null,
  created_at timestamptz not null default now(), updated_at timestamptz not null default now(),
  primary key (space_id, collection_id, id))`);
await pool.query(`create index floor_records_gin on floor_records using gin (data jsonb_path_ops)`);
await pool.query(
  `create index floor_records_total on floor_records (space_id, collection_id, ((data->>'total')::numeric), id)`,
);
for (let i = 0; i < TOTAL; i += 1000) {
  const rows = Array.from({ length: Math.min(1000, TOTAL - i) }, (_, j) => ({ id: randomUUID(), data: record(i + j) }));
  await pool.query(
    `insert into floor_records (space_id, collection_id, id, data) select $1, $2, x.id, x.data from jsonb_to_recordset($3::jsonb) as x(id uuid, data jsonb)`,
    [SPACE, COLLECTION, JSON.stringify(rows)],
  );
}
await pool.query('analyze floor_records');
const {
  rows: [some],
} = await pool.query(`select id from floor_records order by id offset $1 limit 1`, [Math.floor(TOTAL / 2)]);

const app = Fastify({ logger: false });
app.addHook('onRequest', async (req, reply) => {
  if (req.url !== '/health' && req.headers['x-api-key'] !== KEY) reply.code(401).send({ error: 'unauthorized' });
});
const toRecord = (r) => ({ id: r.id, ...r.data, created_at: r.created_at, updated_at: r.updated_at });
app.get('/health', async () => ({ id: some.id }));
app.get('/items/:id', async (req, reply) => {
  // A named prepared statement, as Portico's hot get by id uses (HotQueries): the
  // comparison is of the request path, not of the query protocol.
  const { rows } = await pool.query({
    name: 'floor_get',
    text: 'select id, data, created_at, updated_at from floor_records where space_id = $1 and collection_id = $2 and id = $3',
    values: [SPACE, COLLECTION, req.params.id],
  });
  if (!rows[0]) return reply.code(404).send({ error: 'not found' });
  return toRecord(rows[0]);
});
app.get('/items', async () => {
  const { rows } = await pool.query(
    `select id, data, created_at, updated_at from floor_records
      where space_id = $1 and collection_id = $2 and data @> '{"status":"paid"}' and (data->>'total')::numeric >= 500
      order by (data->>'total')::numeric desc, id desc limit 50`,
    [SPACE, COLLECTION],
  );
  return { data: rows.map(toRecord), next_cursor: null };
});
app.post('/items', async (req, reply) => {
  const { rows } = await pool.query(
    'insert into floor_records (space_id, collection_id, id, data) values ($1, $2, $3, $4) returning id, data, created_at, updated_at',
    [SPACE, COLLECTION, randomUUID(), req.body],
  );
  return reply.code(201).send(toRecord(rows[0]));
});
app.patch('/items/:id', async (req, reply) => {
  const { rows } = await pool.query(
    `update floor_records set data = data || $4::jsonb, updated_at = now()
      where space_id = $1 and collection_id = $2 and id = $3 returning id, data, created_at, updated_at`,
    [SPACE, COLLECTION, req.params.id, req.body],
  );
  if (!rows[0]) return reply.code(404).send({ error: 'not found' });
  return toRecord(rows[0]);
});
app.post('/items/batch', { bodyLimit: 10 * 1024 * 1024 }, async (req, reply) => {
  const rows = req.body.records.map((data) => ({ id: randomUUID(), data }));
  const { rows: made } = await pool.query(
    `insert into floor_records (space_id, collection_id, id, data)
     select $1, $2, x.id, x.data from jsonb_to_recordset($3::jsonb) as x(id uuid, data jsonb)
     returning id, data, created_at, updated_at`,
    [SPACE, COLLECTION, JSON.stringify(rows)],
  );
  return reply.code(201).send({ data: made.map(toRecord) });
});
await app.listen({ port: PORT, host: '127.0.0.1' });
process.on('SIGTERM', async () => {
  await app.close();
  await pool.end();
  await embedded?.close();
  process.exit(0);
});
