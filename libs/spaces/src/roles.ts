import type { Role } from '@app/common';

/** Everything a principal may try to do within a space. */
export const SPACE_ACTIONS = [
  'space.read',
  'space.rename',
  'space.delete',
  'members.read',
  'members.manage',
  'owners.manage',
  'records.read',
  'records.write',
  'records.delete',
  'collections.manage',
  'keys.manage',
  'audit.read',
] as const;
export type SpaceAction = (typeof SPACE_ACTIONS)[number];

const RANK: Record<Role, number> = { viewer: 0, editor: 1, admin: 2, owner: 3 };

/** The least role that may perform each action (the contract's "owner > admin > editor > viewer"). */
const LEAST_ROLE: Record<SpaceAction, Role> = {
  'space.read': 'viewer',
  'records.read': 'viewer',
  'records.write': 'editor',
  'records.delete': 'editor',
  'collections.manage': 'admin',
  'keys.manage': 'admin',
  'members.read': 'admin',
  'members.manage': 'admin',
  'audit.read': 'admin',
  'space.rename': 'owner',
  'space.delete': 'owner',
  'owners.manage': 'owner',
};

export function roleAllows(role: Role, action: SpaceAction): boolean {
  return RANK[role] >= RANK[LEAST_ROLE[action]];
}

/** The OAuth scope an app needs for each action; actions without one are for people only. */
const APP_SCOPE: Partial<Record<SpaceAction, string>> = {
  'records.read': 'records:read',
  'records.write': 'records:write',
  'records.delete': 'records:delete',
  'collections.manage': 'collections:admin',
  'keys.manage': 'keys:admin',
  'audit.read': 'audit:read',
};

/**
 * Whether a user's principal may do `action` as far as an OAuth app it acts through is
 * concerned (true when it acts for itself). `space.read` needs no scope: any grant
 * reaches its space.
 */
export function appAllows(principal: { app?: { scopes: readonly string[] } }, action: SpaceAction): boolean {
  if (!principal.app) return true;
  if (action === 'space.read') return true;
  const scope = APP_SCOPE[action];
  return scope !== undefined && principal.app.scopes.includes(scope);
}

export function outranks(a: Role, b: Role): boolean {
  return RANK[a] > RANK[b];
}

/**
 * What an API key may do at space level (collection-level rights come from its
 * grants). Member and owner management, renaming and deleting the space are for
 * people only.
 */
export function keyAllows(key: { isAdmin: boolean; scopes: readonly string[] }, action: SpaceAction): boolean {
  switch (action) {
    case 'space.read':
    case 'records.read':
    case 'records.write':
    case 'records.delete':
      return true; // narrowed per collection by the key's grants
    case 'collections.manage':
      return key.isAdmin || key.scopes.includes('collections:admin');
    case 'keys.manage':
      return key.isAdmin || key.scopes.includes('keys:admin');
    case 'audit.read':
      return key.isAdmin || key.scopes.includes('audit:read');
    default:
      return false;
  }
}
