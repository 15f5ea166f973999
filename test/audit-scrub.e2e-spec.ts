import { createTestApp, TestApp } from './create-test-app';
import { bearer, createKey, createSpace, signup } from './factories';
import { entryFor } from './audit-helpers';
import type { Resource, Row } from './json';

/** The audit log cannot be edited, so credentials written into records must never reach it raw. */
describe('audit log: record changes are scrubbed of credentials', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('redacts keys, JWTs and refresh tokens in record values, and members named like secrets', async () => {
    const owner = await signup(t.app);
    const h = bearer(owner.access_token);
    const space = await createSpace(t.app, owner.access_token);
    const key = await createKey(t.app, h, space.id, { collection_permissions: { notes: ['read', 'write', 'delete'] } });
    const fields = [
      { name: 'body', type: 'text' },
      { name: 'meta', type: 'json' },
      { name: 'token', type: 'text' },
    ];
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: `/api/spaces/${space.id}/collections`,
          headers: h,
          payload: { name: 'notes', fields },
        })
      ).statusCode,
    ).toBe(201);
    const secrets = [key.key, owner.access_token, owner.refresh_token, 'plain-looking-secret-value'];
    const payload = {
      body: `my key is ${key.key} and my jwt ${owner.access_token}`,
      meta: { nested: [owner.refresh_token], note: 'kept' },
      token: 'plain-looking-secret-value',
    };
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/collections/notes/records',
      headers: { 'x-api-key': key.key },
      payload,
    });
    expect(created.statusCode).toBe(201);
    // The record itself keeps what the tenant wrote.
    expect(created.json<Row>().body).toBe(payload.body);
    const entry = await entryFor(t, h, space.id, 'record.create', created);
    expect(entry.changes).toEqual({
      body: [null, 'my key is [redacted] and my jwt [redacted]'],
      meta: [null, { nested: ['[redacted]'], note: 'kept' }],
      token: ['[redacted]', '[redacted]'],
    });
    const id = created.json<Resource>().id;
    const upd = await t.app.inject({
      method: 'PATCH',
      url: `/api/collections/notes/records/${id}`,
      headers: { 'x-api-key': key.key },
      payload: { body: `now ${owner.refresh_token}` },
    });
    expect(upd.statusCode).toBe(200);
    expect((await entryFor(t, h, space.id, 'record.update', upd)).changes).toEqual({
      body: ['my key is [redacted] and my jwt [redacted]', 'now [redacted]'],
    });
    const del = await t.app.inject({
      method: 'DELETE',
      url: `/api/collections/notes/records/${id}`,
      headers: { 'x-api-key': key.key },
    });
    expect(del.statusCode).toBe(204);
    const batch = await t.app.inject({
      method: 'POST',
      url: '/api/collections/notes/records/batch',
      headers: { 'x-api-key': key.key },
      payload: { records: [payload, payload] },
    });
    expect(batch.statusCode).toBe(201);

    const dump = JSON.stringify(await t.sql(`select * from audit_logs where space_id = ?`, [space.id]));
    expect(dump).toContain('record.delete');
    for (const secret of secrets) expect(dump).not.toContain(secret);
  });
});
