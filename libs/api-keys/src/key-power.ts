import { ApiKeyPrincipal, CollectionGrant, forbidden, grantFor, Principal } from '@app/common';
import type { ApiKeyRow } from './api-key-state';
import { grantWithin, toGrants } from './permissions';

export interface DesiredPower {
  isAdmin: boolean;
  scopes: readonly string[];
  grants: ReadonlyMap<string, CollectionGrant>;
  rateLimitPerMinute: number | null;
}

/**
 * Nobody mints a key more powerful than themselves. Space admins and owners (and
 * admin keys) hold everything in the space; a key with `keys:admin` may only hand
 * out what it holds itself.
 */
export function assertWithinPower(creator: Principal, desired: DesiredPower, acting = false): void {
  if (creator.kind === 'user' || creator.isAdmin) return;
  const key: ApiKeyPrincipal = creator;
  const excess: string[] = [];
  if (desired.isAdmin) excess.push('is_admin');
  for (const scope of desired.scopes) if (!key.scopes.includes(scope)) excess.push(`scopes: ${scope}`);
  for (const [collection, grant] of desired.grants) {
    const own = collection === '*' ? key.grants.get('*') : grantFor(key.grants, collection);
    if (!grantWithin(grant, own)) excess.push(`collection_permissions.${collection}`);
  }
  const ownLimit = key.rateLimitPerMinute;
  if (ownLimit !== null && (desired.rateLimitPerMinute === null || desired.rateLimitPerMinute > ownLimit)) {
    excess.push('rate_limit_per_minute');
  }
  if (!excess.length) return;
  throw forbidden(
    acting
      ? `A key cannot act on a key more powerful than itself; the target holds: ${excess.join(', ')}.`
      : `A key cannot grant more than it holds: ${excess.join(', ')}.`,
  );
}

/** The power a stored key holds, to check that a caller may act on it at all. */
export function powerOf(row: ApiKeyRow): DesiredPower {
  return {
    isAdmin: row.is_admin,
    scopes: row.scopes,
    grants: toGrants(row.collection_permissions),
    rateLimitPerMinute: row.rate_limit_per_minute,
  };
}
