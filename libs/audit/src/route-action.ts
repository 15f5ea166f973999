import type { AuditResource } from './audit-event';

const RESOURCE: Record<string, string> = {
  spaces: 'space',
  members: 'member',
  'api-keys': 'api_key',
  keys: 'api_key',
  collections: 'collection',
  records: 'record',
  'audit-logs': 'audit_log',
};
const VERB: Record<string, string> = {
  POST: 'create',
  PUT: 'update',
  PATCH: 'update',
  DELETE: 'delete',
  GET: 'read',
  HEAD: 'read',
};
/** Sub-resource verbs: the last path segment names the action on the resource before it. */
const SUB_ACTION: Record<string, string> = {
  regenerate: 'regenerate',
  batch: 'create',
  verify: 'verify',
  token: 'exchange',
};

/**
 * The action and resource a route acts on, for entries the audit log writes about a
 * request it did not see succeed (a 403, a failed change): `PATCH
 * /api/spaces/:space_id/collections/:name/records/:id` is `record.update` of that id.
 */
export function routeAction(
  method: string,
  url: string,
  params: Record<string, string | undefined>,
): { action: string; resource: AuditResource } {
  const segments = url.split('/').filter((s) => s && s !== 'api');
  let type = 'request';
  let idParam: string | undefined;
  let sub: string | undefined;
  segments.forEach((segment, i) => {
    if (segment.startsWith(':')) return;
    if (RESOURCE[segment] || segment === 'auth') {
      type = RESOURCE[segment] ?? 'auth';
      sub = undefined;
      const next = segments[i + 1];
      idParam = next?.startsWith(':') ? next.slice(1) : undefined;
    } else {
      sub = segment;
    }
  });
  const verb = sub ? (SUB_ACTION[sub] ?? sub.replace(/[^a-z0-9]+/gi, '_')) : (VERB[method] ?? method.toLowerCase());
  const id = idParam ? params[idParam] : undefined;
  return { action: `${type}.${verb}`, resource: { type, id: id ?? null, collection: params.name ?? null } };
}
