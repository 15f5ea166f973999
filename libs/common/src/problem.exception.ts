import { HttpException } from '@nestjs/common';
import type { FieldError } from './problem';

export interface ProblemInit {
  /** Short machine-friendly slug, e.g. `validation-error`; becomes the type URI. */
  type?: string;
  title?: string;
  detail?: string;
  errors?: FieldError[];
  /** Extra members (RFC 9457 extensions), e.g. `{ checks }`. */
  extensions?: Record<string, unknown>;
  headers?: Record<string, string>;
}

/** An error that already knows its problem-details shape. */
export class ProblemException extends HttpException {
  constructor(
    status: number,
    readonly problem: ProblemInit = {},
  ) {
    super(problem.detail ?? problem.title ?? 'Error', status);
  }
}

export const badRequest = (detail: string, errors?: FieldError[], type = 'bad-request') =>
  new ProblemException(400, { type, detail, errors });
export const unauthorized = (detail = 'A valid credential is required.') =>
  new ProblemException(401, { type: 'unauthorized', detail, headers: { 'WWW-Authenticate': 'Bearer' } });
export const forbidden = (detail: string) => new ProblemException(403, { type: 'forbidden', detail });
export const notFound = (detail = 'The resource does not exist.') =>
  new ProblemException(404, { type: 'not-found', detail });
export const conflict = (detail: string, errors?: FieldError[]) =>
  new ProblemException(409, { type: 'conflict', detail, errors });
