import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Injectable, Logger } from '@nestjs/common';
import type { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PROBLEM_CONTENT_TYPE } from './problem';
import { Ports, ProblemObserver } from './ports';
import { StateLog } from './state-log';
import { toProblem } from './to-problem';

const logger = new Logger('Exceptions');

/** Requests answered 503 because a dependency is down: a state in the log, not a line per request. */
const outages = new StateLog(logger, 'dependency unavailable, answering 503');

/** Routes whose errors are RFC 6749 bodies (`{ error, error_description }`) rather than problems. */
export const RFC6749_ROUTES = new Set<string>(['/oauth/token', '/oauth/revoke', '/oauth/introspect']);

/** How long a refused body may keep arriving after its 413 (nginx's lingering_timeout is 5 s). */
const LINGER_MS = 2000;

/**
 * Fastify answers a body over the limit with `Connection: close`, and Node destroys the
 * socket once that answer is written. Bytes of the body still on their way then make the
 * kernel reset the connection, and the reset can reach a client that is still writing
 * before it has read the 413 (a client fails with EPIPE instead of seeing the problem).
 * Closing instead lingers, as nginx does: our side ends after the answer, the rest of the
 * body is read and dropped, and the socket goes when the client closes, or after
 * LINGER_MS at most.
 */
function lingerBeforeClosing(socket: Socket): void {
  socket.destroySoon = function lingeringClose(this: Socket) {
    if (this.writable) this.end();
    const timer = setTimeout(() => this.destroy(), LINGER_MS);
    timer.unref();
    this.once('close', () => clearTimeout(timer));
  };
}

/** Writes a problem body for errors raised inside Nest (guards, pipes, handlers). */
export function sendProblem(
  error: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
  observer?: ProblemObserver,
): void {
  const { problem, headers } = toProblem(error, String(request.id));
  // The limit is the route's (Fastify's bodyLimit): a client that hits it learns what it is.
  const limit = request.routeOptions?.bodyLimit;
  if (problem.status === 413 && limit) problem.detail = `The request body exceeds the limit of ${limit} bytes.`;
  if (problem.status === 413 && !request.raw.complete) lingerBeforeClosing(request.raw.socket);
  request.problemType = problem.type;
  // Only the unexpected is worth a stack trace; deliberate 503s and the like are not,
  // and an outage is logged as a state, not once per request.
  if (problem.status === 503 && !(error instanceof HttpException)) outages.failed((error as Error)?.message);
  else if (problem.status >= 500 && !(error instanceof HttpException)) {
    logger.error({ err: error, request_id: request.id, msg: 'request failed' });
  }
  if (headers) reply.headers(headers);
  // OAuth endpoints answer malformed requests in RFC 6749's shape, whoever refused them.
  const oauth = problem.status === 400 && RFC6749_ROUTES.has(request.routeOptions?.url ?? '');
  const send = oauth
    ? () =>
        void reply
          .status(400)
          .header('cache-control', 'no-store')
          .type('application/json')
          .send({ error: 'invalid_request', error_description: problem.detail ?? 'The request is malformed.' })
    : () => void reply.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(problem);
  if (!observer) return send();
  // The observer (audit) finishes before the answer goes out, so a client that reads the
  // audit log after a 403 finds the entry; its own failure never changes the answer.
  Promise.resolve()
    .then(() => observer.observe(request, problem))
    .catch((err: unknown) => logger.warn(`problem observer failed: ${(err as Error).message}`))
    .finally(send);
}

@Catch()
@Injectable()
export class ProblemFilter implements ExceptionFilter {
  constructor(private readonly ports: Ports) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const observer = this.ports.find('problemObserver');
    sendProblem(error, http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>(), observer);
  }
}
