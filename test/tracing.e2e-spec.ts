import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { freePort } from './private-postgres';
import { startServerProcess, ServerProcess } from './server-process';
import { createTestDatabase } from './test-database';
import type { DatabaseHandle } from '@app/database';

/** A span as OTLP/HTTP JSON carries it (ids in hex). */
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: { key: string; value: Record<string, unknown> }[];
}
interface OtlpExport {
  resourceSpans: { scopeSpans: { scope: { name: string }; spans: OtlpSpan[] }[] }[];
}

const SERVER = 2;

/**
 * The built server (dist, as `npm start` runs it) with OTEL_EXPORTER_OTLP_ENDPOINT set,
 * exporting to an OTLP/HTTP receiver in this test: instrumentation patches modules as
 * Node loads them, which jest's own module loader bypasses, so it runs in a real process.
 */
describe('OpenTelemetry tracing (OTEL_EXPORTER_OTLP_ENDPOINT)', () => {
  const spans: (OtlpSpan & { scope: string })[] = [];
  let receiver: Server;
  let server: ServerProcess | undefined;
  let db: DatabaseHandle | undefined;
  let dataDir: string;
  let base: string;

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.url === '/v1/traces') {
          const body = JSON.parse(Buffer.concat(chunks).toString()) as OtlpExport;
          for (const rs of body.resourceSpans)
            for (const ss of rs.scopeSpans) for (const s of ss.spans) spans.push({ ...s, scope: ss.scope.name });
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    const receiverPort = await freePort();
    await new Promise<void>((r) => receiver.listen(receiverPort, '127.0.0.1', r));
    // Its own database on the shared Postgres (the embedded one belongs to one process).
    if (process.env.DATABASE_URL) db = await createTestDatabase();
    dataDir = mkdtempSync(join(tmpdir(), 'portico-otel-'));
    server = await startServerProcess({
      DATA_DIR: dataDir,
      DATABASE_URL: db?.url ?? '',
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${receiverPort}`,
      OTEL_BSP_SCHEDULE_DELAY: '100',
    });
    base = server.base;
  }, 40_000);

  afterAll(async () => {
    await server?.stop();
    await new Promise((r) => receiver.close(r));
    await db?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("continues the caller's trace: spans for the request, its handler and its SQL", async () => {
    const traceId = randomBytes(16).toString('hex');
    const parentId = randomBytes(8).toString('hex');
    const res = await fetch(`${base}/api/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-${parentId}-01` },
      body: JSON.stringify({ email: `otel-${parentId}@example.com`, password: 'correct horse battery staple' }),
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('traceresponse')).toContain(traceId);

    const ours = () => spans.filter((s) => s.traceId === traceId);
    const deadline = Date.now() + 10_000;
    // The server span ends after the response, so it may come in a later export than the SQL spans.
    const complete = () => ours().some((s) => /pg/.test(s.scope)) && ours().some((s) => s.kind === SERVER);
    while (!complete() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));

    const trace = ours();
    const server = trace.find((s) => s.kind === SERVER);
    expect(server).toMatchObject({ parentSpanId: parentId });
    // Fastify's handler span names the route; SQL spans are the pg driver's statements.
    expect(trace.some((s) => s.scope.includes('fastify') && s.name.includes('handler'))).toBe(true);
    const sql = trace.filter(
      (s) => s.scope.includes('pg') && s.attributes.some((a) => a.key === 'db.statement' || a.key === 'db.query.text'),
    );
    expect(sql.length).toBeGreaterThan(0);
    // Statement text only, never the parameters (they carry emails and password hashes).
    expect(JSON.stringify(sql)).not.toContain(`otel-${parentId}@example.com`);
    if (process.env.REDIS_URL) expect(trace.some((s) => s.scope.includes('ioredis'))).toBe(true);
    // Every span of the request hangs under the server span.
    const ids = new Set(trace.map((s) => s.spanId));
    for (const s of trace) if (s !== server) expect(ids.has(s.parentSpanId!)).toBe(true);
  }, 30_000);

  // prom-client loads @opentelemetry/api (the no-op API, for exemplars): not the SDK.
  it('loads no OpenTelemetry SDK or instrumentation when OTEL_EXPORTER_OTLP_ENDPOINT is unset', () => {
    const env = { ...process.env };
    delete env.OTEL_EXPORTER_OTLP_ENDPOINT;
    const probe = spawnSync(
      process.execPath,
      [
        '-e',
        "require('./dist/apps/api/src/tracing.js'); " +
          'console.log(Object.keys(require.cache).filter((k) => /opentelemetry[\\/](?!api[\\/])|fastify.otel/.test(k)).length)',
      ],
      { env, encoding: 'utf8' },
    );
    expect(probe.stdout.trim()).toBe('0');
  });
});
