// npm run bench:auth — authenticated request with a cached API key (and a key JWT)
// against an unauthenticated one, on one production-built server, interleaved.
// Uses DATABASE_URL when set, else the embedded database in a temp DATA_DIR.
import { call, runScenarios, startServer, tenant } from './lib.mjs';

// A tier large enough that the limiter admits every request: this measures authentication, not 429s.
const server = await startServer({
  port: Number(process.env.BENCH_PORT ?? 3950),
  env: { TIERS_JSON: '{"bench": 1000000000}', DEFAULT_TIER: 'bench' },
});
try {
  console.log(`server ready in ${server.readyMs} ms (${process.env.DATABASE_URL ? 'postgres' : 'embedded PGlite'})`);
  const { key } = await tenant(server.base);
  const jwt = (await call(server.base, 'POST', '/api/auth/token', { api_key: key })).token;
  const url = (p) => server.base + p;
  const rows = await runScenarios(
    [
      { title: 'unauthenticated GET /health/live', url: url('/health/live'), headers: {} },
      { title: 'X-Api-Key GET /api/auth/me', url: url('/api/auth/me'), headers: { 'x-api-key': key } },
      { title: 'key JWT GET /api/auth/me', url: url('/api/auth/me'), headers: { authorization: `Bearer ${jwt}` } },
    ],
    { rounds: Number(process.env.BENCH_ROUNDS ?? 3), duration: Number(process.env.BENCH_SECONDS ?? 5) },
  );
  const base = rows[0]['req/s (median)'];
  console.log(rows.map((r) => `${r.scenario}: ${(r['req/s (median)'] / base).toFixed(2)}× unauthenticated`).join('\n'));
} finally {
  await server.stop();
}
