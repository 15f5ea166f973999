import { HttpException } from '@nestjs/common';
import {
  DriverException,
  NotFoundError,
  UniqueConstraintViolationException,
  ForeignKeyConstraintViolationException,
} from '@mikro-orm/core';
import { ProblemException } from './problem.exception';
import { ProblemDetails, problemType, statusTitle } from './problem';

export interface ProblemResult {
  problem: ProblemDetails;
  headers?: Record<string, string>;
}

/** Fastify's own client errors (raised before a route handler runs), by code. */
const FASTIFY_ERRORS: Record<string, { status: number; type: string; detail: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, type: 'malformed-json', detail: 'The request body is not valid JSON.' },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    status: 400,
    type: 'malformed-json',
    detail: 'The request body is empty but declared as JSON.',
  },
  FST_ERR_CTP_BODY_TOO_LARGE: {
    status: 413,
    type: 'payload-too-large',
    detail: 'The request body exceeds the size limit.',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    type: 'unsupported-media-type',
    detail: 'The request body must be application/json.',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    status: 400,
    type: 'bad-request',
    detail: 'Content-Length does not match the body.',
  },
  FST_ERR_CTP_INVALID_TYPE: { status: 400, type: 'bad-request', detail: 'Content-Type header is invalid.' },
  FST_ERR_BAD_URL: { status: 400, type: 'bad-request', detail: 'The URL is malformed.' },
  FST_ERR_MAX_PARAM_LENGTH: { status: 414, type: 'uri-too-long', detail: 'A path segment of the URL is too long.' },
  FST_ERR_ASYNC_CONSTRAINT: { status: 400, type: 'bad-request', detail: 'The request cannot be routed.' },
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
  const fastifyCode =
    (error as { cause?: { code?: string }; code?: string } | null)?.cause?.code ??
    (error as { code?: string } | null)?.code;
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
    return {
      problem: base(409, requestId, 'conflict', undefined, 'A resource with the same unique value already exists.'),
    };
  }
  if (error instanceof ForeignKeyConstraintViolationException) {
    return { problem: base(409, requestId, 'conflict', undefined, 'The change conflicts with a related resource.') };
  }
  if (error instanceof DriverException || isPgError(error) || isConnectionFailure(error)) {
    const mapped = databaseProblem(error as DriverException, requestId);
    if (mapped) return mapped;
  }
  const e = error as { statusCode?: number } | null;
  if (e?.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
    return { problem: base(e.statusCode, requestId) };
  }
  return { problem: base(500, requestId, undefined, 'Internal Server Error', 'An unexpected error occurred.') };
}

/** Retry-After for an unavailable database, in seconds: long enough for a failover or a restart to be noticed. */
const DATABASE_RETRY_AFTER = '5';

/**
 * Database errors that are not a bug of ours: the caller's values (SQLSTATE class 22,
 * NOT NULL), contention that outlived its retries (serialization failures, deadlocks,
 * lock and statement timeouts), and an unavailable server (no connection, a dropped
 * one, a timeout). Anything else stays a 500.
 */
function databaseProblem(error: DriverException, requestId: string): ProblemResult | undefined {
  const code = error.code ?? (error.cause as { code?: string } | undefined)?.code;
  const sqlState = typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
  if (sqlState?.startsWith('22') || sqlState === '23502') {
    return { problem: base(400, requestId, 'invalid-value', undefined, 'A value is not valid for its field.') };
  }
  if (sqlState === '40001' || sqlState === '40P01' || sqlState === '55P03' || sqlState === '57014') {
    return {
      problem: base(503, requestId, 'busy', undefined, 'The database is busy with conflicting work; retry shortly.'),
      headers: { 'Retry-After': '1' },
    };
  }
  if (!sqlState || /^(08|53|57|58)/.test(sqlState)) {
    return {
      problem: base(503, requestId, DATABASE_UNAVAILABLE, undefined, 'The database is unavailable; retry shortly.'),
      headers: { 'Retry-After': DATABASE_RETRY_AFTER },
    };
  }
  return undefined;
}

/**
 * pg-protocol's DatabaseError, raised outside MikroORM's wrapping (while connecting, or
 * a server shutting down: 57P01). Recognised by shape: its `name` is the protocol
 * message's ('error'), not the class's, and it carries a SQLSTATE and a severity.
 */
const isPgError = (e: unknown): boolean =>
  errorLike(e) &&
  typeof e.code === 'string' &&
  /^[0-9A-Z]{5}$/.test(e.code) &&
  typeof (e as { severity?: unknown }).severity === 'string';

/** Not `instanceof Error`: errors of Node's own modules come from another realm under jest's VM. */
const errorLike = (e: unknown): e is { name?: string; message: string; code?: unknown } =>
  typeof e === 'object' && e !== null && typeof (e as { message?: unknown }).message === 'string';

/** pg's and the runtime's ways of saying a connection could not be had or was lost. */
const CONNECTION_MESSAGE =
  /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Client was closed|query exceeded its)/;
function isConnectionFailure(e: unknown): boolean {
  if (!errorLike(e)) return false;
  const code = e.code;
  return (typeof code === 'string' && /^E[A-Z]+$/.test(code)) || CONNECTION_MESSAGE.test(e.message);
}

/** The problem type of an outage of the database, which nothing else can record either. */
export const DATABASE_UNAVAILABLE = 'database-unavailable';
