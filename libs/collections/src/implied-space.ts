import { badRequest, Principal } from '@app/common';

/** `/api/collections/…` routes take the space from the API key (ekoDB, Jelou); users name it in the path. */
export function impliedSpace(principal: Principal, spaceId: string | undefined): string {
  if (spaceId) return spaceId;
  if (principal.kind !== 'api_key') {
    throw badRequest(
      'This path takes the space from an API key; users should call /api/spaces/{space_id}/collections/…',
    );
  }
  return principal.spaceId;
}
