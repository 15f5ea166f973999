import {
  COLLECTION_ACTIONS,
  CollectionAction,
  CollectionGrant,
  FieldError,
  IDENTIFIER_PATTERN,
  isIdentifier,
} from '@app/common';

export const SCOPES = ['audit:read', 'collections:admin', 'keys:admin'] as const;
export type Scope = (typeof SCOPES)[number];

const FIELD_RULES = ['select_fields', 'exclude_fields', 'writable_fields'] as const;

/** As stored and returned: the caller's own list or object form, validated. */
export type CollectionPermissions = Record<string, CollectionAction[] | Record<string, boolean | string[]>>;

/**
 * Validates `collection_permissions` (both the list form `["read","write"]` and the
 * object form with field rules) and returns field errors for everything wrong.
 */
export function validatePermissions(value: unknown): FieldError[] {
  const errors: FieldError[] = [];
  const at = (path: string, message: string) => errors.push({ field: `collection_permissions${path}`, message });
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    at('', 'must be an object of collection name to permissions');
    return errors;
  }
  const entries = Object.entries(value);
  if (entries.length > 500) at('', 'may name at most 500 collections');
  for (const [collection, grant] of entries) {
    const path = `.${collection}`;
    if (collection !== '*' && !isIdentifier(collection))
      at(path, `collection names match ${IDENTIFIER_PATTERN} (or "*")`);
    if (Array.isArray(grant)) {
      for (const action of grant) {
        if (!COLLECTION_ACTIONS.includes(action))
          at(path, `unknown action "${String(action)}"; use ${COLLECTION_ACTIONS.join(', ')}`);
      }
    } else if (typeof grant === 'object' && grant !== null) {
      for (const [k, v] of Object.entries(grant)) {
        if ((COLLECTION_ACTIONS as readonly string[]).includes(k)) {
          if (typeof v !== 'boolean') at(`${path}.${k}`, 'must be a boolean');
        } else if ((FIELD_RULES as readonly string[]).includes(k)) {
          if (!Array.isArray(v) || v.length > 1000 || v.some((f) => typeof f !== 'string' || !isIdentifier(f))) {
            at(`${path}.${k}`, 'must be a list of field names');
          }
        } else {
          at(`${path}.${k}`, `unknown member; use ${[...COLLECTION_ACTIONS, ...FIELD_RULES].join(', ')}`);
        }
      }
    } else {
      at(path, 'must be a list of actions or an object');
    }
  }
  return errors;
}

/** Normalises both forms into grants, by collection name (`*` for all). */
export function toGrants(permissions: CollectionPermissions): Map<string, CollectionGrant> {
  const grants = new Map<string, CollectionGrant>();
  for (const [collection, grant] of Object.entries(permissions)) {
    if (Array.isArray(grant)) {
      grants.set(collection, { actions: new Set(grant) });
      continue;
    }
    const actions = new Set(COLLECTION_ACTIONS.filter((a) => grant[a] === true));
    const rules = grant as Record<string, string[] | undefined>;
    grants.set(collection, {
      actions,
      ...(rules.select_fields ? { selectFields: rules.select_fields } : {}),
      ...(rules.exclude_fields ? { excludeFields: rules.exclude_fields } : {}),
      ...(rules.writable_fields ? { writableFields: rules.writable_fields } : {}),
    });
  }
  return grants;
}

const within = (inner: readonly string[] | undefined, outer: readonly string[] | undefined) =>
  outer === undefined || (inner !== undefined && inner.every((f) => outer.includes(f)));

/** Is `inner` no more powerful than `outer` (actions and field rules)? */
export function grantWithin(inner: CollectionGrant, outer: CollectionGrant | undefined): boolean {
  if (!outer) return inner.actions.size === 0;
  for (const a of inner.actions) if (!outer.actions.has(a)) return false;
  const excludesAtLeast = (outer.excludeFields ?? []).every((f) => (inner.excludeFields ?? []).includes(f));
  return (
    within(inner.selectFields, outer.selectFields) &&
    within(inner.writableFields, outer.writableFields) &&
    excludesAtLeast
  );
}
