import type { FastifyRequest } from 'fastify';
import type { ProblemDetails } from './problem';

/**
 * Told of every error answer before it is sent (the audit log records denials,
 * failed changes and rate-limit rejections through it). Provided by the audit lib.
 */
export interface ProblemObserver {
  observe(request: FastifyRequest, problem: ProblemDetails): Promise<void> | void;
}
export const PROBLEM_OBSERVER = Symbol('PROBLEM_OBSERVER');

/**
 * "May this principal do `action` in space S": answered by the spaces lib, asked by
 * libs the spaces lib itself depends on (the audit log), so neither imports the other's door.
 */
export interface SpaceAuthorizer {
  authorize(principal: import('./principal').Principal, spaceId: string, action: string): Promise<unknown>;
}
export const SPACE_AUTHORIZER = Symbol('SPACE_AUTHORIZER');
