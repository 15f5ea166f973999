import { Injectable } from '@nestjs/common';
import { EntityManager, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import {
  conflict,
  decodeCursor,
  DEFAULT_PAGE_SIZE,
  forbidden,
  isUuid,
  notFound,
  Page,
  PageQueryDto,
  Principal,
  Role,
  toPage,
} from '@app/common';
import { actorOf, AuditWriter } from '@app/audit';
import { AddMemberDto, MemberDto, UpdateMemberDto } from './dto/member.dto';
import { SpaceAccess, SpaceAccessService } from './space-access.service';
import {
  countOwners,
  deleteMember,
  insertMember,
  lockMemberAndOwners,
  MemberRow,
  memberOfSpace,
  membersOfSpace,
  setMemberRole,
  userIdByEmail,
} from './spaces.queries';

const toDto = (r: MemberRow): MemberDto => ({
  user_id: r.user_id,
  email: r.email,
  name: r.name,
  role: r.role,
  created_at: new Date(r.created_at).toISOString(),
});

const memberNotFound = () => notFound('No such member in this space.');

@Injectable()
export class SpaceMembersService {
  constructor(
    private readonly em: EntityManager,
    private readonly access: SpaceAccessService,
    private readonly audit: AuditWriter,
  ) {}

  async list(principal: Principal, spaceId: string, query: PageQueryDto): Promise<Page<MemberDto>> {
    await this.access.authorize(principal, spaceId, 'members.read');
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const after = decodeCursor<{ id: string }>(query.cursor, ['id']);
    const rows = await membersOfSpace.rows(this.em, { spaceId, after: after?.id ?? null, limit: limit + 1 });
    return toPage(rows, limit, (r) => ({ id: r.user_id }), toDto);
  }

  async add(principal: Principal, spaceId: string, dto: AddMemberDto): Promise<MemberDto> {
    const access = await this.access.authorize(principal, spaceId, 'members.manage');
    this.assertMayGrant(access, dto.role);
    const user = await userIdByEmail.first(this.em, { email: dto.email });
    if (!user) throw notFound('No account has this email; the person must sign up first.');
    try {
      await this.em.transactional(async (em) => {
        await insertMember.rows(em, { spaceId, userId: user.id, role: dto.role });
        await this.audit.append(em, {
          spaceId,
          actor: actorOf(principal),
          action: 'member.add',
          resource: { type: 'member', id: user.id },
          changes: { role: [null, dto.role] },
          metadata: { email: dto.email },
        });
      });
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException)
        throw conflict('This user is already a member of the space.');
      throw error;
    }
    return this.get(spaceId, user.id);
  }

  async update(principal: Principal, spaceId: string, userId: string, dto: UpdateMemberDto): Promise<MemberDto> {
    const access = await this.access.authorize(principal, spaceId, 'members.manage');
    await this.em.transactional(async (em) => {
      const target = await this.lockMember(em, spaceId, userId);
      this.assertMayTouch(access, target);
      this.assertMayGrant(access, dto.role);
      if (target === 'owner' && dto.role !== 'owner') await this.assertNotLastOwner(em, spaceId);
      await setMemberRole.rows(em, { spaceId, userId, role: dto.role });
      await this.audit.append(em, {
        spaceId,
        actor: actorOf(principal),
        action: 'member.role_change',
        resource: { type: 'member', id: userId },
        changes: { role: [target, dto.role] },
      });
    });
    return this.get(spaceId, userId);
  }

  /** Removing someone needs members.manage; anyone may leave (remove themselves). */
  async remove(principal: Principal, spaceId: string, userId: string): Promise<void> {
    const leaving = principal.kind === 'user' && principal.id === userId;
    const access = leaving
      ? await this.access.resolve(principal, spaceId)
      : await this.access.authorize(principal, spaceId, 'members.manage');
    await this.em.transactional(async (em) => {
      const target = await this.lockMember(em, spaceId, userId);
      if (!leaving) this.assertMayTouch(access, target);
      if (target === 'owner') await this.assertNotLastOwner(em, spaceId);
      await deleteMember.rows(em, { spaceId, userId });
      await this.audit.append(em, {
        spaceId,
        actor: actorOf(principal),
        action: leaving ? 'member.leave' : 'member.remove',
        resource: { type: 'member', id: userId },
        changes: { role: [target, null] },
      });
    });
  }

  private async get(spaceId: string, userId: string): Promise<MemberDto> {
    const row = await memberOfSpace.first(this.em, { spaceId, userId });
    if (!row) throw memberNotFound();
    return toDto(row);
  }

  /** Locks the space's owner rows too, so two concurrent demotions cannot remove the last owner. */
  private async lockMember(em: EntityManager, spaceId: string, userId: string): Promise<Role> {
    if (!isUuid(userId)) throw memberNotFound();
    const rows = await lockMemberAndOwners.rows(em, { spaceId, userId });
    const target = rows.find((r) => r.user_id === userId);
    if (!target) throw memberNotFound();
    return target.role;
  }

  private async assertNotLastOwner(em: EntityManager, spaceId: string): Promise<void> {
    const counted = await countOwners.first(em, { spaceId });
    if ((counted?.owners ?? 0) <= 1)
      throw conflict('The last owner cannot leave or be demoted; make another member owner first.');
  }

  /** Admins manage members below owner; only owners touch owners. */
  private assertMayTouch(access: SpaceAccess, target: Role): void {
    if (target === 'owner' && !this.access.allows(access, 'owners.manage'))
      throw forbidden('Only an owner may change or remove an owner.');
  }

  private assertMayGrant(access: SpaceAccess, role: Role): void {
    if (role === 'owner' && !this.access.allows(access, 'owners.manage'))
      throw forbidden('Only an owner may make someone an owner.');
  }
}
