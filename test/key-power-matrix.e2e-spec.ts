import { createTestApp, TestApp } from './create-test-app';
import { bearer, createKey, createSpace, signup, TestUser } from './factories';
import type { ApiKeyDto } from './json';

/**
 * "Nobody can act on a key more powerful than they are", over every key operation and
 * every kind of caller. Each cell creates a fresh target, so deletes do not hide later cells.
 */
describe('key operations: permission matrix', () => {
  let t: TestApp;
  let owner: TestUser;
  let spaceId: string;
  let otherSpace: string;

  beforeAll(async () => {
    t = await createTestApp();
    owner = await signup(t.app);
    spaceId = (await createSpace(t.app, owner.access_token)).id;
    otherSpace = (await createSpace(t.app, owner.access_token, 'Other')).id;
  });
  afterAll(() => t.close());

  const ownerHeaders = () => bearer(owner.access_token);
  const targets = {
    admin: { is_admin: true },
    wider: { scopes: ['keys:admin', 'audit:read'], collection_permissions: { '*': ['read', 'write', 'delete'] } },
    equal: { scopes: ['keys:admin'], collection_permissions: { orders: ['read'] } },
    narrower: { collection_permissions: { orders: ['read'] } },
    unlimited: { scopes: ['keys:admin'], collection_permissions: { orders: ['read'] } },
  } as const;
  type Target = keyof typeof targets;
  /** The acting key: keys:admin over orders read, 100/min; "unlimited" differs only in its missing rate limit. */
  const ACTOR = { scopes: ['keys:admin'], collection_permissions: { orders: ['read'] }, rate_limit_per_minute: 100 };
  const targetBody = (target: Target) =>
    target === 'unlimited' || target === 'admin' || target === 'wider'
      ? targets[target]
      : { ...targets[target], rate_limit_per_minute: 100 };

  type Op = 'patch' | 'regenerate' | 'delete' | 'ekodb-delete';
  const run = (op: Op, headers: Record<string, string>, keyId: string) => {
    switch (op) {
      case 'patch':
        return t.app.inject({
          method: 'PATCH',
          url: `/api/spaces/${spaceId}/api-keys/${keyId}`,
          headers,
          payload: { label: 'renamed' },
        });
      case 'regenerate':
        return t.app.inject({ method: 'POST', url: `/api/spaces/${spaceId}/api-keys/${keyId}/regenerate`, headers });
      case 'delete':
        return t.app.inject({ method: 'DELETE', url: `/api/spaces/${spaceId}/api-keys/${keyId}`, headers });
      case 'ekodb-delete':
        return t.app.inject({ method: 'DELETE', url: `/api/auth/keys/${keyId}`, headers });
    }
  };
  const success: Record<Op, number> = { patch: 200, regenerate: 201, delete: 204, 'ekodb-delete': 204 };
  const ops: Op[] = ['patch', 'regenerate', 'delete', 'ekodb-delete'];

  const cells: [Op, Target, 'allowed' | 'forbidden'][] = [];
  for (const op of ops) {
    cells.push(
      [op, 'admin', 'forbidden'],
      [op, 'wider', 'forbidden'],
      [op, 'unlimited', 'forbidden'],
      [op, 'equal', 'allowed'],
      [op, 'narrower', 'allowed'],
    );
  }

  it.each(cells)('a keys:admin key: %s on a %s key is %s', async (op, target, verdict) => {
    const actor = await createKey(t.app, ownerHeaders(), spaceId, ACTOR);
    const victim = await createKey(t.app, ownerHeaders(), spaceId, targetBody(target));
    const res = await run(op, { 'x-api-key': actor.key }, victim.id);
    if (verdict === 'forbidden') {
      expect(res.statusCode).toBe(403);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body).not.toContain('ptc_');
      // The target is untouched: its secret still works, its label is unchanged.
      const me = await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: { 'x-api-key': victim.key } });
      expect(me.statusCode).toBe(200);
      const row = (
        await t.app.inject({
          method: 'GET',
          url: `/api/spaces/${spaceId}/api-keys/${victim.id}`,
          headers: ownerHeaders(),
        })
      ).json<ApiKeyDto>();
      expect(row.label).toBe('test key');
    } else {
      expect(res.statusCode).toBe(success[op]);
    }
  });

  it.each(ops)('an admin key may %s an admin key; a user owner may too', async (op) => {
    const adminKey = await createKey(t.app, ownerHeaders(), spaceId, { is_admin: true });
    const victim = await createKey(t.app, ownerHeaders(), spaceId, { is_admin: true });
    expect((await run(op, { 'x-api-key': adminKey.key }, victim.id)).statusCode).toBe(success[op]);
    if (op === 'ekodb-delete') return; // a user has no implied space on the ekoDB routes
    const victim2 = await createKey(t.app, ownerHeaders(), spaceId, { is_admin: true });
    expect((await run(op, ownerHeaders(), victim2.id)).statusCode).toBe(success[op]);
  });

  it.each(ops)('a key without keys:admin cannot %s even a narrower key', async (op) => {
    const actor = await createKey(t.app, ownerHeaders(), spaceId, {
      collection_permissions: { '*': ['read', 'write'] },
    });
    const victim = await createKey(t.app, ownerHeaders(), spaceId, targets.narrower);
    expect((await run(op, { 'x-api-key': actor.key }, victim.id)).statusCode).toBe(403);
  });

  it.each(ops)('an admin key of another space cannot %s a key here (404, no existence leak)', async (op) => {
    const foreign = await createKey(t.app, ownerHeaders(), otherSpace, { is_admin: true });
    const victim = await createKey(t.app, ownerHeaders(), spaceId, targets.narrower);
    const res = await run(op, { 'x-api-key': foreign.key }, victim.id);
    expect([403, 404]).toContain(res.statusCode);
    const random = await run(op, { 'x-api-key': foreign.key }, '0190a0a0-0000-7000-8000-000000000000');
    if (op === 'ekodb-delete') expect(res.statusCode).toBe(random.statusCode);
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: { 'x-api-key': victim.key } })).statusCode,
    ).toBe(200);
  });

  it('PATCH cannot lift a key above the caller, nor lower one that is above it', async () => {
    const actor = await createKey(t.app, ownerHeaders(), spaceId, ACTOR);
    const narrow = await createKey(t.app, ownerHeaders(), spaceId, { ...targets.narrower, rate_limit_per_minute: 50 });
    const up = await run('patch', { 'x-api-key': actor.key }, narrow.id);
    expect(up.statusCode).toBe(200);
    const lift = await t.app.inject({
      method: 'PATCH',
      url: `/api/spaces/${spaceId}/api-keys/${narrow.id}`,
      headers: { 'x-api-key': actor.key },
      payload: { scopes: ['audit:read'] },
    });
    expect(lift.statusCode).toBe(403);
    const wide = await createKey(t.app, ownerHeaders(), spaceId, targets.wider);
    const lower = await t.app.inject({
      method: 'PATCH',
      url: `/api/spaces/${spaceId}/api-keys/${wide.id}`,
      headers: { 'x-api-key': actor.key },
      payload: { scopes: [], collection_permissions: { orders: ['read'] }, rate_limit_per_minute: 10 },
    });
    expect(lower.statusCode).toBe(403);
  });
});
