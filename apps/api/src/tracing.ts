/**
 * OpenTelemetry tracing (API.md, "Usage and metrics"; issue #19): on when
 * OTEL_EXPORTER_OTLP_ENDPOINT is set, and then exported over OTLP/HTTP (JSON) to
 * `<endpoint>/v1/traces`, with spans for each HTTP request (continuing an incoming W3C
 * `traceparent`), Fastify's hooks and handler, every Postgres statement and Redis command.
 *
 * main.ts imports this module before anything else, because instrumentation patches
 * `http`, `pg`, `ioredis` and `fastify` as they are first required. When the variable is
 * unset nothing is loaded: the SDK's packages are required only inside `startTracing`, so
 * tracing off costs no memory, no start-up time and nothing per request.
 */
import type { NodeSDK, tracing } from '@opentelemetry/sdk-node';
import { redactUrl } from '@app/common';

let sdk: NodeSDK | undefined;

export function startTracing(env: NodeJS.ProcessEnv = process.env): boolean {
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT || sdk) return Boolean(sdk);
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded only when tracing is on (see above) */
  const { NodeSDK, tracing: sdkTracing } =
    require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  const { OTLPTraceExporter } =
    require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
  const { HttpInstrumentation } =
    require('@opentelemetry/instrumentation-http') as typeof import('@opentelemetry/instrumentation-http');
  const { PgInstrumentation } =
    require('@opentelemetry/instrumentation-pg') as typeof import('@opentelemetry/instrumentation-pg');
  const { IORedisInstrumentation } =
    require('@opentelemetry/instrumentation-ioredis') as typeof import('@opentelemetry/instrumentation-ioredis');
  const { FastifyOtelInstrumentation } = require('@fastify/otel') as typeof import('@fastify/otel');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const batch = new sdkTracing.BatchSpanProcessor(new OTLPTraceExporter());
  sdk = new NodeSDK({
    serviceName: env.OTEL_SERVICE_NAME ?? 'portico',
    spanProcessors: [scrubbing(batch)],
    instrumentations: [
      new HttpInstrumentation({
        // Probes and scrapes would drown the traces that matter.
        ignoreIncomingRequestHook: (request) => /^\/(health\/|metrics\b|docs\b)/.test(request.url ?? ''),
      }),
      new FastifyOtelInstrumentation({ registerOnInitialization: true }),
      // No parameter values: they hold secrets and tenant data (literals are scrubbed below).
      new PgInstrumentation({ enhancedDatabaseReporting: false }),
      new IORedisInstrumentation(),
    ],
  });
  sdk.start();
  return true;
}

/** SQL string literals: the ORM inlines values (emails, password hashes, record data) into statements. */
const SQL_LITERAL = /(?:\bE)?'(?:[^']|'')*'/g;
const SQL_TEXT = ['db.statement', 'db.query.text'];
const URLS = ['http.url', 'http.target', 'url.full', 'url.query'];

/**
 * Scrubs every span before export: SQL literals become `?`, and credential-looking query
 * parameters in URLs are redacted, as in the request log. Secrets never leave in a trace.
 */
function scrubbing(inner: tracing.SpanProcessor): tracing.SpanProcessor {
  return {
    onStart: (span, context) => inner.onStart(span, context),
    onEnd(span) {
      // The ended span's attributes are a plain object the exporter reads later.
      const attributes = span.attributes as Record<string, unknown>;
      for (const key of SQL_TEXT)
        if (typeof attributes[key] === 'string') attributes[key] = attributes[key].replace(SQL_LITERAL, '?');
      for (const key of URLS) if (typeof attributes[key] === 'string') attributes[key] = redactUrl(attributes[key]);
      inner.onEnd(span);
    },
    forceFlush: () => inner.forceFlush(),
    shutdown: () => inner.shutdown(),
  };
}

/** Sends the spans still buffered; main calls it on shutdown. */
export async function stopTracing(): Promise<void> {
  await sdk?.shutdown().catch(() => undefined);
  sdk = undefined;
}

startTracing();
