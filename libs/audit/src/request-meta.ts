import { AsyncLocalStorage } from 'node:async_hooks';
import type { FastifyRequest } from 'fastify';

/** Where a request came from, as the audit log records it. */
export interface RequestMeta {
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
}

// The request itself is stored: its meta is built only when an entry is written, not on every request.
const storage = new AsyncLocalStorage<FastifyRequest>();
const NONE: RequestMeta = { ip: null, userAgent: null, requestId: null };

export function metaOf(request: FastifyRequest): RequestMeta {
  const agent = request.headers['user-agent'];
  return {
    ip: request.ip ?? null,
    userAgent: typeof agent === 'string' ? agent.slice(0, 512) : null,
    requestId: String(request.id),
  };
}

/** The current request's meta; empty outside a request (timers, the retention job). */
export const currentMeta = (): RequestMeta => {
  const request = storage.getStore();
  return request ? metaOf(request) : NONE;
};

/**
 * Makes the request's address, agent and id available to the audit writer in any
 * service the handler calls. The actor stays an explicit parameter; only transport
 * facts are ambient, so service signatures do not carry the HTTP request.
 *
 * Called from a Fastify onRequest hook with the hook's `done`: everything after it
 * (guards, pipes, the handler, the error filter) runs inside the store. A Nest
 * interceptor did this before, but it put rxjs on every request's path.
 */
export function withRequestMeta(request: FastifyRequest, next: () => void): void {
  storage.run(request, next);
}
