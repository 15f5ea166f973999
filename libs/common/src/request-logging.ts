import { LogController } from 'fastify';
import type { Logger } from 'pino';
import type { FastifyReply, FastifyRequest } from 'fastify';

const SENSITIVE_PARAM = /key|token|secret|password|auth|credential|session|jwt/i;

/** Credentials never belong in a URL, but clients put them there anyway; keep them out of logs. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  for (const name of new Set(params.keys())) if (SENSITIVE_PARAM.test(name)) params.set(name, '[redacted]');
  return `${url.slice(0, q)}?${params.toString()}`;
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
    const level = reply.statusCode >= 500 ? 'error' : 'info';
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
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
      },
      'request completed',
    );
    // An error's own fields may hold anything: it goes through the redacting logger.
    if (error) request.log.error({ err: error }, 'request failed');
  }
}
