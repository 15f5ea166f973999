import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';

/**
 * RFC 9457 problem details: the body of every error response (`application/problem+json`),
 * as JSON Schema components. One definition for every document the API serves: the main
 * one and each space's.
 */
export const PROBLEM_SCHEMAS = {
  FieldErrorDto: {
    type: 'object',
    properties: {
      field: { type: 'string', maxLength: 200, example: 'email' },
      message: { type: 'string', maxLength: 1000, example: 'email must be an email' },
    },
    required: ['field', 'message'],
  },
  ProblemDto: {
    type: 'object',
    properties: {
      type: {
        type: 'string',
        format: 'uri',
        maxLength: 200,
        example: 'urn:portico:problem:validation',
        description: 'A URI naming the kind of problem; `about:blank` when the status says it all.',
      },
      title: { type: 'string', maxLength: 200, example: 'Bad Request' },
      status: { type: 'integer', format: 'int32', minimum: 400, maximum: 599, example: 400 },
      detail: { type: 'string', maxLength: 2000, example: 'The request body is invalid.' },
      instance: { type: 'string', maxLength: 2048, example: '/api/spaces/0190b7a4-1234-7abc-8def-0123456789ab' },
      request_id: {
        type: 'string',
        maxLength: 128,
        example: '0190b7a4-1234-7abc-8def-0123456789ab',
        description: 'Also in the `X-Request-Id` header.',
      },
      errors: {
        maxItems: 1000,
        description: 'Per-field errors of a 400.',
        type: 'array',
        items: { $ref: '#/components/schemas/FieldErrorDto' },
      },
    },
    required: ['type', 'title', 'status', 'request_id'],
  },
};

export const PROBLEM_REF = { $ref: '#/components/schemas/ProblemDto' };

/** What each error status means on this API (the descriptions of the documented responses). */
export const PROBLEM_STATUSES: Record<number, string> = {
  400: 'Malformed or invalid input; `errors` lists each invalid field.',
  401: 'No credential, or one that is not valid.',
  403: 'A valid credential without the permission.',
  404: 'Not found, or in another space.',
  409: 'Conflicts with the current state (a duplicate unique value, a rule that protects the data).',
  413: 'The body is larger than the limit.',
  429: 'A rate limit is used up; retry after `Retry-After` seconds.',
  500: 'An unexpected error (the body never holds internals; quote `request_id`).',
  503: 'A dependency (database, Redis) is unavailable; retry later.',
};

/** Documents problem responses; the OpenAPI builder gives each the problem schema and its headers. */
export function ApiProblems(...statuses: number[]) {
  return applyDecorators(...statuses.map((status) => ApiResponse({ status, description: PROBLEM_STATUSES[status] })));
}

/** A 409 with what conflicts on this route. */
export const ApiConflict = (description: string) => ApiResponse({ status: 409, description });
