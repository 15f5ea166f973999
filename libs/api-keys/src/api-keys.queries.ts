import { statement } from '@app/database';
import type { ApiKeyRow } from './api-key-state';

/** Every statement of the api-keys lib. Lists travel as JSON and become text[] in SQL. */

const COLUMNS = `space_id, id, secret_hash, generation, label, description, is_admin, collection_permissions, scopes,
  allowed_ips, rate_limit_per_minute, last4, expires_at, last_used_at, created_by_type, created_by_id, created_at`;

/** The cache's load: by id alone, since a key names its space only after it is found. */
export const keyById = statement<{ id: string }, ApiKeyRow>(
  'key-by-id',
  `select ${COLUMNS} from api_keys where id = :id`,
);

export const keyInSpace = statement<{ spaceId: string; id: string }, ApiKeyRow>(
  'key-in-space',
  `select ${COLUMNS} from api_keys where space_id = :spaceId and id = :id`,
);

/** The row every change holds while it decides: a concurrent change of the same key waits. */
export const lockKeyInSpace = statement<{ spaceId: string; id: string }, ApiKeyRow>(
  'lock-key-in-space',
  `select ${COLUMNS} from api_keys where space_id = :spaceId and id = :id for update`,
);

export const keysOfSpace = statement<{ spaceId: string; after: string | null; limit: number }, ApiKeyRow>(
  'keys-of-space',
  `select ${COLUMNS} from api_keys
    where space_id = :spaceId and (:after::uuid is null or id > :after::uuid)
    order by id limit :limit`,
);

export interface NewKey {
  spaceId: string;
  id: string;
  secretHash: Buffer;
  label: string;
  description: string | null;
  isAdmin: boolean;
  permissionsJson: string;
  scopesJson: string;
  allowedIpsJson: string;
  rateLimitPerMinute: number | null;
  last4: string;
  expiresAt: Date | null;
  createdByType: 'user' | 'api_key';
  createdById: string;
}

export const insertKey = statement<NewKey, ApiKeyRow>(
  'insert-key',
  `insert into api_keys (space_id, id, secret_hash, label, description, is_admin, collection_permissions, scopes,
     allowed_ips, rate_limit_per_minute, last4, expires_at, created_by_type, created_by_id)
   values (:spaceId, :id, :secretHash, :label, :description, :isAdmin, cast(:permissionsJson as jsonb),
     array(select jsonb_array_elements_text(cast(:scopesJson as jsonb))),
     array(select jsonb_array_elements_text(cast(:allowedIpsJson as jsonb))),
     :rateLimitPerMinute, :last4, :expiresAt, :createdByType, :createdById)
   returning ${COLUMNS}`,
);

/** A PATCH: null leaves label, is_admin and permissions as they are; the `set…` flags say which nullable members were sent. */
export interface KeyChanges {
  spaceId: string;
  id: string;
  label: string | null;
  setDescription: boolean;
  description: string | null;
  isAdmin: boolean | null;
  permissionsJson: string | null;
  setScopes: boolean;
  scopesJson: string;
  setAllowedIps: boolean;
  allowedIpsJson: string;
  setRateLimit: boolean;
  rateLimitPerMinute: number | null;
}

export const updateKey = statement<KeyChanges, ApiKeyRow>(
  'update-key',
  `update api_keys set
     label = coalesce(:label, label),
     description = case when :setDescription then :description else description end,
     is_admin = coalesce(:isAdmin, is_admin),
     collection_permissions = coalesce(cast(:permissionsJson as jsonb), collection_permissions),
     scopes = case when :setScopes then array(select jsonb_array_elements_text(cast(:scopesJson as jsonb))) else scopes end,
     allowed_ips = case when :setAllowedIps
       then array(select jsonb_array_elements_text(cast(:allowedIpsJson as jsonb))) else allowed_ips end,
     rate_limit_per_minute = case when :setRateLimit then :rateLimitPerMinute else rate_limit_per_minute end,
     updated_at = now()
   where space_id = :spaceId and id = :id
   returning ${COLUMNS}`,
);

export const regenerateKey = statement<{ spaceId: string; id: string; secretHash: Buffer; last4: string }, ApiKeyRow>(
  'regenerate-key',
  `update api_keys set secret_hash = :secretHash, last4 = :last4, generation = generation + 1, updated_at = now()
    where space_id = :spaceId and id = :id
    returning ${COLUMNS}`,
);

export const deleteKey = statement<{ spaceId: string; id: string }>(
  'delete-key',
  'delete from api_keys where space_id = :spaceId and id = :id',
);

/** Sent inside the changing transaction: delivered to other instances when it commits. */
export const notifyKeyChanged = statement<{ channel: string; id: string }>(
  'notify-key-changed',
  'select pg_notify(:channel, :id)',
);

/**
 * Records a batch of key uses: `batchJson` is `[{ id, at, ip, user_agent, request_id }]`.
 * Keys never used before and keys used before are updated apart: the first group's
 * rows feed `api_key.first_use` entries. If another instance records the first use
 * meanwhile, the re-checked `last_used_at is null` drops the row here, so it is recorded once.
 */
export const recordKeyUses = statement<{ batchJson: string }>(
  'record-key-uses',
  `/* background */ with v as (
     select * from jsonb_to_recordset(cast(:batchJson as jsonb))
       as v(id uuid, at timestamptz, ip text, user_agent text, request_id text)),
   first as (update api_keys k set last_used_at = v.at from v where k.id = v.id and k.last_used_at is null
             returning k.space_id, k.id, k.label, v.ip, v.user_agent, v.request_id),
   later as (update api_keys k set last_used_at = v.at from v
              where k.id = v.id and k.last_used_at is not null returning 1),
   audit as (
     insert into audit_logs (space_id, actor_type, actor_id, actor_label, action, outcome, resource_type, resource_id,
       ip, user_agent, request_id)
     select space_id, 'api_key', id::text, label, 'api_key.first_use', 'success', 'api_key', id::text,
       ip, user_agent, request_id from first returning 1)
   select (select count(*) from audit) as first_uses, (select count(*) from later) as later_uses`,
);
