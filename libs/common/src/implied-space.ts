import type { Principal } from './principal';
import { badRequest } from './problem.exception';

/**
 * Routes without a space in their path (`/api/collections/…`, the ekoDB key routes) take
 * the space from the presenting API key; users name it in the path of `userRoute`.
 */
export function impliedSpace(principal: Principal, spaceId: string | undefined, userRoute: string): string {
  if (spaceId) return spaceId;
  if (principal.kind !== 'api_key') {
    throw badRequest(`This path takes the space from an API key; users should call ${userRoute}.`);
  }
  return principal.spaceId;
}
