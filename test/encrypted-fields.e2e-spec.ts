import { execFileSync } from 'node:child_process';
import { createTestApp, TestApp } from './create-test-app';
import { bearer, createKey, createSpace, signup } from './factories';
import type { Problem } from './json';

const PATIENTS = {
  name: 'patients',
  fields: [
    { name: 'ssn', type: 'text', encrypted: true, unique: true },
    { name: 'email', type: 'email', encrypted: true },
    { name: 'site', type: 'url', encrypted: true },
    { name: 'born', type: 'date', encrypted: true },
    { name: 'seen', type: 'datetime', encrypted: true },
    { name: 'plan', type: 'select', encrypted: true, options: { choices: ['basic', 'gold'] } },
    { name: 'notes', type: 'json', encrypted: true },
    { name: 'age', type: 'integer' },
  ],
};
const ALICE = {
  ssn: '078-05-1120',
  email: 'alice.secret@example.com',
  site: 'https://alice-private.example.com/x',
  born: '1980-02-29',
  seen: '2026-12-03T10:20:30.000Z',
  plan: 'gold',
  notes: { allergy: 'penicillin-xyz', visits: [1, 2] },
  age: 46,
};
const BOB = {
  ...ALICE,
  ssn: '219-09-9999',
  email: 'bob.hidden@example.com',
  plan: 'basic',
  notes: { allergy: 'none-q' },
};
const PLAINTEXTS = [
  '078-05-1120',
  'alice.secret',
  'alice-private',
  'penicillin-xyz',
  '219-09-9999',
  'bob.hidden',
  '1980-02-29',
];

type Row = Record<string, unknown> & { id: string };

