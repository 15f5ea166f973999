import type { CollectionRow } from './collection-row';
import { CollectionAction, CollectionGrant, forbidden, grantFor, Principal } from '@app/common';
import { appAllows, SpaceAccess, roleAllows } from '@app/spaces';
import { SYSTEM_FIELDS } from './fields';

const ROLE_ACTION = {
  read: 'records.read',
  write: 'records.write',
  delete: 'records.delete',
  admin: 'collections.manage',
} as const;

/**
 * What one principal may do with one collection, resolved once per request:
 * member roles, or the key's grant for the collection (or `*`) with its field rules.
 */
export class CollectionAccess {
  private constructor(
    readonly collection: string,
    private readonly actions: ReadonlySet<CollectionAction>,
    private readonly grant?: CollectionGrant,
  ) {}

  static resolve(space: SpaceAccess, collection: string): CollectionAccess {
    const p: Principal = space.principal;
    if (p.kind === 'user') {
      const actions = (Object.keys(ROLE_ACTION) as CollectionAction[]).filter(
        (a) => space.role !== undefined && roleAllows(space.role, ROLE_ACTION[a]) && appAllows(p, ROLE_ACTION[a]),
      );
      return new CollectionAccess(collection, new Set(actions));
    }
    if (p.isAdmin) return new CollectionAccess(collection, new Set(['read', 'write', 'delete', 'admin']));
    const grant = grantFor(p.grants, collection);
    const actions = new Set(grant?.actions ?? []);
    if (p.scopes.includes('collections:admin')) actions.add('admin');
    return new CollectionAccess(collection, actions, grant);
  }

  can(action: CollectionAction): boolean {
    return this.actions.has(action);
  }

  /** 403 naming the action; call after the collection is known to be readable. */
  require(action: CollectionAction): void {
    if (!this.can(action)) throw forbidden(`This credential may not ${action} records of "${this.collection}".`);
  }

  /** `id`, `created_at`, `updated_at` are readable unless excluded; `select_fields` allowlists the rest. */
  readable(field: string): boolean {
    const g = this.grant;
    if (!g) return true;
    if (g.excludeFields?.includes(field)) return false;
    if ((SYSTEM_FIELDS as readonly string[]).includes(field)) return true;
    return !g.selectFields || g.selectFields.includes(field);
  }

  writable(field: string): boolean {
    return !this.grant?.writableFields || this.grant.writableFields.includes(field);
  }

  /** No read rules and no projection: every field of a record is shown as stored. */
  showsAll(only?: readonly string[]): boolean {
    return !this.grant && !only;
  }

  /** Applies read rules (and an optional `fields` projection) to a record. */
  project(record: Record<string, unknown>, only?: readonly string[]): Record<string, unknown> {
    // No rules and no projection: the record as built for this response (no copy per row).
    if (this.showsAll(only)) return record;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(record)) {
      if (this.readable(k) && (!only || k === 'id' || only.includes(k))) out[k] = v;
    }
    return out;
  }
}

/** A collection opened for one request: its schema and what the caller may do with it. */
export interface OpenCollection {
  row: CollectionRow;
  access: CollectionAccess;
}
