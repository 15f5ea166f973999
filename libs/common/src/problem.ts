import { STATUS_CODES } from 'node:http';

export interface FieldError {
  field: string;
  message: string;
}

/** RFC 9457 problem details, as every error of the API is answered. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  request_id: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

/** Stable problem type URIs; `about:blank` when the status says it all. */
export function problemType(slug?: string): string {
  return slug ? `urn:portico:problem:${slug}` : 'about:blank';
}

export function statusTitle(status: number): string {
  return STATUS_CODES[status] ?? 'Error';
}
