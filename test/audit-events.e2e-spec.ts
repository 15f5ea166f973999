import { randomInt } from 'node:crypto';
import { AuditObserver } from '@app/audit';
import { LastUsedTracker } from '@app/api-keys';
import { createTestApp, TestApp } from './create-test-app';
import { bearer, createCollection, createKey, createSpace, signup, uniqueEmail } from './factories';
import { entryFor, readLog, requestIdOf } from './audit-helpers';
import type {
  ApiKeyWithSecretDto,
  KeyTokenDto,
  Page,
  Resource,
  Row,
  SignupResponseDto,
  SpaceDto,
  TokenPairDto,
} from './json';
import { anyString } from './json';

const ADMIN_EMAIL = uniqueEmail('platform-admin');
const someIp = () => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;

/**
 * The event catalogue: every security-relevant event produces its entry, carrying the
 * response's X-Request-Id, and no secret the run used appears anywhere in the table.
 */
describe('audit log: every event type', () => {
  let t: TestApp;
  let admin: Awaited<ReturnType<typeof signup>>;
  const secrets: string[] = [];
  const inject = (opts: Parameters<TestApp['app']['inject']>[0]) => t.app.inject(opts);

  beforeAll(async () => {
    t = await createTestApp({ env: { PLATFORM_ADMIN_EMAILS: ADMIN_EMAIL, REFRESH_REUSE_WINDOW: '0' } });
    admin = await signup(t.app, { email: ADMIN_EMAIL });
    secrets.push(admin.password, admin.refresh_token, admin.access_token);
  });
  afterAll(() => t.close());

  const platform = (action: string, res: Parameters<typeof entryFor>[4]) =>
    entryFor(t, bearer(admin.access_token), null, action, res);

  it('records sign-up, login success and failure, refresh, reuse and logout in the platform log', async () => {
    const email = uniqueEmail();
    const password = 'correct horse battery staple';
    secrets.push(password);
    const up = await inject({
      method: 'POST',
      url: '/api/auth/signup',
      payload: { email, password },
      headers: { 'user-agent': 'audit-test/1.0' },
    });
    expect(up.statusCode).toBe(201);
    const session = up.json<SignupResponseDto>();
    secrets.push(session.access_token, session.refresh_token);
    const signupEntry = await platform('user.signup', up);
    expect(signupEntry).toMatchObject({
      actor: { type: 'user', id: session.user.id, label: email },
      outcome: 'success',
      resource: { type: 'user', id: session.user.id },
      user_agent: 'audit-test/1.0',
      ip: anyString,
    });

    const ok = await inject({ method: 'POST', url: '/api/auth/login', payload: { email, password } });
    expect(ok.statusCode).toBe(200);
    secrets.push(ok.json<TokenPairDto>().refresh_token, ok.json<TokenPairDto>().access_token);
    expect(await platform('auth.login', ok)).toMatchObject({
      outcome: 'success',
      actor: { type: 'user', id: session.user.id },
    });

    const wrong = await inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email, password: 'wrong password 1' },
    });
    expect(wrong.statusCode).toBe(401);
    expect(await platform('auth.login', wrong)).toMatchObject({
      outcome: 'failure',
      actor: { type: 'anonymous', label: email },
      resource: { id: session.user.id },
      metadata: { reason: 'wrong_password' },
    });
    const nobody = uniqueEmail('nobody');
    const unknown = await inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: nobody, password: 'whatever 12345' },
    });
    expect(await platform('auth.login', unknown)).toMatchObject({
      outcome: 'failure',
      actor: { type: 'anonymous', label: nobody },
      metadata: { reason: 'unknown_email' },
    });

    const refreshed = await inject({
      method: 'POST',
      url: '/api/auth/refresh',
      payload: { refresh_token: session.refresh_token },
    });
    expect(refreshed.statusCode).toBe(200);
    secrets.push(refreshed.json<TokenPairDto>().refresh_token, refreshed.json<TokenPairDto>().access_token);
    const refreshEntry = await platform('auth.refresh', refreshed);
    expect(refreshEntry).toMatchObject({
      outcome: 'success',
      actor: { id: session.user.id },
      resource: { type: 'session' },
    });

    await new Promise((r) => setTimeout(r, 1100));
    const replay = await inject({
      method: 'POST',
      url: '/api/auth/refresh',
      payload: { refresh_token: session.refresh_token },
    });
    expect(replay.statusCode).toBe(401);
    expect(await platform('auth.refresh_reuse', replay)).toMatchObject({
      outcome: 'denied',
      actor: { id: session.user.id },
      resource: { type: 'session', id: refreshEntry.resource!.id },
      metadata: { family_revoked: true },
    });
    const garbage = await inject({
      method: 'POST',
      url: '/api/auth/refresh',
      payload: { refresh_token: 'prt_' + 'x'.repeat(43) },
    });
    expect(await platform('auth.refresh', garbage)).toMatchObject({
      outcome: 'failure',
      actor: { type: 'anonymous' },
      metadata: { reason: 'unknown' },
    });

    const out = await inject({
      method: 'POST',
      url: '/api/auth/logout',
      payload: { refresh_token: ok.json<TokenPairDto>().refresh_token },
    });
    expect(out.statusCode).toBe(204);
    expect(await platform('auth.logout', out)).toMatchObject({ actor: { id: session.user.id } });
  });

  it('records space, member and role changes in the space log', async () => {
    const owner = await signup(t.app);
    const other = await signup(t.app);
    secrets.push(owner.password, other.password, owner.refresh_token, other.refresh_token);
    const h = bearer(owner.access_token);
    const created = await inject({ method: 'POST', url: '/api/spaces', headers: h, payload: { name: 'Audited' } });
    const space = created.json<SpaceDto>();
    const log = (action: string, res: Parameters<typeof entryFor>[4]) => entryFor(t, h, space.id, action, res);
    expect(await log('space.create', created)).toMatchObject({
      actor: { type: 'user', id: owner.id, label: owner.email },
      resource: { type: 'space', id: space.id },
      changes: { name: [null, 'Audited'] },
    });

    const renamed = await inject({
      method: 'PATCH',
      url: `/api/spaces/${space.id}`,
      headers: h,
      payload: { name: 'Audited 2' },
    });
    expect(renamed.statusCode).toBe(200);
    expect(await log('space.rename', renamed)).toMatchObject({ changes: { name: ['Audited', 'Audited 2'] } });
    const tier = await inject({
      method: 'PATCH',
      url: `/api/spaces/${space.id}`,
      headers: bearer(admin.access_token),
      payload: { tier: 'business' },
    });
    expect(tier.statusCode).toBe(200);
    expect(await log('space.tier_change', tier)).toMatchObject({
      actor: { id: admin.id },
      changes: { tier: ['free', 'business'] },
    });

    const added = await inject({
      method: 'POST',
      url: `/api/spaces/${space.id}/members`,
      headers: h,
      payload: { email: other.email, role: 'viewer' },
    });
    expect(added.statusCode).toBe(201);
    expect(await log('member.add', added)).toMatchObject({
      resource: { type: 'member', id: other.id },
      changes: { role: [null, 'viewer'] },
    });
    const promoted = await inject({
      method: 'PATCH',
      url: `/api/spaces/${space.id}/members/${other.id}`,
      headers: h,
      payload: { role: 'editor' },
    });
    expect(promoted.statusCode).toBe(200);
    expect(await log('member.role_change', promoted)).toMatchObject({ changes: { role: ['viewer', 'editor'] } });
    const removed = await inject({ method: 'DELETE', url: `/api/spaces/${space.id}/members/${other.id}`, headers: h });
    expect(removed.statusCode).toBe(204);
    expect(await log('member.remove', removed)).toMatchObject({ changes: { role: ['editor', null] } });

    // The space's history outlives it: the delete is its last entry, readable by SQL after the space is gone.
    const deleted = await inject({ method: 'DELETE', url: `/api/spaces/${space.id}`, headers: h });
    expect(deleted.statusCode).toBe(204);
    const rows = await t.sql<{ action: string; request_id: string }>(
      `select action, request_id from audit_logs where space_id = ? order by at desc limit 1`,
      [space.id],
    );
    expect(rows).toEqual([{ action: 'space.delete', request_id: requestIdOf(deleted) }]);
  });

  it('records every key lifecycle event, with a before/after diff of permissions, and key-to-token exchange', async () => {
    const owner = await signup(t.app);
    secrets.push(owner.password, owner.refresh_token);
    const h = bearer(owner.access_token);
    const space = await createSpace(t.app, owner.access_token);
    const log = (action: string, res: Parameters<typeof entryFor>[4]) => entryFor(t, h, space.id, action, res);

    const created = await inject({
      method: 'POST',
      url: `/api/spaces/${space.id}/api-keys`,
      headers: h,
      payload: { label: 'backend', collection_permissions: { orders: ['read'] } },
    });
    expect(created.statusCode).toBe(201);
    const key = created.json<ApiKeyWithSecretDto>();
    secrets.push(key.key);
    const createEntry = await log('api_key.create', created);
    expect(createEntry).toMatchObject({
      resource: { type: 'api_key', id: key.id },
      changes: { label: [null, 'backend'], collection_permissions: [null, { orders: ['read'] }] },
    });

    const updated = await inject({
      method: 'PATCH',
      url: `/api/spaces/${space.id}/api-keys/${key.id}`,
      headers: h,
      payload: { collection_permissions: { orders: ['read', 'write'] }, label: 'backend' },
    });
    expect(updated.statusCode).toBe(200);
    const updateEntry = await log('api_key.update', updated);
    // Only what changed, before and after; the unchanged label is not listed.
    expect(updateEntry.changes).toEqual({
      collection_permissions: [{ orders: ['read'] }, { orders: ['read', 'write'] }],
    });

    const used = await inject({ method: 'GET', url: '/api/auth/me', headers: { 'x-api-key': key.key } });
    expect(used.statusCode).toBe(200);
    await t.app.get(LastUsedTracker).flush();
    const firstUse = await log('api_key.first_use', used);
    expect(firstUse).toMatchObject({
      actor: { type: 'api_key', id: key.id, label: 'backend' },
      resource: { id: key.id },
    });
    // Later uses are not first uses.
    await inject({ method: 'GET', url: '/api/auth/me', headers: { 'x-api-key': key.key } });
    await t.app.get(LastUsedTracker).flush();
    expect(await readLog(t, h, space.id, { action: 'api_key.first_use' })).toHaveLength(1);

    const exchanged = await inject({ method: 'POST', url: '/api/auth/token', payload: { api_key: key.key } });
    expect(exchanged.statusCode).toBe(200);
    secrets.push(exchanged.json<KeyTokenDto>().token);
    expect(await log('api_key.exchange', exchanged)).toMatchObject({
      actor: { type: 'api_key', id: key.id },
      outcome: 'success',
    });

    const regenerated = await inject({
      method: 'POST',
      url: `/api/spaces/${space.id}/api-keys/${key.id}/regenerate`,
      headers: h,
    });
    expect(regenerated.statusCode).toBe(201);
    secrets.push(regenerated.json<ApiKeyWithSecretDto>().key);
    expect(await log('api_key.regenerate', regenerated)).toMatchObject({
      resource: { id: key.id },
      metadata: { generation: 2 },
    });

    const bad = await inject({ method: 'POST', url: '/api/auth/token', payload: { api_key: key.key } });
    expect(bad.statusCode).toBe(401);
    expect(await platform('api_key.exchange', bad)).toMatchObject({ outcome: 'failure', actor: { type: 'anonymous' } });

    const removed = await inject({ method: 'DELETE', url: `/api/spaces/${space.id}/api-keys/${key.id}`, headers: h });
    expect(removed.statusCode).toBe(204);
    expect(await log('api_key.delete', removed)).toMatchObject({
      resource: { id: key.id },
      changes: { label: ['backend', null] },
    });
  });

  it('records collection and record changes, batches as one entry per record, and redacts sensitive fields', async () => {
    const owner = await signup(t.app);
    secrets.push(owner.password);
    const h = bearer(owner.access_token);
    const space = await createSpace(t.app, owner.access_token);
    const key = await createKey(t.app, h, space.id, {
      label: 'writer',
      collection_permissions: { people: ['read', 'write', 'delete'] },
    });
    secrets.push(key.key);
    const k = { 'x-api-key': key.key };
    const log = (action: string, res: Parameters<typeof entryFor>[4]) => entryFor(t, h, space.id, action, res);

    const fields = [
      { name: 'name', type: 'text', required: true },
      { name: 'ssn', type: 'text', sensitive: true },
      { name: 'tag', type: 'text', unique: true },
    ];
    const created = await inject({
      method: 'POST',
      url: `/api/spaces/${space.id}/collections`,
      headers: h,
      payload: { name: 'people', fields },
    });
    expect(created.statusCode).toBe(201);
    expect(await log('collection.create', created)).toMatchObject({
      resource: { type: 'collection', collection: 'people' },
    });
    const changed = await inject({
      method: 'PATCH',
      url: `/api/spaces/${space.id}/collections/people`,
      headers: h,
      payload: { description: 'Everyone' },
    });
    expect(changed.statusCode).toBe(200);
    expect((await log('collection.update', changed)).changes).toEqual({ description: [null, 'Everyone'] });

    const rec = await inject({
      method: 'POST',
      url: '/api/collections/people/records',
      headers: k,
      payload: { name: 'Ada', ssn: '123-45-6789', tag: 'a' },
    });
    expect(rec.statusCode).toBe(201);
    const id = rec.json<Resource>().id;
    expect(await log('record.create', rec)).toMatchObject({
      actor: { type: 'api_key', id: key.id, label: 'writer' },
      resource: { type: 'record', id, collection: 'people' },
      changes: { name: [null, 'Ada'], ssn: ['[redacted]', '[redacted]'], tag: [null, 'a'] },
    });
    const upd = await inject({
      method: 'PATCH',
      url: `/api/collections/people/records/${id}`,
      headers: k,
      payload: { name: 'Ada L.', ssn: '987-65-4321' },
    });
    expect(upd.statusCode).toBe(200);
    expect((await log('record.update', upd)).changes).toEqual({
      name: ['Ada', 'Ada L.'],
      ssn: ['[redacted]', '[redacted]'],
    });

    const batch = await inject({
      method: 'POST',
      url: `/api/spaces/${space.id}/collections/people/records/batch`,
      headers: h,
      payload: { records: [{ name: 'B', tag: 'b' }, { name: 'C', tag: 'c' }, { name: 'D' }] },
    });
    expect(batch.statusCode).toBe(201);
    const batchEntries = (await readLog(t, h, space.id, { action: 'record.create' })).filter(
      (e) => e.request_id === requestIdOf(batch),
    );
    expect(batchEntries.map((e) => e.resource!.id).sort()).toEqual(
      batch
        .json<Page<Row>>()
        .data.map((r: { id: string }) => r.id)
        .sort(),
    );
    for (const e of batchEntries) expect(e.metadata).toEqual({ batch: true, count: 3 });

    // A failed change leaves a failure entry and no phantom success.
    const dup = await inject({
      method: 'POST',
      url: '/api/collections/people/records',
      headers: k,
      payload: { name: 'E', tag: 'a' },
    });
    expect(dup.statusCode).toBe(409);
    expect(await log('record.create', dup)).toMatchObject({ outcome: 'failure', metadata: { status: 409 } });
    const failedBatch = await inject({
      method: 'POST',
      url: '/api/collections/people/records/batch',
      headers: k,
      payload: {
        records: [
          { name: 'F', tag: 'f' },
          { name: 'G', tag: 'a' },
        ],
      },
    });
    expect(failedBatch.statusCode).toBe(409);
    const forFailed = (await readLog(t, h, space.id)).filter((e) => e.request_id === requestIdOf(failedBatch));
    expect(forFailed.map((e) => `${e.action}:${e.outcome}`)).toEqual(['record.create:failure']);

    const del = await inject({ method: 'DELETE', url: `/api/collections/people/records/${id}`, headers: k });
    expect(del.statusCode).toBe(204);
    expect(await log('record.delete', del)).toMatchObject({
      resource: { id },
      changes: { name: ['Ada L.', null], ssn: ['[redacted]', '[redacted]'] },
    });
    const many = await inject({
      method: 'DELETE',
      url: `/api/collections/people/records?filter=${encodeURIComponent(JSON.stringify({ name: { in: ['B', 'C'] } }))}`,
      headers: k,
    });
    expect(many.json()).toEqual({ deleted: 2 });
    const manyEntries = (await readLog(t, h, space.id, { action: 'record.delete' })).filter(
      (e) => e.request_id === requestIdOf(many),
    );
    expect(manyEntries).toHaveLength(2);

    const dropped = await inject({ method: 'DELETE', url: `/api/spaces/${space.id}/collections/people`, headers: h });
    expect(dropped.statusCode).toBe(204);
    expect(await log('collection.delete', dropped)).toMatchObject({ metadata: { records_deleted: 1 } });

    // Nothing sensitive anywhere in the space's log.
    expect(JSON.stringify(await readLog(t, h, space.id))).not.toMatch(/123-45-6789|987-65-4321/);
  });

  it('records permission denials (403) with the action that was refused', async () => {
    const owner = await signup(t.app);
    const viewer = await signup(t.app);
    secrets.push(owner.password, viewer.password);
    const space = await createSpace(t.app, owner.access_token);
    await createCollection(t.app, bearer(owner.access_token), space.id);
    await inject({
      method: 'POST',
      url: `/api/spaces/${space.id}/members`,
      headers: bearer(owner.access_token),
      payload: { email: viewer.email, role: 'viewer' },
    });
    const denied = await inject({
      method: 'POST',
      url: `/api/spaces/${space.id}/collections/orders/records`,
      headers: bearer(viewer.access_token),
      payload: { status: 'new', total: 1 },
    });
    expect(denied.statusCode).toBe(403);
    expect(await entryFor(t, bearer(owner.access_token), space.id, 'record.create', denied)).toMatchObject({
      outcome: 'denied',
      actor: { type: 'user', id: viewer.id },
      resource: { type: 'record', collection: 'orders' },
      metadata: { status: 403 },
    });
    const key = await createKey(t.app, bearer(owner.access_token), space.id, {
      label: 'reader',
      collection_permissions: { orders: ['read'] },
    });
    secrets.push(key.key);
    const keyDenied = await inject({
      method: 'POST',
      url: `/api/spaces/${space.id}/members`,
      headers: { 'x-api-key': key.key },
      payload: { email: viewer.email, role: 'admin' },
    });
    expect(keyDenied.statusCode).toBe(403);
    expect(await entryFor(t, bearer(owner.access_token), space.id, 'member.create', keyDenied)).toMatchObject({
      outcome: 'denied',
      actor: { type: 'api_key', id: key.id },
    });
    // A key's denial on another space's route lands in the key's own space, never the other tenant's.
    const elsewhere = await createSpace(t.app, viewer.access_token);
    const cross = await inject({
      method: 'DELETE',
      url: `/api/spaces/${elsewhere.id}`,
      headers: { 'x-api-key': key.key },
    });
    expect(cross.statusCode).toBe(403);
    expect(
      (await readLog(t, bearer(viewer.access_token), elsewhere.id)).some((e) => e.request_id === requestIdOf(cross)),
    ).toBe(false);
    expect(await entryFor(t, bearer(owner.access_token), space.id, 'space.delete', cross)).toMatchObject({
      outcome: 'denied',
    });
  });

  it('never writes a secret, password or token used in this run', async () => {
    const dump = JSON.stringify(await t.sql(`select *, encode(hash, 'hex') as h from audit_logs`));
    expect(dump.length).toBeGreaterThan(1000);
    expect(secrets.length).toBeGreaterThan(15);
    for (const secret of secrets) {
      expect(dump).not.toContain(secret);
      // Nor its distinctive tail (a key's secret part, a token's signature).
      expect(dump).not.toContain(secret.slice(-24));
    }
  });
});

