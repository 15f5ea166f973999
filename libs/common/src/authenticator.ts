import type { FastifyRequest } from 'fastify';
import type { Principal } from './principal';

/**
 * Turns a request's credential into a principal. Returns null when the request
 * carries no credential at all; throws 401/400 when it carries a bad one (a bad
 * credential is never treated as anonymous). Provided by the auth lib.
 */
export interface Authenticator {
  /** `bodyCredential`: a credential the route takes from its body (ekoDB's register). */
  authenticate(request: FastifyRequest, bodyCredential?: string): Promise<Principal | null>;
}

export const AUTHENTICATOR = Symbol('AUTHENTICATOR');
