import createClient from 'openapi-fetch';
import type { paths } from './generated/portico-api';

/**
 * The whole life of an integration, written only against the client that
 * openapi-typescript generates from the checked-in openapi.json: if the document
 * drifts from the server, this stops compiling or stops working.
 */
export async function porticoFlow(baseUrl: string, email: string) {
  const api = createClient<paths>({ baseUrl });
  const must = <T>(result: { data?: T; error?: unknown; response: Response }, step: string): T => {
    if (result.data === undefined && result.response.status !== 204)
      throw new Error(`${step}: ${result.response.status} ${JSON.stringify(result.error)}`);
    return result.data as T;
  };

  const session = must(
    await api.POST('/api/auth/signup', { body: { email, password: 'correct horse battery', name: 'Client Flow' } }),
    'signup',
  );
  const user = { headers: { Authorization: `Bearer ${session.access_token}` } };

  const space = must(
    await api.POST('/api/spaces', { ...user, body: { name: 'Generated client space' } }),
    'create space',
  );
  const space_id = space.id;

  const created = must(
    await api.POST('/api/spaces/{space_id}/api-keys', {
      ...user,
      params: { path: { space_id } },
      body: { label: 'generated-client', is_admin: true, scopes: ['audit:read'] },
    }),
    'create key',
  );

  const token = must(await api.POST('/api/auth/token', { body: { api_key: created.key } }), 'exchange key');
  const asKey = { headers: { Authorization: `Bearer ${token.token}` } };

  const collection = must(
    await api.POST('/api/spaces/{space_id}/collections', {
      ...asKey,
      params: { path: { space_id } },
      body: {
        name: 'orders',
        fields: [
          { name: 'status', type: 'select', required: true, options: { choices: ['new', 'paid'] } },
          { name: 'total', type: 'number', required: true },
        ],
      },
    }),
    'create collection',
  );

  const recordPath = { space_id, name: 'orders' };
  const order = must(
    await api.POST('/api/spaces/{space_id}/collections/{name}/records', {
      ...asKey,
      params: { path: recordPath },
      body: { status: 'new', total: 42 },
    }),
    'create record',
  );
  const id = order.id;
  const read = must(
    await api.GET('/api/spaces/{space_id}/collections/{name}/records/{id}', {
      ...asKey,
      params: { path: { ...recordPath, id } },
    }),
    'get record',
  );
  const updated = must(
    await api.PATCH('/api/spaces/{space_id}/collections/{name}/records/{id}', {
      ...asKey,
      params: { path: { ...recordPath, id } },
      body: { status: 'paid' },
    }),
    'update record',
  );
  const page = must(
    await api.GET('/api/spaces/{space_id}/collections/{name}/records', {
      ...asKey,
      params: { path: recordPath, query: { filter: JSON.stringify({ status: 'paid' }), limit: 10 } },
    }),
    'list records',
  );
  const deleted = await api.DELETE('/api/spaces/{space_id}/collections/{name}/records/{id}', {
    ...asKey,
    params: { path: { ...recordPath, id } },
  });
  const gone = await api.GET('/api/spaces/{space_id}/collections/{name}/records/{id}', {
    ...asKey,
    params: { path: { ...recordPath, id } },
  });

  const audit = must(
    await api.GET('/api/spaces/{space_id}/audit-logs', {
      ...asKey,
      params: { path: { space_id }, query: { resource_type: 'record', limit: 50 } },
    }),
    'audit log',
  );
  const verify = must(
    await api.GET('/api/spaces/{space_id}/audit-logs/verify', { ...asKey, params: { path: { space_id } } }),
    'verify',
  );

  return {
    space_id,
    key: created.key,
    keyMasked: created.masked_key,
    tokenType: token.token_type,
    collectionVersion: collection.version,
    id,
    read,
    updated,
    listed: page.data.map((r) => r.id),
    deletedStatus: deleted.response.status,
    goneStatus: gone.response.status,
    goneProblem: gone.error,
    auditActions: audit.data.map((e) => e.action),
    chainValid: verify.valid,
  };
}
