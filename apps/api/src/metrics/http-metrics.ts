import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Pool } from 'pg';
import { forbidden, sendProblem, unauthorized } from '@app/common';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/** The problem type's slug (`urn:portico:problem:rate-limited` → `rate-limited`): a bounded label. */
const reasonOf = (type: string | undefined) => (type ? (type.split(':').pop() ?? 'unknown') : 'unknown');

/**
 * Prometheus metrics for operators (API.md, "Usage and metrics"), one registry per app:
 * request duration by method, route *template* and status (never a raw path, so the
 * label set stays bounded whatever ids are requested), error answers by status and
 * problem type, the database pool, and prom-client's process metrics (event-loop lag,
 * heap, CPU). Per request the cost is a counter increment and a histogram observation (and,
 * for errors, one more increment): no I/O, no lock. It returns the per-request step, for
 * the app's one onResponse hook.
 */
export function installMetrics(
  fastify: FastifyInstance,
  options: { registry: Registry; token?: string; pool: () => Promise<Pool | undefined> },
): (request: FastifyRequest, reply: FastifyReply) => void {
  const { registry } = options;
  collectDefaultMetrics({ register: registry });
  const duration = new Histogram({
    name: 'portico_http_request_duration_seconds',
    help: 'HTTP request duration by method, route template and status.',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const requests = new Counter({
    name: 'portico_http_requests_total',
    help: 'HTTP requests by method, route template and status.',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const rejections = new Counter({
    name: 'portico_http_rejections_total',
    help: 'Error answers by status and problem type (401 kinds, 403, 429 by budget, validation, outages).',
    labelNames: ['status', 'reason'],
    registers: [registry],
  });
  new Gauge({
    name: 'portico_db_pool_connections',
    help: 'Database pool connections by state (total, idle, waiting).',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      const pool = await options.pool().catch(() => undefined);
      if (!pool) return;
      this.set({ state: 'total' }, pool.totalCount);
      this.set({ state: 'idle' }, pool.idleCount);
      this.set({ state: 'waiting' }, pool.waitingCount);
    },
  });

  // Labelled children are looked up once per (route, method, status) and kept: a request
  // then costs two increments and an observation, with no label hashing or allocation.
  type Child = { count: () => void; time: (seconds: number) => void };
  const children = new Map<string, Map<string, Map<number, Child>>>();
  const childFor = (route: string, method: string, statusCode: number) => {
    let byMethod = children.get(route);
    if (!byMethod) children.set(route, (byMethod = new Map<string, Map<number, Child>>()));
    let byStatus = byMethod.get(method);
    if (!byStatus) byMethod.set(method, (byStatus = new Map<number, Child>()));
    let child = byStatus.get(statusCode);
    if (!child) {
      const labels = { method, route, status: String(statusCode) };
      const counter = requests.labels(labels);
      const histogram = duration.labels(labels);
      child = { count: () => counter.inc(), time: (s: number) => histogram.observe(s) };
      byStatus.set(statusCode, child);
    }
    return child;
  };

  fastify.get('/metrics', async (request: FastifyRequest, reply: FastifyReply) => {
    const refusal = refuse(request, options.token);
    if (refusal) return sendProblem(refusal, request, reply);
    void reply.header('content-type', registry.contentType).header('cache-control', 'no-store');
    return registry.metrics();
  });
  /** Counts a completed request; the app's one onResponse hook calls it. */
  return (request: FastifyRequest, reply: FastifyReply) => {
    const child = childFor(request.routeOptions?.url ?? 'unmatched', request.method, reply.statusCode);
    child.count();
    child.time(reply.elapsedTime / 1000);
    if (reply.statusCode >= 400)
      rejections.inc({ status: String(reply.statusCode), reason: reasonOf(request.problemType) });
  };
}

/** Behind METRICS_TOKEN as a bearer token when set; otherwise loopback callers only. */
function refuse(request: FastifyRequest, token: string | undefined) {
  if (token) {
    const presented = Buffer.from(/^Bearer (.+)$/i.exec(request.headers.authorization ?? '')?.[1] ?? '');
    const expected = Buffer.from(token);
    return presented.length === expected.length && timingSafeEqual(presented, expected)
      ? undefined
      : unauthorized('GET /metrics needs the METRICS_TOKEN bearer token.');
  }
  return LOOPBACK.has(request.ip)
    ? undefined
    : forbidden('GET /metrics answers loopback callers only unless METRICS_TOKEN is set.');
}
