import type { BlockList } from 'node:net';
import type { ApiKeyPrincipal } from '@app/common';
import { compileAllowlist } from './ip-allowlist';
import { CollectionPermissions, toGrants } from './permissions';

/** A row of api_keys as selected. */
export interface ApiKeyRow {
  space_id: string;
  id: string;
  secret_hash: Buffer;
  generation: number;
  label: string;
  description: string | null;
  is_admin: boolean;
  collection_permissions: CollectionPermissions;
  scopes: string[];
  allowed_ips: string[];
  rate_limit_per_minute: number | null;
  last4: string;
  expires_at: Date | null;
  last_used_at: Date | null;
  created_by_type: 'user' | 'api_key';
  created_by_id: string;
  created_at: Date;
}

/** What verification needs of a key, precomputed once per cache load. */
export interface ApiKeyState {
  id: string;
  spaceId: string;
  secretHash: Buffer;
  generation: number;
  expiresAt: number | null;
  allowlist: BlockList | null;
  rateLimitPerMinute: number | null;
  principal: ApiKeyPrincipal;
}

export function toState(row: ApiKeyRow): ApiKeyState {
  const expiresAt = row.expires_at ? new Date(row.expires_at) : null;
  return {
    id: row.id,
    spaceId: row.space_id,
    secretHash: Buffer.from(row.secret_hash),
    generation: row.generation,
    expiresAt: expiresAt?.getTime() ?? null,
    allowlist: compileAllowlist(row.allowed_ips),
    rateLimitPerMinute: row.rate_limit_per_minute,
    principal: {
      kind: 'api_key',
      id: row.id,
      label: row.label,
      spaceId: row.space_id,
      isAdmin: row.is_admin,
      scopes: row.scopes,
      grants: toGrants(row.collection_permissions),
      collectionPermissions: row.collection_permissions,
      rateLimitPerMinute: row.rate_limit_per_minute,
      expiresAt,
    },
  };
}
