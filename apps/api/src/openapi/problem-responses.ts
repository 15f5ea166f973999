import type { OpenAPIObject, OperationObject, ResponseObject } from '@nestjs/swagger';
import { PROBLEM_REF, PROBLEM_SCHEMAS, PROBLEM_STATUSES } from '@app/common';

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
const header = (name: string) => ({ $ref: `#/components/headers/${name}` });

/** Response headers, defined once and referenced by every response that carries them. */
const HEADERS = {
  'X-Request-Id': {
    description: 'The request id (an incoming valid one is echoed); quote it when reporting a problem.',
    schema: { type: 'string', maxLength: 128 },
  },
  'X-RateLimit-Limit': {
    description:
      'Requests allowed per minute by the tightest budget of the request. The same budget is also sent in the IETF draft ' +
      'form: `RateLimit: "<name>";r=<remaining>;t=<seconds to reset>`.',
    schema: { type: 'integer', format: 'int32', minimum: 0, maximum: 100000000 },
  },
  'X-RateLimit-Remaining': {
    description: 'Requests left in the current window.',
    schema: { type: 'integer', format: 'int32', minimum: 0, maximum: 100000000 },
  },
  'X-RateLimit-Reset': {
    description: 'Unix time (seconds) at which the window has room again.',
    schema: { type: 'integer', format: 'int64', minimum: 0, maximum: 99999999999 },
  },
  'RateLimit-Policy': {
    description: 'IETF draft form of the budget: `"<name>";q=<limit>;w=60`.',
    schema: { type: 'string', maxLength: 100 },
  },
  'Access-Control-Allow-Origin': {
    description: 'Present when the request has an `Origin` that `CORS_ORIGINS` allows.',
    schema: { type: 'string', maxLength: 2048 },
  },
  'Retry-After': {
    description: 'Seconds to wait before retrying.',
    schema: { type: 'integer', format: 'int32', minimum: 0, maximum: 86400 },
  },
};
// `RateLimit` (the IETF draft's other header) is sent too but described under X-RateLimit-Limit:
// OWASP's lint wants exactly one family documented.
const RATE_LIMIT_HEADERS = ['X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset', 'RateLimit-Policy'];

/**
 * Completes every operation's responses from what the pipeline around it does:
 * validation (400) wherever there is input, 404 wherever a path names a resource,
 * 413 wherever there is a body, 500 and 503 everywhere the database is reached.
 * Decorators declared the rest (401/403/429 by @Authenticated and
 * @BruteForceLimited, 409 by @ApiConflict). Each problem response gets the one
 * problem schema; rate-limited operations' 2xx and 4xx responses get the
 * limit headers, and every response gets X-Request-Id.
 */
export function completeResponses(document: OpenAPIObject): OpenAPIObject {
  document.components ??= {};
  document.components.headers = { ...(document.components.headers ?? {}), ...HEADERS };
  document.components.schemas = { ...(document.components.schemas ?? {}), ...PROBLEM_SCHEMAS };
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (op) completeOperation(path, op);
    }
  }
  return document;
}

function completeOperation(path: string, op: OperationObject): void {
  // A public operation says so (`security: []`) rather than leaving readers to guess.
  op.security ??= [];
  const params = (op.parameters ?? []).filter((p) => 'in' in p);
  const statuses = new Set(Object.keys(op.responses).map(Number));
  // Every route refuses a malformed URL (bad percent-encoding, say) with a 400, input or not.
  statuses.add(400);
  if (params.some((p) => 'in' in p && p.in === 'path')) statuses.add(404);
  if (op.requestBody) statuses.add(413);
  statuses.add(500);
  // Liveness answers from the process alone; everything else may need the database.
  if (path !== '/health/live') statuses.add(503);
  const limited = statuses.has(429);
  for (const status of [...statuses].sort()) {
    const response = (op.responses[status] ?? { description: PROBLEM_STATUSES[status] }) as ResponseObject;
    if (status >= 400 && !response.content) {
      response.description = response.description || PROBLEM_STATUSES[status];
      response.content = { 'application/problem+json': { schema: PROBLEM_REF } };
    }
    const headers: Record<string, unknown> = {
      ...(response.headers ?? {}),
      'X-Request-Id': header('X-Request-Id'),
      'Access-Control-Allow-Origin': header('Access-Control-Allow-Origin'),
    };
    if (limited && status < 500) for (const name of RATE_LIMIT_HEADERS) headers[name] = header(name);
    if (status === 429 || status === 503) headers['Retry-After'] = header('Retry-After');
    response.headers = headers as ResponseObject['headers'];
    op.responses[status] = response;
  }
  op.responses = Object.fromEntries(Object.entries(op.responses).sort(([a], [b]) => a.localeCompare(b)));
}
