import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiProblems } from './api-problems';

export const BRUTE_FORCE = 'portico:brute-force';

export interface BruteForceOptions {
  /** Also limit per value of this body field (login: per email). */
  perBodyField?: string;
}

/**
 * Marks an unauthenticated endpoint that guesses could be run against (login,
 * signup, token exchange): limited per client address, before any work is done.
 */
export const BruteForceLimited = (options: BruteForceOptions = {}) =>
  applyDecorators(SetMetadata(BRUTE_FORCE, options), ApiProblems(429));
