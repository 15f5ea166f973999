import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PROBLEM_CONTENT_TYPE } from './problem';
import { toProblem } from './to-problem';

const logger = new Logger('Exceptions');

/** Writes a problem body for errors raised inside Nest (guards, pipes, handlers). */
export function sendProblem(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const { problem, headers } = toProblem(error, String(request.id));
  // Only the unexpected is worth a stack trace; deliberate 503s and the like are not.
  if (problem.status >= 500 && !(error instanceof HttpException)) {
    logger.error({ err: error, request_id: request.id, msg: 'request failed' });
  }
  if (headers) reply.headers(headers);
  reply.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(problem);
}

@Catch()
export class ProblemFilter implements ExceptionFilter {
  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    sendProblem(error, http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>());
  }
}