/** Encrypted fields through HTTP (API.md, "Encrypted fields"). */
describe('encrypted fields', () => {
  let t: TestApp;
  let h: Record<string, string>;
  let spaceId: string;
  let base: string;
  let alice: Row;
  let bob: Row;

  beforeAll(async () => {
    t = await createTestApp();
    const owner = await signup(t.app);
    h = bearer(owner.access_token);
    spaceId = (await createSpace(t.app, owner.access_token)).id;
    const made = await t.app.inject({
      method: 'POST',
      url: `/api/spaces/${spaceId}/collections`,
      headers: h,
      payload: PATIENTS,
    });
    expect(made.statusCode).toBe(201);
    base = `/api/spaces/${spaceId}/collections/patients/records`;
    alice = (await t.app.inject({ method: 'POST', url: base, headers: h, payload: ALICE })).json<Row>();
    bob = (await t.app.inject({ method: 'POST', url: base, headers: h, payload: BOB })).json<Row>();
  });
  afterAll(() => t.close());

  const list = (query: string, headers = h) => t.app.inject({ method: 'GET', url: `${base}?${query}`, headers });

  it('returns every encryptable type as written, and stores none of it in clear', async () => {
    expect(alice).toMatchObject(ALICE);
    const one = await t.app.inject({ method: 'GET', url: `${base}/${alice.id}`, headers: h });
    expect(one.json()).toMatchObject(ALICE);
    expect(
      (await list('limit=10'))
        .json<{ data: Row[] }>()
        .data.map((r) => r.ssn)
        .sort(),
    ).toEqual([ALICE.ssn, BOB.ssn].sort());
    // The whole database as a dump sees it: pg_dump on Postgres, every table read in full
    // on the embedded one (which pg_dump cannot reach); and every log line.
    const tables = await t.sql<{ name: string }>(
      `select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`,
    );
    expect(tables.map((x) => x.name)).toEqual(expect.arrayContaining(['records', 'audit_logs', 'record_uniques']));
    const rows = await Promise.all(tables.map((x) => t.sql(`select * from "${x.name}"`)));
    const dump =
      JSON.stringify(rows) +
      (t.db.kind === 'postgres'
        ? execFileSync('pg_dump', ['--data-only', '--inserts', t.db.url], { encoding: 'utf8', maxBuffer: 1 << 28 })
        : '');
    if (t.db.kind === 'postgres') expect(dump).toContain('INSERT INTO public.records');
    for (const secret of PLAINTEXTS)
      expect({ secret, inDump: dump.includes(secret) }).toEqual({ secret, inDump: false });
    const logs = t.logs.join('\n');
    for (const secret of PLAINTEXTS)
      expect({ secret, inLogs: logs.includes(secret) }).toEqual({ secret, inLogs: false });
    const [audit] = await t.sql<{ changes: Record<string, unknown> }>(
      `select changes from audit_logs where action = 'record.create' and resource_id = ?`,
      [alice.id],
    );
    expect(audit.changes).toMatchObject({ ssn: [null, '[encrypted]'], notes: [null, '[encrypted]'], age: [null, 46] });
  });

  it('filters encrypted fields by eq, ne, in, nin and is_null, and refuses the rest with 400', async () => {
    const ids = async (filter: unknown) => {
      const res = await list(`filter=${encodeURIComponent(JSON.stringify(filter))}`);
      expect(res.statusCode).toBe(200);
      return res.json<{ data: Row[] }>().data.map((r) => r.id);
    };
    expect(await ids({ ssn: { eq: ALICE.ssn } })).toEqual([alice.id]);
    expect(await ids({ ssn: ALICE.ssn })).toEqual([alice.id]);
    expect(await ids({ ssn: { ne: ALICE.ssn } })).toEqual([bob.id]);
    expect((await ids({ plan: { in: ['gold', 'basic'] } })).sort()).toEqual([alice.id, bob.id].sort());
    expect(await ids({ plan: { nin: ['gold'] } })).toEqual([bob.id]);
    expect(await ids({ seen: { eq: '2026-12-03T10:20:30Z' } })).toHaveLength(2); // normalised like the stored value
    expect(await ids({ notes: { eq: { visits: [1, 2], allergy: 'penicillin-xyz' } } })).toEqual([alice.id]);
    expect(await ids({ email: { is_null: true } })).toEqual([]);
    for (const [filter, op] of [
      [{ ssn: { gt: 'a' } }, 'gt'],
      [{ ssn: { contains: '078' } }, 'contains'],
      [{ email: { starts_with: 'alice' } }, 'starts_with'],
    ] as const) {
      const res = await list(`filter=${encodeURIComponent(JSON.stringify(filter))}`);
      expect({ op, status: res.statusCode }).toEqual({ op, status: 400 });
      expect(res.json<Problem>().detail).toMatch(/is encrypted: only eq, ne, in, nin, is_null apply/);
    }
    const sorted = await list('sort=ssn');
    expect(sorted.statusCode).toBe(400);
    expect(sorted.json<Problem>().detail).toMatch(/"ssn" is encrypted and cannot be sorted/);
  });

  it('keeps encrypted values unique, under concurrent inserts too', async () => {
    const again = await t.app.inject({ method: 'POST', url: base, headers: h, payload: { ...BOB, ssn: ALICE.ssn } });
    expect(again.statusCode).toBe(409);
    expect(again.json<Problem>().detail).toContain('"ssn"');
    expect(again.body).not.toContain(ALICE.ssn);
    const racing = await Promise.all(
      Array.from({ length: 6 }, () =>
        t.app.inject({ method: 'POST', url: base, headers: h, payload: { ...BOB, ssn: '555-55-5555' } }),
      ),
    );
    expect(racing.map((r) => r.statusCode).sort()).toEqual([201, 409, 409, 409, 409, 409]);
  });

  it('applies field rules to encrypted fields', async () => {
    const hide = await createKey(t.app, h, spaceId, {
      collection_permissions: {
        patients: { read: true, write: true, exclude_fields: ['ssn'], writable_fields: ['plan'] },
      },
    });
    const seen = await t.app.inject({ method: 'GET', url: `${base}/${alice.id}`, headers: { 'x-api-key': hide.key } });
    expect(seen.json()).not.toHaveProperty('ssn');
    expect(seen.json()).toMatchObject({ email: ALICE.email });
    const write = await t.app.inject({
      method: 'PATCH',
      url: `${base}/${alice.id}`,
      headers: { 'x-api-key': hide.key },
      payload: { ssn: '000-00-0000' },
    });
    expect(write.statusCode).toBe(403);
    const plan = await t.app.inject({
      method: 'PATCH',
      url: `${base}/${alice.id}`,
      headers: { 'x-api-key': hide.key },
      payload: { plan: 'basic' },
    });
    expect(plan.json()).toMatchObject({ plan: 'basic' });
    expect(plan.json()).not.toHaveProperty('ssn');
    const filtered = await list(`filter=${encodeURIComponent(JSON.stringify({ ssn: ALICE.ssn }))}`, {
      'x-api-key': hide.key,
    });
    expect(filtered.statusCode).toBe(400);
  });

  it('refuses a ciphertext moved to another record, with a problem and a log line, not plaintext', async () => {
    const victim = (
      await t.app.inject({ method: 'POST', url: base, headers: h, payload: { ...BOB, ssn: '111-11-1111' } })
    ).json<Row>();
    await t.sql(
      `update records set data = jsonb_set(data, '{email}', (select data->'email' from records where id = ?)) where id = ?`,
      [alice.id, victim.id],
    );
    const res = await t.app.inject({ method: 'GET', url: `${base}/${victim.id}`, headers: h });
    expect(res.statusCode).toBe(409);
    expect(res.json<Problem>()).toMatchObject({ type: 'urn:portico:problem:undecryptable-value' });
    expect(res.body).not.toContain(ALICE.email);
    expect(t.logs.some((l) => l.includes(`record ${victim.id}`) && /field .+email.+ does not decrypt/.test(l))).toBe(
      true,
    );
    // Writing the field again repairs it.
    const fixed = await t.app.inject({
      method: 'PATCH',
      url: `${base}/${victim.id}`,
      headers: h,
      payload: { email: 'v@example.com' },
    });
    expect(fixed.json()).toMatchObject({ email: 'v@example.com' });
  });

  it('refuses, with the count, schema changes that would have to re-seal stored values', async () => {
    const patch = (payload: Record<string, unknown>) =>
      t.app.inject({ method: 'PATCH', url: `/api/spaces/${spaceId}/collections/patients`, headers: h, payload });
    // Encryption off and a new type at once: the values would be converted in two ways.
    const off = await patch({ update_fields: [{ name: 'email', type: 'text' }] });
    expect(off.statusCode).toBe(409);
    expect(off.json<Problem>().detail).toMatch(/record\(s\) hold values of "email"/);
    expect((await patch({ rename_fields: { ssn: 'national_id' } })).statusCode).toBe(409);
    expect((await patch({ update_fields: [{ name: 'age', type: 'integer', encrypted: true }] })).statusCode).toBe(400);
    const added = await patch({ add_fields: [{ name: 'token', type: 'text', encrypted: true }] });
    expect(added.statusCode).toBe(200);
    // The per-space document marks encrypted fields and the operators they keep.
    const doc = await t.app.inject({ method: 'GET', url: `/api/spaces/${spaceId}/openapi.json`, headers: h });
    expect(JSON.stringify(doc.json())).toContain('"x-portico-encrypted":true');
    expect(JSON.stringify(doc.json())).toContain('filter with eq, ne, in, nin, is_null only');
    const withToken = await t.app.inject({
      method: 'PATCH',
      url: `${base}/${bob.id}`,
      headers: h,
      payload: { token: 'tok-secret-1' },
    });
    expect(withToken.json()).toMatchObject({ token: 'tok-secret-1' });
  });
});
