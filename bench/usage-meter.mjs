// npm run bench:usage — what counting usage adds to a request, measured alone: the
// response hook's UsageMeter.record for an authenticated key, in ns per call. Whole-
// server benches on this shared machine vary by ±10 % between identical builds, so a
// cost of well under 1 % of a request (~250 µs of server CPU) only shows up here.
import { UsageMeter } from '../dist/libs/usage/src/usage.meter.js';

const config = { usage: { flushIntervalMs: 10_000 } };
const meter = new UsageMeter({ getConnection: () => ({ execute: async () => [] }) }, config);
const keys = Array.from({ length: 100 }, (_, i) => ({
  kind: 'api_key',
  id: `0190b7a4-0000-7000-8000-${String(i).padStart(12, '0')}`,
  spaceId: `0190b7a4-1111-7000-8000-${String(i % 10).padStart(12, '0')}`,
}));
const requests = keys.map((principal) => ({ principal, params: {} }));
const replies = [200, 200, 200, 404, 429].map((statusCode, i) => ({ statusCode, elapsedTime: 0.8 + i * 3.1 }));
const N = 5_000_000;
for (let round = 0; round < 3; round++) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < N; i++) meter.record(requests[i % 100], replies[i % 5]);
  const ns = Number(process.hrtime.bigint() - start) / N;
  console.log(`round ${round + 1}: UsageMeter.record ${ns.toFixed(1)} ns per request (100 keys, 10 spaces)`);
}
