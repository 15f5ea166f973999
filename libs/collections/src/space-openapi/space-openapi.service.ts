import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { Principal } from '@app/common';
import { SpaceAccessService, SpaceAccess } from '@app/spaces';
import { CollectionAccess } from '../collection-access';
import { spaceDocument } from './space-document';
import { collectionSchemas, collectionVersions } from '../collections.queries';

const CACHE_SIZE = 256;

/**
 * Per-space OpenAPI documents, cached by (space, schema version, permission set). The
 * schema version is every collection's (name, version) pair, read in one small query,
 * so any collection created, changed or dropped makes a new key; the permission set is
 * the member's role, or the key's admin flag, scopes and grants. Two keys with the
 * same permissions share one document.
 */
@Injectable()
export class SpaceOpenApiService {
  private readonly cache = new Map<string, string>();

  constructor(
    private readonly em: EntityManager,
    private readonly spaces: SpaceAccessService,
  ) {}

  /** The document as JSON text (ready to send). */
  async document(principal: Principal, spaceId: string): Promise<{ json: string; etag: string }> {
    const space = await this.spaces.resolve(principal, spaceId);
    const versions = await collectionVersions.rows(this.em, { spaceId });
    const key = createHash('sha256')
      .update(JSON.stringify([spaceId, versions.map((v) => [v.name, v.version]), permissionSet(space)]))
      .digest('base64url');
    let json = this.cache.get(key);
    if (json === undefined) {
      json = JSON.stringify(await this.build(space, spaceId));
      if (this.cache.size >= CACHE_SIZE) this.cache.delete(this.cache.keys().next().value!);
    } else {
      this.cache.delete(key);
    }
    this.cache.set(key, json);
    return { json, etag: `"${key}"` };
  }

  private async build(space: SpaceAccess, spaceId: string): Promise<Record<string, unknown>> {
    const rows = await collectionSchemas.rows(this.em, { spaceId });
    return spaceDocument(
      spaceId,
      rows.map((r) => ({ ...r, access: CollectionAccess.resolve(space, r.name) })),
    );
  }
}

/** What decides the caller's view of the space's collections. */
function permissionSet(space: SpaceAccess): unknown {
  const p = space.principal;
  if (p.kind === 'user') return ['user', space.role ?? null];
  const grants = [...p.grants.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, g]) => [
      name,
      [...g.actions].sort(),
      g.selectFields ?? null,
      g.excludeFields ?? null,
      g.writableFields ?? null,
    ]);
  return ['api_key', p.isAdmin, [...p.scopes].sort(), grants];
}
