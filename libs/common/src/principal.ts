export const ROLES = ['owner', 'admin', 'editor', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export const COLLECTION_ACTIONS = ['read', 'write', 'delete', 'admin'] as const;
export type CollectionAction = (typeof COLLECTION_ACTIONS)[number];

/** One collection's grant for an API key, normalised from the list or object form. */
export interface CollectionGrant {
  actions: ReadonlySet<CollectionAction>;
  selectFields?: readonly string[];
  excludeFields?: readonly string[];
  writableFields?: readonly string[];
}

/** The grant that applies to `collection`: its own entry, else `*`. */
export function grantFor(
  grants: ReadonlyMap<string, CollectionGrant>,
  collection: string,
): CollectionGrant | undefined {
  return grants.get(collection) ?? grants.get('*');
}

export interface UserPrincipal {
  kind: 'user';
  id: string;
  email: string;
  name: string | null;
  isPlatformAdmin: boolean;
  /** Set when the user acts through an OAuth app: one space, the granted scopes, the role it has now. */
  app?: AppGrant;
}

/** What an OAuth access token lets an app do for its user (API.md: role ∩ scopes, in one space). */
export interface AppGrant {
  clientId: string;
  clientName: string;
  authorizationId: string;
  spaceId: string;
  scopes: readonly string[];
  /** The user's role in the space, read on every request: a demotion takes effect at once. */
  role: Role;
}

export interface ApiKeyPrincipal {
  kind: 'api_key';
  id: string;
  label: string;
  spaceId: string;
  isAdmin: boolean;
  scopes: readonly string[];
  /** By collection name; `*` applies to every collection. */
  grants: ReadonlyMap<string, CollectionGrant>;
  /** The permissions as the key's owner wrote them (list or object form), for display. */
  collectionPermissions: Readonly<Record<string, unknown>>;
  /** The key's own cap, below its space's tier budget; null for none. */
  rateLimitPerMinute: number | null;
  expiresAt: Date | null;
}

/** Who is calling: the one authenticated identity a request carries. */
export type Principal = UserPrincipal | ApiKeyPrincipal;