describe('audit log: rate-limit rejections', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      env: { RATE_LIMITS_ENABLED: 'true', TIERS_JSON: JSON.stringify({ tiny: 5 }), DEFAULT_TIER: 'tiny' },
    });
  });
  afterAll(() => t.close());

  it('aggregates rejections into one entry per actor and window, with the count', async () => {
    const owner = await signup(t.app);
    const space = await createSpace(t.app, owner.access_token);
    const key = await createKey(t.app, bearer(owner.access_token), space.id, { is_admin: true, label: 'noisy' });
    const ip = someIp();
    const answers = [];
    for (let i = 0; i < 12; i++)
      answers.push(
        await t.app.inject({
          method: 'GET',
          url: `/api/spaces/${space.id}`,
          headers: { 'x-api-key': key.key },
          remoteAddress: ip,
        }),
      );
    const rejected = answers.filter((r) => r.statusCode === 429);
    expect(rejected.length).toBeGreaterThanOrEqual(8);
    const read = () =>
      t.sql<{ outcome: string; actor_id: string; request_id: string; metadata: Record<string, unknown> }>(
        `select action, outcome, actor_id, request_id, metadata from audit_logs where space_id = ? and action = 'rate_limit.exceeded' order by at`,
        [space.id],
      );
    // The first rejection is in the log at once, with its own request id.
    const first = await read();
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({
      outcome: 'denied',
      actor_id: key.id,
      request_id: requestIdOf(rejected[0]),
      metadata: { count: 1, operation: 'space.read' },
    });
    // The rest of the window becomes one aggregate entry.
    await t.app.get(AuditObserver).flush();
    const entries = await read();
    expect(entries).toHaveLength(2);
    expect(entries[1]).toMatchObject({
      outcome: 'denied',
      actor_id: key.id,
      request_id: requestIdOf(rejected[1]),
      metadata: { count: rejected.length - 1, aggregated: true, operation: 'space.read' },
    });
  });
});
