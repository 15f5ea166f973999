import type { ApiKeyPrincipal, UserPrincipal } from '@app/common';

/** Principals for unit specs of the rules that read them; an e2e test gets real ones by signing up. */
export const userPrincipal = (overrides: Partial<UserPrincipal> = {}): UserPrincipal => ({
  kind: 'user',
  id: 'u1',
  email: 'a@b.c',
  name: null,
  isPlatformAdmin: false,
  ...overrides,
});

export const apiKeyPrincipal = (overrides: Partial<ApiKeyPrincipal> = {}): ApiKeyPrincipal => ({
  kind: 'api_key',
  id: 'k1',
  label: 'k',
  spaceId: 's1',
  isAdmin: false,
  scopes: [],
  grants: new Map(),
  collectionPermissions: {},
  rateLimitPerMinute: null,
  expiresAt: null,
  ...overrides,
});
