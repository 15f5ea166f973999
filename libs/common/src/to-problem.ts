import { HttpException } from '@nestjs/common';
import { NotFoundError, UniqueConstraintViolationException, ForeignKeyConstraintViolationException } from '@mikro-orm/core';
import { ProblemException } from './problem.exception';
import { ProblemDetails, problemType, statusTitle } from './problem';

export interface ProblemResult {
  problem: ProblemDetails;
  headers?: Record<string, string>;
}

/** Fastify's own client errors (raised before a route handler runs), by code. */
const FASTIFY_ERRORS: Record<string, { status: number; type: string; detail: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, type: 'malformed-json', detail: 'The request body is not valid JSON.' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, type: 'malformed-json', detail: 'The request body is empty but declared as JSON.' },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, type: 'payload-too-large', detail: 'The request body exceeds the size limit.' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, type: 'unsupported-media-type', detail: 'The request body must be application/json.' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, type: 'bad-request', detail: 'Content-Length does not match the body.' },
  FST_ERR_CTP_INVALID_TYPE: { status: 400, type: 'bad-request', detail: 'Content-Type header is invalid.' },
  FST_ERR_BAD_URL: { status: 400, type: 'bad-request', detail: 'The URL is malformed.' },
};

function base(status: number, requestId: string, type?: string, title?: string, detail?: string): ProblemDetails {
  return {
    type: problemType(type),
    title: title ?? statusTitle(status),
    status,
    ...(detail ? { detail } : {}),
    request_id: requestId,
  };
}

/**
 * Maps any thrown value to a problem body. The single place where exceptions
 * become HTTP answers: 4xx carry a safe detail, 5xx carry nothing internal.
 */
export function toProblem(error: unknown, requestId: string): ProblemResult {
  if (error instanceof ProblemException) {
    const p = error.problem;
    const problem = base(error.getStatus(), requestId, p.type, p.title, p.detail);
    if (p.errors?.length) problem.errors = p.errors;
    Object.assign(problem, p.extensions);
    return { problem, headers: p.headers };
  }
  // Nest wraps Fastify's own client errors (body parsing, limits) in an HttpException with the original as cause.
  const fastifyCode = (error as { cause?: { code?: string }; code?: string } | null)?.cause?.code ?? (error as { code?: string } | null)?.code;
  const known = fastifyCode ? FASTIFY_ERRORS[fastifyCode] : undefined;
  if (known) return { problem: base(known.status, requestId, known.type, undefined, known.detail) };
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const body = error.getResponse();
    const message = typeof body === 'string' ? body : (body as { message?: unknown }).message;
    const detail = status < 500 && typeof message === 'string' ? message : undefined;
    const type = status === 404 ? 'not-found' : undefined;
    return { problem: base(status, requestId, type, undefined, detail) };
  }
  if (error instanceof NotFoundError) {
    return { problem: base(404, requestId, 'not-found', undefined, 'The resource does not exist.') };
  }
  if (error instanceof UniqueConstraintViolationException) {
    return { problem: base(409, requestId, 'conflict', undefined, 'A resource with the same unique value already exists.') };
  }
  if (error instanceof ForeignKeyConstraintViolationException) {
    return { problem: base(409, requestId, 'conflict', undefined, 'The change conflicts with a related resource.') };
  }
  const e = error as { statusCode?: number } | null;
  if (e?.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
    return { problem: base(e.statusCode, requestId) };
  }
  return { problem: base(500, requestId, undefined, 'Internal Server Error', 'An unexpected error occurred.') };
}
