import { AuditSequencer } from '@app/audit';
import { uuidv7 } from '@app/common';
import { createTestApp, TestApp } from './create-test-app';
import { bearer, createCollection, createKey, createSpace, signup } from './factories';

/**
 * Entries join their chain after their change commits (docs/audit.md): many writers in a
 * space never queue on the chain's head, and the chain still comes out gap-free, fork-free
 * and verifiable, with exactly one entry per acknowledged write.
 */
describe('audit chain under concurrent writers', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('links 100 concurrent writes across 3 spaces into three valid chains, one entry each', async () => {
    const owner = await signup(t.app);
    const spaces = await Promise.all([0, 1, 2].map(() => createSpace(t.app, owner.access_token)));
    const keys = await Promise.all(
      spaces.map(async (s) => {
        const h = { 'x-api-key': (await createKey(t.app, bearer(owner.access_token), s.id, { is_admin: true })).key };
        await createCollection(t.app, h, s.id, { name: 'events', fields: [{ name: 'n', type: 'integer' }] });
        return h;
      }),
    );
    const writes = await Promise.all(
      Array.from({ length: 100 }, (_, n) =>
        t.app.inject({ method: 'POST', url: '/api/collections/events/records', headers: keys[n % 3], payload: { n } }),
      ),
    );
    expect(writes.map((w) => w.statusCode)).toEqual(Array(100).fill(201));
    const ids = writes.map((w) => w.json<{ id: string }>().id);

    // Before linking, every entry is already committed with its change.
    const entries = await t.sql<{ resource_id: string; n: number }>(
      `select resource_id, count(*)::int as n from audit_logs where action = 'record.create' group by resource_id`,
    );
    expect(entries.filter((e) => ids.includes(e.resource_id)).map((e) => e.n)).toEqual(Array(100).fill(1));

    await t.app.get(AuditSequencer).sweep();
    for (const [i, space] of spaces.entries()) {
      const verify = await t.app.inject({
        method: 'GET',
        url: `/api/spaces/${space.id}/audit-logs/verify`,
        headers: bearer(owner.access_token),
      });
      expect(verify.json()).toMatchObject({ valid: true });
      const seqs = await t.sql<{ seq: string }>(`select seq from audit_logs where space_id = ? order by seq`, [
        space.id,
      ]);
      // 1..n with no gaps and no entry left unlinked; the space's writes are all in it.
      expect(seqs.map((r) => Number(r.seq))).toEqual(seqs.map((_, j) => j + 1));
      const [mine] = await t.sql<{ n: number }>(
        `select count(*)::int as n from audit_logs where space_id = ? and action = 'record.create'`,
        [space.id],
      );
      expect(mine.n).toBe(Math.ceil((100 - i) / 3));
    }
  });

  it("lets no one but the sequencer set an entry's place in the chain", async () => {
    const [entry] = await t.sql<{ space_id: string; id: string }>(
      `select space_id, id from audit_logs where seq is not null limit 1`,
    );
    await expect(
      t.sql(`update audit_logs set seq = 999999, hash = '\\x00' where space_id = ? and id = ?`, [
        entry.space_id,
        entry.id,
      ]),
    ).rejects.toThrow(/append-only/);
    // With the sequencer's flag, a "link" that changes anything besides the link columns is
    // refused too. Entry and attempt in one transaction, so no sequencer links it first.
    const space = uuidv7();
    const forge = (set: string) =>
      t.sql(`do $$
             declare entry uuid;
             begin
               insert into audit_logs (space_id, actor_type, action, outcome, changes)
                 values ('${space}', 'anonymous', 'record.create', 'success', '{"n": {"new": 1}}') returning id into entry;
               perform set_config('portico.audit_link', 'on', true);
               update audit_logs set seq = 999999, hash = '\\x00'${set} where space_id = '${space}' and id = entry;
             end $$`);
    await expect(forge(`, action = 'record.delete'`)).rejects.toThrow(/append-only/);
    await expect(forge(`, changes = null`)).rejects.toThrow(/append-only/);
    await expect(forge(`, at = at - interval '1 day'`)).rejects.toThrow(/append-only/);
    // The same statement setting only the link columns passes: the refusals above are the comparison's.
    await forge('');
    const [forged] = await t.sql<{ seq: string }>(`select seq from audit_logs where space_id = ?`, [space]);
    expect(forged.seq).toBe('999999');
  });
});
