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
