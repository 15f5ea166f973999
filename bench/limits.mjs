// npm run bench:limits — the rate limiter's cost per request: the same authenticated
// route (GET /api/spaces/{id} with X-Api-Key) on servers with limits off, in memory,
// and in Redis (when REDIS_URL is set), interleaved in one run. The space's tier has a
// budget far above the load, so limits are computed and headers sent but never hit.
import { runScenarios, startServer, tenant } from './lib.mjs';

const common = { TIERS_JSON: '{"bench": 100000000}', DEFAULT_TIER: 'bench' };
const variants = [
  ['limits off', { ...common, RATE_LIMITS_ENABLED: 'false', REDIS_URL: '' }],
  ['limits in memory', { ...common, REDIS_URL: '' }],
  ...(process.env.REDIS_URL ? [['limits in Redis', { ...common, REDIS_URL: process.env.REDIS_URL }]] : []),
];
const servers = [];
try {
  for (const [i, [title, env]] of variants.entries()) {
    const server = await startServer({ port: 3960 + i, env });
    const { space, key } = await tenant(server.base);
    servers.push({ title, server, url: `${server.base}/api/spaces/${space.id}`, headers: { 'x-api-key': key } });
  }
  const rows = await runScenarios(
    servers.map((s) => ({ title: s.title, url: s.url, headers: s.headers })),
    { rounds: Number(process.env.BENCH_ROUNDS ?? 3), duration: Number(process.env.BENCH_SECONDS ?? 5) },
  );
  const base = rows[0]['req/s (median)'];
  for (const row of rows.slice(1)) {
    const perRequestUs = (1e6 / row['req/s (median)'] - 1e6 / base).toFixed(0);
    console.log(
      `${row.scenario}: ${(row['req/s (median)'] / base).toFixed(2)}× of limits off, ≈${perRequestUs} µs of server time per request`,
    );
  }
} finally {
  for (const s of servers) await s.server.stop();
}
