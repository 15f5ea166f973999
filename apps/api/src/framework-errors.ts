import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PROBLEM_CONTENT_TYPE, problemType, ProblemException, sendProblem, statusTitle } from '@app/common';

/**
 * Errors Fastify and Node answer themselves, before any hook runs, made into problem
 * bodies with nothing internal in them (no echoed URL, no FST_ codes).
 */

/** The router's own rejections (malformed URL, over-long parameter): passed as Fastify's `frameworkErrors`. */
export function frameworkErrors(headersFor: (request: FastifyRequest) => Readonly<Record<string, string>>) {
  return (error: Error, request: FastifyRequest, reply: FastifyReply) => {
    reply.headers(headersFor(request));
    reply.header('x-request-id', request.id);
    sendProblem(error, request, reply);
  };
}

const CLIENT_ERRORS: Record<string, { status: number; detail: string }> = {
  HPE_HEADER_OVERFLOW: { status: 431, detail: 'The request headers are too large.' },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, detail: 'The request was not received in time.' },
};

/**
 * Node's HTTP parser rejections (oversized headers, malformed framing or chunked
 * encoding, timeouts): passed as Fastify's `clientErrorHandler`. There is no request
 * object yet, so the answer is written to the socket and the connection closed.
 */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const known = (err.code && CLIENT_ERRORS[err.code]) || { status: 400, detail: 'The request is malformed.' };
  const body = JSON.stringify({
    type: problemType(known.status === 400 ? 'bad-request' : undefined),
    title: statusTitle(known.status),
    status: known.status,
    detail: known.detail,
    request_id: randomUUID(),
  });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${known.status} ${statusTitle(known.status)}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroySoon();
}

/**
 * During the shutdown drain, new requests get a 503 problem with Retry-After and
 * Connection: close, so clients and load balancers move on; requests already in
 * flight finish. Replaces Fastify's `return503OnClosing`, whose body is plain JSON.
 */
export function drainGate(fastify: FastifyInstance): (request: FastifyRequest, reply: FastifyReply) => boolean {
  let draining = false;
  fastify.addHook('preClose', (done) => {
    draining = true;
    done();
  });
  return (request, reply) => {
    if (!draining) return false;
    reply.header('connection', 'close');
    sendProblem(
      new ProblemException(503, {
        type: 'shutting-down',
        detail: 'The server is restarting; retry on another connection.',
        headers: { 'Retry-After': '1' },
      }),
      request,
      reply,
    );
    return true;
  };
}
