import { createTestApp, TestApp } from './create-test-app';
import { addMember, bearer, createSpace, signup, TestUser, uniqueEmail } from './factories';
import type { MeUserDto, MemberDto, Page, SpaceDto } from './json';

describe('spaces and members', () => {
  let t: TestApp;
  const adminEmail = uniqueEmail('platform');
  const inject = (opts: Parameters<TestApp['app']['inject']>[0]) => t.app.inject(opts);
  beforeAll(async () => {
    t = await createTestApp({ env: { PLATFORM_ADMIN_EMAILS: adminEmail } });
  });
  afterAll(() => t.close());

  it('creates a space owned by its creator on the default tier', async () => {
    const u = await signup(t.app);
    const res = await inject({
      method: 'POST',
      url: '/api/spaces',
      headers: bearer(u.access_token),
      payload: { name: '  Acme  ' },
    });
    expect(res.statusCode).toBe(201);
    const space = res.json<SpaceDto>();
    expect(space).toMatchObject({ name: 'Acme', tier: 'free', rate_limit_per_minute: 50, role: 'owner' });
    const got = await inject({ method: 'GET', url: `/api/spaces/${space.id}`, headers: bearer(u.access_token) });
    expect(got.json()).toEqual(space);
    const members = (
      await inject({ method: 'GET', url: `/api/spaces/${space.id}/members`, headers: bearer(u.access_token) })
    ).json<Page<MemberDto>>();
    expect(members.data).toEqual([expect.objectContaining({ user_id: u.id, email: u.email, role: 'owner' })]);
  });

  it('validates space names', async () => {
    const u = await signup(t.app);
    for (const payload of [{}, { name: '' }, { name: '   ' }, { name: 'x'.repeat(101) }, { name: 5 }]) {
      const res = await inject({ method: 'POST', url: '/api/spaces', headers: bearer(u.access_token), payload });
      expect(res.statusCode).toBe(400);
    }
  });

  it("lists only the caller's spaces, with keyset pagination", async () => {
    const u = await signup(t.app);
    const other = await signup(t.app);
    await createSpace(t.app, other.access_token, 'not mine');
    const mine = [];
    for (let i = 0; i < 5; i++) mine.push((await createSpace(t.app, u.access_token, `s${i}`)).id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/api/spaces?limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = (await inject({ method: 'GET', url, headers: bearer(u.access_token) })).json<Page<SpaceDto>>();
      expect(page.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.data.map((s) => s.id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen).toEqual(mine);
    expect(
      (await inject({ method: 'GET', url: '/api/spaces?cursor=%%%', headers: bearer(u.access_token) })).statusCode,
    ).toBe(400);
    expect(
      (await inject({ method: 'GET', url: '/api/spaces?limit=0', headers: bearer(u.access_token) })).statusCode,
    ).toBe(400);
    expect(
      (await inject({ method: 'GET', url: '/api/spaces?limit=1001', headers: bearer(u.access_token) })).statusCode,
    ).toBe(400);
  });

  it('answers 404, never 403, for spaces the caller is not in', async () => {
    const owner = await signup(t.app);
    const stranger = await signup(t.app);
    const space = await createSpace(t.app, owner.access_token);
    const h = bearer(stranger.access_token);
    for (const [method, url, payload] of [
      ['GET', `/api/spaces/${space.id}`],
      ['PATCH', `/api/spaces/${space.id}`, { name: 'mine now' }],
      ['DELETE', `/api/spaces/${space.id}`],
      ['GET', `/api/spaces/${space.id}/members`],
      ['POST', `/api/spaces/${space.id}/members`, { email: stranger.email, role: 'owner' }],
      ['GET', '/api/spaces/not-a-uuid'],
      ['GET', '/api/spaces/0190b7a4-0000-7000-8000-000000000000'],
    ] as const) {
      const res = await inject({ method, url, headers: h, payload });
      expect({ method, url, status: res.statusCode }).toEqual({ method, url, status: 404 });
    }
  });

  describe('role matrix', () => {
    let owner: TestUser;
    const byRole: Record<string, TestUser> = {};
    beforeAll(async () => {
      owner = await signup(t.app);
      for (const role of ['admin', 'editor', 'viewer']) byRole[role] = await signup(t.app);
      byRole.owner = owner;
    });

    async function spaceWithRoles() {
      const space = await createSpace(t.app, owner.access_token);
      for (const role of ['admin', 'editor', 'viewer'])
        await addMember(t.app, owner.access_token, space.id, byRole[role].email, role);
      return space;
    }

    // role → expected status for each space action
    const matrix: Record<string, Record<string, number>> = {
      'get space': { owner: 200, admin: 200, editor: 200, viewer: 200 },
      'rename space': { owner: 200, admin: 403, editor: 403, viewer: 403 },
      'change tier': { owner: 403, admin: 403, editor: 403, viewer: 403 },
      'list members': { owner: 200, admin: 200, editor: 403, viewer: 403 },
      'add member': { owner: 201, admin: 201, editor: 403, viewer: 403 },
      'add owner': { owner: 201, admin: 403, editor: 403, viewer: 403 },
      'change a viewer': { owner: 200, admin: 200, editor: 403, viewer: 403 },
      'demote an owner': { owner: 200, admin: 403, editor: 403, viewer: 403 },
      'remove an editor': { owner: 204, admin: 204, editor: 403, viewer: 403 },
      'delete space': { owner: 204, admin: 403, editor: 403, viewer: 403 },
    };

    it.each(Object.keys(matrix))('%s', async (action) => {
      for (const role of ['owner', 'admin', 'editor', 'viewer']) {
        const space = await spaceWithRoles();
        const h = bearer(byRole[role].access_token);
        const base = `/api/spaces/${space.id}`;
        let res;
        switch (action) {
          case 'get space':
            res = await inject({ method: 'GET', url: base, headers: h });
            break;
          case 'rename space':
            res = await inject({ method: 'PATCH', url: base, headers: h, payload: { name: 'renamed' } });
            break;
          case 'change tier':
            res = await inject({ method: 'PATCH', url: base, headers: h, payload: { tier: 'business' } });
            break;
          case 'list members':
            res = await inject({ method: 'GET', url: `${base}/members`, headers: h });
            break;
          case 'add member':
            res = await inject({
              method: 'POST',
              url: `${base}/members`,
              headers: h,
              payload: { email: (await signup(t.app)).email, role: 'editor' },
            });
            break;
          case 'add owner':
            res = await inject({
              method: 'POST',
              url: `${base}/members`,
              headers: h,
              payload: { email: (await signup(t.app)).email, role: 'owner' },
            });
            break;
          case 'change a viewer':
            res = await inject({
              method: 'PATCH',
              url: `${base}/members/${byRole.viewer.id}`,
              headers: h,
              payload: { role: 'editor' },
            });
            break;
          case 'demote an owner': {
            const second = await signup(t.app);
            await addMember(t.app, owner.access_token, space.id, second.email, 'owner');
            res = await inject({
              method: 'PATCH',
              url: `${base}/members/${second.id}`,
              headers: h,
              payload: { role: 'admin' },
            });
            break;
          }
          case 'remove an editor': {
            const target = await signup(t.app);
            await addMember(t.app, owner.access_token, space.id, target.email, 'editor');
            res = await inject({ method: 'DELETE', url: `${base}/members/${target.id}`, headers: h });
            break;
          }
          case 'delete space':
            res = await inject({ method: 'DELETE', url: base, headers: h });
            break;
        }
        expect({ action, role, status: res?.statusCode }).toEqual({ action, role, status: matrix[action][role] });
      }
    });
  });

  describe('members', () => {
    it('adds by email only existing users, once', async () => {
      const owner = await signup(t.app);
      const space = await createSpace(t.app, owner.access_token);
      const url = `/api/spaces/${space.id}/members`;
      expect(
        (
          await inject({
            method: 'POST',
            url,
            headers: bearer(owner.access_token),
            payload: { email: uniqueEmail('ghost'), role: 'viewer' },
          })
        ).statusCode,
      ).toBe(404);
      const u = await signup(t.app);
      const added = await inject({
        method: 'POST',
        url,
        headers: bearer(owner.access_token),
        payload: { email: u.email.toUpperCase(), role: 'viewer' },
      });
      expect(added.statusCode).toBe(201);
      expect(added.json()).toMatchObject({ user_id: u.id, email: u.email, role: 'viewer' });
      expect(
        (
          await inject({
            method: 'POST',
            url,
            headers: bearer(owner.access_token),
            payload: { email: u.email, role: 'editor' },
          })
        ).statusCode,
      ).toBe(409);
      expect(
        (
          await inject({
            method: 'POST',
            url,
            headers: bearer(owner.access_token),
            payload: { email: u.email, role: 'god' },
          })
        ).statusCode,
      ).toBe(400);
      // The new member sees the space with their role.
      expect(
        (
          await inject({ method: 'GET', url: `/api/spaces/${space.id}`, headers: bearer(u.access_token) })
        ).json<SpaceDto>().role,
      ).toBe('viewer');
    });

    it('keeps at least one owner', async () => {
      const owner = await signup(t.app);
      const space = await createSpace(t.app, owner.access_token);
      const base = `/api/spaces/${space.id}/members`;
      const h = bearer(owner.access_token);
      expect((await inject({ method: 'DELETE', url: `${base}/${owner.id}`, headers: h })).statusCode).toBe(409);
      expect(
        (await inject({ method: 'PATCH', url: `${base}/${owner.id}`, headers: h, payload: { role: 'admin' } }))
          .statusCode,
      ).toBe(409);
      const second = await signup(t.app);
      await addMember(t.app, owner.access_token, space.id, second.email, 'owner');
      expect((await inject({ method: 'DELETE', url: `${base}/${owner.id}`, headers: h })).statusCode).toBe(204);
      expect((await inject({ method: 'GET', url: `/api/spaces/${space.id}`, headers: h })).statusCode).toBe(404);
      expect(
        (await inject({ method: 'DELETE', url: `${base}/${second.id}`, headers: bearer(second.access_token) }))
          .statusCode,
      ).toBe(409);
    });

    it('lets any member leave', async () => {
      const owner = await signup(t.app);
      const viewer = await signup(t.app);
      const space = await createSpace(t.app, owner.access_token);
      await addMember(t.app, owner.access_token, space.id, viewer.email, 'viewer');
      const res = await inject({
        method: 'DELETE',
        url: `/api/spaces/${space.id}/members/${viewer.id}`,
        headers: bearer(viewer.access_token),
      });
      expect(res.statusCode).toBe(204);
      expect(
        (await inject({ method: 'GET', url: `/api/spaces/${space.id}`, headers: bearer(viewer.access_token) }))
          .statusCode,
      ).toBe(404);
    });

    it('answers 404 for a member that is not there', async () => {
      const owner = await signup(t.app);
      const space = await createSpace(t.app, owner.access_token);
      for (const id of ['nope', '0190b7a4-0000-7000-8000-000000000000']) {
        const res = await inject({
          method: 'PATCH',
          url: `/api/spaces/${space.id}/members/${id}`,
          headers: bearer(owner.access_token),
          payload: { role: 'viewer' },
        });
        expect(res.statusCode).toBe(404);
      }
    });
  });

  describe('platform admins and tiers', () => {
    it("lets a platform admin change any space's tier, and no one else", async () => {
      const owner = await signup(t.app);
      const admin = await signup(t.app, { email: adminEmail });
      const space = await createSpace(t.app, owner.access_token);
      const url = `/api/spaces/${space.id}`;
      expect(
        (await inject({ method: 'PATCH', url, headers: bearer(owner.access_token), payload: { tier: 'business' } }))
          .statusCode,
      ).toBe(403);
      const res = await inject({
        method: 'PATCH',
        url,
        headers: bearer(admin.access_token),
        payload: { tier: 'business' },
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ tier: 'business', rate_limit_per_minute: 500 });
      expect((await inject({ method: 'GET', url, headers: bearer(owner.access_token) })).json()).toMatchObject({
        tier: 'business',
        rate_limit_per_minute: 500,
      });
      const unknown = await inject({
        method: 'PATCH',
        url,
        headers: bearer(admin.access_token),
        payload: { tier: 'platinum' },
      });
      expect(unknown.statusCode).toBe(400);
      // Not a member: may set the tier, but nothing else.
      expect(
        (await inject({ method: 'PATCH', url, headers: bearer(admin.access_token), payload: { name: 'x' } }))
          .statusCode,
      ).toBe(404);
      expect((await inject({ method: 'GET', url, headers: bearer(admin.access_token) })).statusCode).toBe(404);
      expect(
        (await inject({ method: 'GET', url: '/api/auth/me', headers: bearer(admin.access_token) })).json<MeUserDto>()
          .is_platform_admin,
      ).toBe(true);
    });
  });

  it('deleting a space removes everything in it', async () => {
    const owner = await signup(t.app);
    const member = await signup(t.app);
    const space = await createSpace(t.app, owner.access_token);
    await addMember(t.app, owner.access_token, space.id, member.email, 'editor');
    expect(
      (await inject({ method: 'DELETE', url: `/api/spaces/${space.id}`, headers: bearer(owner.access_token) }))
        .statusCode,
    ).toBe(204);
    expect(
      (await inject({ method: 'GET', url: `/api/spaces/${space.id}`, headers: bearer(owner.access_token) })).statusCode,
    ).toBe(404);
    expect(await t.sql('select * from space_members where space_id = ?', [space.id])).toEqual([]);
  });
});
