import { LogController } from 'fastify';
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
 * Headers are included for debugging; the logger's redaction removes credentials.
 */
export class RequestLogController extends LogController {
  constructor() {
    super({ requestIdLogLabel: 'request_id' });
  }

  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const level = reply.statusCode >= 500 ? 'error' : 'info';
    request.log[level](
      {
        request: { method: request.method, url: redactUrl(request.url), ip: request.ip, headers: request.headers },
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
        ...(error ? { err: error } : {}),
      },
      'request completed',
    );
  }
}
