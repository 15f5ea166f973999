import { AuditRetention, AuditSequencer } from '@app/audit';
import { LastUsedTracker } from '@app/api-keys';
import { createTestApp, TestApp } from './create-test-app';
import { addMember, bearer, createCollection, createKey, createSpace, signup, uniqueEmail } from './factories';
import { readLog, requestIdOf } from './audit-helpers';
import type { AuditLogDto, AuditVerifyDto, Page, Resource } from './json';
import { matching } from './json';

const ADMIN_EMAIL = uniqueEmail('platform-admin');

describe('audit log: chain, query API and retention', () => {
  let t: TestApp;
  const inject = (opts: Parameters<TestApp['app']['inject']>[0]) => t.app.inject(opts);

  beforeAll(async () => {
    t = await createTestApp({ env: { PLATFORM_ADMIN_EMAILS: ADMIN_EMAIL } });
  });
  afterAll(() => t.close());

  async function spaceWithOrders() {
    const owner = await signup(t.app);
    const space = await createSpace(t.app, owner.access_token);
    await createCollection(t.app, bearer(owner.access_token), space.id);
    return { owner, space, h: bearer(owner.access_token) };
  }
  const verify = async (h: Record<string, string>, spaceId: string) => {
    const res = await inject({ method: 'GET', url: `/api/spaces/${spaceId}/audit-logs/verify`, headers: h });
    expect(res.statusCode).toBe(200);
    return res.json<AuditVerifyDto>();
  };
  const createOrder = (h: Record<string, string>, spaceId: string, total: number) =>
    inject({
      method: 'POST',
      url: `/api/spaces/${spaceId}/collections/orders/records`,
      headers: h,
      payload: { status: 'new', total },
    });

  it('answers the contract shape, newest first, and verifies', async () => {
    const { owner, space, h } = await spaceWithOrders();
    const rec = await createOrder(h, space.id, 10);
    const res = await inject({ method: 'GET', url: `/api/spaces/${space.id}/audit-logs`, headers: h });
    expect(res.statusCode).toBe(200);
    const { data, next_cursor } = res.json<Page<AuditLogDto>>();
    expect(next_cursor).toBeNull();
    expect(data.map((e) => e.action)).toEqual(['record.create', 'collection.create', 'space.create']);
    expect(data.map((e) => e.seq)).toEqual([3, 2, 1]);
    expect(data[0]).toEqual({
      id: matching(/^[0-9a-f-]{36}$/),
      seq: 3,
      at: matching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      actor: { type: 'user', id: owner.id, label: owner.email },
      action: 'record.create',
      outcome: 'success',
      resource: { type: 'record', id: rec.json<Resource>().id, collection: 'orders' },
      ip: '127.0.0.1',
      user_agent: 'lightMyRequest',
      request_id: requestIdOf(rec),
      changes: { status: [null, 'new'], total: [null, 10] },
      metadata: null,
      hash: matching(/^[0-9a-f]{64}$/),
    });
    expect(await verify(h, space.id)).toEqual({ valid: true, checked: 3 });
  });

  it('lets admins, owners and keys with audit:read read it; editors get 403, other spaces 404', async () => {
    const { space, h } = await spaceWithOrders();
    const editor = await signup(t.app);
    const admin = await signup(t.app);
    await addMember(t.app, h.authorization.slice(7), space.id, editor.email, 'editor');
    await addMember(t.app, h.authorization.slice(7), space.id, admin.email, 'admin');
    const url = `/api/spaces/${space.id}/audit-logs`;
    expect((await inject({ method: 'GET', url, headers: bearer(admin.access_token) })).statusCode).toBe(200);
    expect((await inject({ method: 'GET', url, headers: bearer(editor.access_token) })).statusCode).toBe(403);
    expect(
      (await inject({ method: 'GET', url: `${url}/verify`, headers: bearer(editor.access_token) })).statusCode,
    ).toBe(403);
    const reader = await createKey(t.app, h, space.id, { scopes: ['audit:read'] });
    const plain = await createKey(t.app, h, space.id, { collection_permissions: { orders: ['read'] } });
    const adminKey = await createKey(t.app, h, space.id, { is_admin: true });
    expect((await inject({ method: 'GET', url, headers: { 'x-api-key': reader.key } })).statusCode).toBe(200);
    expect((await inject({ method: 'GET', url, headers: { 'x-undb-api-token': adminKey.key } })).statusCode).toBe(200);
    expect((await inject({ method: 'GET', url, headers: { 'x-api-key': plain.key } })).statusCode).toBe(403);
    const stranger = await signup(t.app);
    expect((await inject({ method: 'GET', url, headers: bearer(stranger.access_token) })).statusCode).toBe(404);
    const otherSpace = await createSpace(t.app, stranger.access_token);
    expect(
      (
        await inject({
          method: 'GET',
          url: `/api/spaces/${otherSpace.id}/audit-logs`,
          headers: { 'x-api-key': reader.key },
        })
      ).statusCode,
    ).toBe(404);
    // No API changes or deletes entries.
    for (const method of ['POST', 'PATCH', 'PUT', 'DELETE'] as const) {
      expect((await inject({ method, url, headers: h, payload: {} })).statusCode).toBe(404);
    }
  });

  it('keeps the platform log for platform admins only', async () => {
    const admin = await signup(t.app, { email: ADMIN_EMAIL });
    const someone = await signup(t.app);
    const res = await inject({
      method: 'GET',
      url: '/api/audit-logs?action=user.signup',
      headers: bearer(admin.access_token),
    });
    expect(res.statusCode).toBe(200);
    expect(res.json<Page<AuditLogDto>>().data.some((e) => e.actor.id === someone.id)).toBe(true);
    expect(
      (await inject({ method: 'GET', url: '/api/audit-logs', headers: bearer(someone.access_token) })).statusCode,
    ).toBe(403);
    const verified = await inject({
      method: 'GET',
      url: '/api/audit-logs/verify',
      headers: bearer(admin.access_token),
    });
    expect(verified.json()).toMatchObject({ valid: true });
  });

  it('filters by every contract filter and pages with a keyset cursor', async () => {
    const { owner, space, h } = await spaceWithOrders();
    const key = await createKey(t.app, h, space.id, {
      label: 'filler',
      collection_permissions: { orders: ['read', 'write'] },
    });
    const ids: string[] = [];
    for (let i = 0; i < 7; i++)
      ids.push((await createOrder({ 'x-api-key': key.key }, space.id, i)).json<Resource>().id);
    await inject({
      method: 'PATCH',
      url: `/api/spaces/${space.id}/collections/orders/records/${ids[0]}`,
      headers: h,
      payload: { status: 'paid' },
    });
    const denied = await inject({
      method: 'DELETE',
      url: `/api/spaces/${space.id}/collections/orders/records/${ids[1]}`,
      headers: { 'x-api-key': key.key },
    });
    expect(denied.statusCode).toBe(403);
    // The key's first use is recorded off the request path within a second: settle it now.
    await t.app.get(LastUsedTracker).flush();

    const q = (query: Record<string, string>) => readLog(t, h, space.id, query);
    expect(await q({ action: 'record.create' })).toHaveLength(7);
    expect((await q({ actor_type: 'api_key' })).every((e) => e.actor.id === key.id)).toBe(true);
    expect(await q({ actor_type: 'api_key' })).toHaveLength(9); // 7 creates, the denied delete, api_key.first_use
    expect((await q({ actor_id: owner.id })).map((e) => e.action)).toEqual([
      'record.update',
      'api_key.create',
      'collection.create',
      'space.create',
    ]);
    expect((await q({ resource_type: 'record', resource_id: ids[0] })).map((e) => e.action)).toEqual([
      'record.update',
      'record.create',
    ]);
    expect((await q({ outcome: 'denied' })).map((e) => e.request_id)).toEqual([requestIdOf(denied)]);
    const all = await q({});
    const middle = all[5].at;
    expect((await q({ from: middle })).map((e) => e.seq)).toEqual(all.filter((e) => e.at >= middle).map((e) => e.seq));
    expect((await q({ to: middle })).map((e) => e.seq)).toEqual(all.filter((e) => e.at < middle).map((e) => e.seq));

    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const res = await inject({
        method: 'GET',
        url: `/api/spaces/${space.id}/audit-logs?limit=3${cursor ? `&cursor=${cursor}` : ''}`,
        headers: h,
      });
      const body = res.json<Page<AuditLogDto>>();
      expect(body.data.length).toBeLessThanOrEqual(3);
      seen.push(...body.data.map((e) => e.seq));
      cursor = body.next_cursor;
    } while (cursor);
    expect(seen).toEqual(all.map((e) => e.seq));
    expect(seen).toEqual([...seen].sort((a, b) => b - a));

    for (const bad of ['outcome=maybe', 'actor_type=robot', 'from=yesterday', 'limit=0', 'cursor=@@', 'unknown=1']) {
      const res = await inject({ method: 'GET', url: `/api/spaces/${space.id}/audit-logs?${bad}`, headers: h });
      expect({ bad, status: res.statusCode }).toEqual({ bad, status: 400 });
      expect(res.headers['content-type']).toContain('application/problem+json');
    }
  });

  it('adds no round trip: a record write is one statement with its entry inside; reads write nothing', async () => {
    const { space, h } = await spaceWithOrders();
    const key = await createKey(t.app, h, space.id, {
      collection_permissions: { orders: ['read', 'write', 'delete'] },
    });
    const k = { 'x-api-key': key.key };
    const id = (await createOrder(k, space.id, 1)).json<Resource>().id;
    const statements = async (run: () => Promise<unknown>) => {
      const before = t.queries.length;
      await run();
      return t.queries.slice(before);
    };
    const url = `/api/collections/orders/records/${id}`;
    for (const run of [
      () => createOrder(k, space.id, 2),
      () => inject({ method: 'PATCH', url, headers: k, payload: { total: 3 } }),
      () => inject({ method: 'DELETE', url, headers: k }),
    ]) {
      const sql = await statements(run);
      // One statement: the change and its entry, guarded by the schema version this
      // instance read at the first write (no second statement to read the schema).
      expect(sql).toHaveLength(1);
      expect(sql[0]).toMatch(/insert into audit_logs/);
      expect(sql[0]).toMatch(/version = /);
      expect(sql.join('\n')).not.toMatch(/\b(begin|commit)\b/i);
    }
    const entries = async () =>
      (await t.sql<{ n: number }>(`select count(*)::int as n from audit_logs where space_id = ?`, [space.id]))[0].n;
    // The key's first use lands off the request path within a second: settle it first.
    await t.app.get(LastUsedTracker).flush();
    const count = await entries();
    await inject({ method: 'GET', url: `/api/collections/orders/records`, headers: k });
    await inject({ method: 'GET', url: `/api/spaces/${space.id}/collections/orders`, headers: h });
    expect(await entries()).toBe(count);
  });

  it('refuses UPDATE, DELETE and TRUNCATE in the database itself', async () => {
    const { space } = await spaceWithOrders();
    await expect(t.sql(`update audit_logs set action = 'x' where space_id = ?`, [space.id])).rejects.toThrow(
      /append-only/,
    );
    await expect(t.sql(`delete from audit_logs where space_id = ?`, [space.id])).rejects.toThrow(/append-only/);
    await expect(t.sql(`truncate audit_logs`)).rejects.toThrow(/append-only/);
    expect(await t.sql(`select count(*)::int as n from audit_logs where space_id = ?`, [space.id])).toEqual([{ n: 2 }]);
  });

  it('reports the entry a superuser tampered with, bypassing the trigger', async () => {
    const { space, h } = await spaceWithOrders();
    for (let i = 0; i < 4; i++) await createOrder(h, space.id, i);
    expect(await verify(h, space.id)).toEqual({ valid: true, checked: 6 });
    const [victim] = await t.sql<{ id: string }>(`select id from audit_logs where space_id = ? and seq = 4`, [
      space.id,
    ]);
    await tamper(`update audit_logs set changes = '{"total": [null, 1000000]}' where space_id = ? and seq = 4`, [
      space.id,
    ]);
    expect(await verify(h, space.id)).toEqual({
      valid: false,
      checked: 6,
      first_broken_id: victim.id,
      reason: 'hash_mismatch',
    });
  });

  it('reports a deleted entry in the middle, and a removed newest entry', async () => {
    const a = await spaceWithOrders();
    for (let i = 0; i < 3; i++) await createOrder(a.h, a.space.id, i);
    await t.app.get(AuditSequencer).sweep();
    const [after] = await t.sql<{ id: string }>(`select id from audit_logs where space_id = ? and seq = 4`, [
      a.space.id,
    ]);
    await tamper(`delete from audit_logs where space_id = ? and seq = 3`, [a.space.id]);
    expect(await verify(a.h, a.space.id)).toMatchObject({
      valid: false,
      first_broken_id: after.id,
      reason: 'missing_entries',
    });

    const b = await spaceWithOrders();
    await createOrder(b.h, b.space.id, 1);
    await tamper(`delete from audit_logs where space_id = ? and seq = 3`, [b.space.id]);
    expect(await verify(b.h, b.space.id)).toMatchObject({ valid: false, reason: 'truncated' });
  });

  it('keeps one unbroken chain under concurrent writes', async () => {
    const { space, h } = await spaceWithOrders();
    const key = await createKey(t.app, h, space.id, { is_admin: true });
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        i % 2 ? createOrder(h, space.id, i) : createOrder({ 'x-api-key': key.key }, space.id, i),
      ),
    );
    expect(answers.every((r) => r.statusCode === 201)).toBe(true);
    // The key's first use lands within a second; settle it so the count is exact, then link.
    await t.app.get(LastUsedTracker).flush();
    await t.app.get(AuditSequencer).sweep();
    const rows = await t.sql<{ seq: string; request_id: string; action: string }>(
      `select seq, request_id, action from audit_logs where space_id = ? order by seq`,
      [space.id],
    );
    // space, collection and key creation, 40 records, and the key's first use.
    expect(rows.map((r) => Number(r.seq))).toEqual(Array.from({ length: 44 }, (_, i) => i + 1));
    const records = rows.filter((r) => r.action === 'record.create');
    expect(new Set(records.map((r) => r.request_id))).toEqual(new Set(answers.map(requestIdOf)));
    expect(await verify(h, space.id)).toEqual({ valid: true, checked: 44 });
  });

  it('drops entries past the tier retention and still verifies from the anchor', async () => {
    const { space, h } = await spaceWithOrders();
    for (let i = 0; i < 3; i++) await createOrder(h, space.id, i);
    const retention = t.app.get(AuditRetention);
    // Nothing is old enough yet.
    await retention.run();
    expect(await verify(h, space.id)).toEqual({ valid: true, checked: 5 });
    // 31 days on, a free space keeps 30 days: all five go, the anchor is the fifth's hash.
    const removed = await retention.run(new Date(Date.now() + 31 * 86_400_000));
    expect(removed).toBeGreaterThanOrEqual(5);
    expect(await verify(h, space.id)).toEqual({ valid: true, checked: 0 });
    const next = await createOrder(h, space.id, 99);
    const log = await readLog(t, h, space.id);
    expect(log.map((e) => [e.seq, e.request_id])).toEqual([[6, requestIdOf(next)]]);
    expect(await verify(h, space.id)).toEqual({ valid: true, checked: 1 });
    // A longer tier keeps them longer.
    const business = await spaceWithOrders();
    await t.sql(`update spaces set tier = 'business' where id = ?`, [business.space.id]);
    await retention.run(new Date(Date.now() + 31 * 86_400_000));
    expect(await verify(business.h, business.space.id)).toEqual({ valid: true, checked: 2 });
  });

  /** As a superuser would: with triggers off for this session (session_replication_role = replica). */
  /** Alters linked entries as a superuser would: the writes before it are linked first. */
  async function tamper(sql: string, params: unknown[]) {
    await t.app.get(AuditSequencer).sweep();
    await t.sql(`set session_replication_role = replica`);
    try {
      await t.sql(sql, params);
    } finally {
      await t.sql(`set session_replication_role = origin`);
    }
  }
});
