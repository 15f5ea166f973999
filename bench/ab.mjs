// npm run bench:ab -- <dir> — the authenticated get-by-id of this checkout (B) against
// another built checkout (A: a `git worktree` of the baseline revision after `npm run
// build`), in interleaved rounds on one machine at one time, so the noise of a shared
// machine (±15 % between separate `npm run bench` runs here) falls on both alike.
// Prints median req/s and server CPU µs per request for each, and B's change.
import { loadMeasured, seededPortico } from './lib.mjs';

const baseline = process.argv[2] ?? process.env.BENCH_BASELINE_DIR;
if (!baseline) {
  console.error('usage: npm run bench:ab -- <directory of a built baseline checkout>');
  process.exit(2);
}
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const TIER = { TIERS_JSON: '{"bench": 1000000000}', DEFAULT_TIER: 'bench', LOG_LEVEL: 'info', REDIS_URL: '' };
const here = process.cwd();
const stops = [];
try {
  process.chdir(baseline);
  const a = await seededPortico({ port: 3981, records: 10_000, env: TIER });
  stops.push(() => a.server.stop());
  process.chdir(here);
  const b = await seededPortico({ port: 3982, records: 10_000, env: TIER });
  stops.push(() => b.server.stop());
  const scenario = (s) => ({
    url: `${s.server.base}/api/collections/orders/records/${s.someId}`,
    headers: { 'x-api-key': s.key },
    duration: SECONDS,
  });
  const results = { A: [], B: [] };
  for (let round = 1; round <= ROUNDS; round++) {
    // Alternate which goes first, so neither always runs on a warmer machine.
    const order = round % 2 ? ['A', 'B'] : ['B', 'A'];
    for (const name of order) {
      const s = name === 'A' ? a : b;
      results[name].push(await loadMeasured(s.server.pid, scenario(s)));
    }
    process.stdout.write(`round ${round}/${ROUNDS}\n`);
  }
  const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  const row = (rs) => ({
    rps: Math.round(median(rs.map((r) => r.requests.average))),
    cpu: Math.round(median(rs.map((r) => r.cpuUsPerRequest))),
    errors: rs.reduce((n, r) => n + r.errors + r.non2xx, 0),
  });
  const A = row(results.A);
  const B = row(results.B);
  const pct = (x, y) => `${(((y - x) / x) * 100).toFixed(1)} %`;
  console.table({ [`A (${baseline})`]: A, 'B (this checkout)': B });
  console.log(`get by id, X-Api-Key: req/s ${pct(A.rps, B.rps)}, server CPU µs/req ${pct(A.cpu, B.cpu)} (B vs A)`);
} finally {
  process.chdir(here);
  for (const stop of stops.reverse()) await stop();
}
