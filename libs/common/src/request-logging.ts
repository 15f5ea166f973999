import { LogController } from 'fastify';
import type { Logger } from 'pino';
import type { FastifyReply, FastifyRequest } from 'fastify';

const SENSITIVE_PARAM = /key|token|secret|password|auth|credential|session|jwt/i;

/**
 * Credentials never belong in a URL, but clients put them there anyway; keep them out of
 * logs. A `filter` keeps its fields and operators but loses its values: they are tenant
 * data, and may be the plaintext of an encrypted field.
 */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  for (const name of new Set(params.keys())) {
    if (SENSITIVE_PARAM.test(name)) params.set(name, '[redacted]');
    else if (name === 'filter') params.set(name, redactFilter(params.get(name)!));
  }
  return `${url.slice(0, q)}?${params.toString()}`;
}

function redactFilter(raw: string): string {
  const blank = (node: unknown): unknown =>
    Array.isArray(node)
      ? node.map(blank)
      : node !== null && typeof node === 'object'
        ? Object.fromEntries(Object.entries(node).map(([k, v]) => [k, blank(v)]))
        : '?';
  try {
    return JSON.stringify(blank(JSON.parse(raw)));
  } catch {
    return '[redacted]';
  }
}

/** Health probes and the documentation's static files: logged at debug when they succeed. */
function quiet(request: FastifyRequest): boolean {
  const route = request.routeOptions?.url ?? '';
  return route.startsWith('/health/') || route.startsWith('/docs');
}

/** The space a request concerned: its path's, or the one its key or app token belongs to. */
function spaceOf(request: FastifyRequest): string | undefined {
  const fromPath = (request.params as Record<string, unknown> | undefined)?.space_id;
  if (typeof fromPath === 'string') return fromPath;
  const principal = request.principal;
  if (principal?.kind === 'api_key') return principal.spaceId;
  return principal?.app?.spaceId;
}

/**
 * One log line per request, written when it completes (Fastify's default is two).
 * It names the caller (principal kind and id) rather than dumping headers: headers
 * are where credentials travel, and serialising and redacting them on every request
 * cost about a tenth of a cached-key read (docs/performance.md).
 */
export class RequestLogController extends LogController {
  constructor(private readonly access: Logger) {
    super({ requestIdLogLabel: 'request_id' });
  }

  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const status = reply.statusCode;
    const level = status >= 500 ? 'error' : status < 400 && quiet(request) ? 'debug' : 'info';
    if (!this.access.isLevelEnabled(level)) return;
    this.access[level](
      {
        request_id: request.id,
        request: {
          method: request.method,
          url: redactUrl(request.url),
          ip: request.ip,
          user_agent: request.headers['user-agent'],
        },
        ...(request.principal ? { principal: `${request.principal.kind}:${request.principal.id}` } : {}),
        ...(request.traceId ? { trace_id: request.traceId } : {}),
        // Why a request was refused, and whose space it concerned.
        ...(status >= 400 ? { problem_type: request.problemType, space_id: spaceOf(request) } : {}),
        status,
        ms: Math.round(reply.elapsedTime * 10) / 10,
      },
      'request completed',
    );
    // An error's own fields may hold anything: it goes through the redacting logger.
    if (error) request.log.error({ err: error }, 'request failed');
  }
}
