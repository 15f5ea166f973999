import type { Role } from '@app/common';
import { statement } from '@app/database';

/** Every statement of the spaces lib that is not a MikroORM entity operation. */

export interface MemberRow {
  user_id: string;
  email: string;
  name: string | null;
  role: Role;
  created_at: Date;
}

export interface MemberSpaceRow {
  id: string;
  name: string;
  tier: string;
  created_at: Date;
  role: Role;
}

/** The hot one: a user's role, read once per request that names a space. */
export const roleInSpace = statement<{ spaceId: string; userId: string }, { role: Role }>(
  'role-in-space',
  'select role from space_members where space_id = :spaceId and user_id = :userId',
);

export const tierOfSpace = statement<{ spaceId: string }, { tier: string }>(
  'tier-of-space',
  'select tier from spaces where id = :spaceId',
);

/** One keyset page of a user's spaces, `after` the last space id of the previous page (null: from the start). */
export const spacesOfUser = statement<{ userId: string; after: string | null; limit: number }, MemberSpaceRow>(
  'spaces-of-user',
  `select s.id, s.name, s.tier, s.created_at, m.role
     from space_members m join spaces s on s.id = m.space_id
    where m.user_id = :userId and (:after::uuid is null or m.space_id > :after::uuid)
    order by m.space_id limit :limit`,
);

export const deleteSpace = statement<{ spaceId: string }, { name: string; tier: string }>(
  'delete-space',
  'delete from spaces where id = :spaceId returning name, tier',
);

export const insertMember = statement<{ spaceId: string; userId: string; role: Role }>(
  'insert-member',
  'insert into space_members (space_id, user_id, role) values (:spaceId, :userId, :role)',
);

/** One keyset page of a space's members, `after` the last user id of the previous page. */
export const membersOfSpace = statement<{ spaceId: string; after: string | null; limit: number }, MemberRow>(
  'members-of-space',
  `select m.user_id, u.email, u.name, m.role, m.created_at
     from space_members m join users u on u.id = m.user_id
    where m.space_id = :spaceId and (:after::uuid is null or m.user_id > :after::uuid)
    order by m.user_id limit :limit`,
);

export const memberOfSpace = statement<{ spaceId: string; userId: string }, MemberRow>(
  'member-of-space',
  `select m.user_id, u.email, u.name, m.role, m.created_at
     from space_members m join users u on u.id = m.user_id
    where m.space_id = :spaceId and m.user_id = :userId`,
);

export const userIdByEmail = statement<{ email: string }, { id: string }>(
  'user-id-by-email',
  'select id from users where email = :email',
);

/** Locks the member and every owner row, so two concurrent demotions cannot remove the last owner. */
export const lockMemberAndOwners = statement<{ spaceId: string; userId: string }, { user_id: string; role: Role }>(
  'lock-member-and-owners',
  `select user_id, role from space_members
    where space_id = :spaceId and (user_id = :userId or role = 'owner')
    order by user_id for update`,
);

export const countOwners = statement<{ spaceId: string }, { owners: number }>(
  'count-owners',
  `select count(*)::int as owners from space_members where space_id = :spaceId and role = 'owner'`,
);

export const setMemberRole = statement<{ spaceId: string; userId: string; role: Role }>(
  'set-member-role',
  'update space_members set role = :role where space_id = :spaceId and user_id = :userId',
);

export const deleteMember = statement<{ spaceId: string; userId: string }>(
  'delete-member',
  'delete from space_members where space_id = :spaceId and user_id = :userId',
);
