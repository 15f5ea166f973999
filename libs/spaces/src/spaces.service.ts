import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { APP_CONFIG, AppConfig } from '@app/config';
import {
  badRequest,
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
  UserPrincipal,
  uuidv7,
} from '@app/common';
import { actorOf, AuditWriter } from '@app/audit';
import { CreateSpaceDto, SpaceDto, UpdateSpaceDto } from './dto/space.dto';
import { deleteSpace, insertMember, spacesOfUser } from './spaces.queries';
import { Space, SpaceSchema } from './space.entity';
import { SpaceAccessService } from './space-access.service';

@Injectable()
export class SpacesService {
  constructor(
    private readonly em: EntityManager,
    private readonly access: SpaceAccessService,
    private readonly audit: AuditWriter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private readonly tierListeners: ((spaceId: string) => void)[] = [];

  /** Called after a space's tier changes or the space is deleted. */
  onTierChange(listener: (spaceId: string) => void): void {
    this.tierListeners.push(listener);
  }

  /** The tier table is config's; a tier removed from it falls back to the default's budget. */
  limitOf(tier: string): number {
    const table = this.config.tiers.table;
    return table[tier] ?? table[this.config.tiers.defaultTier];
  }

  toDto(space: Pick<Space, 'id' | 'name' | 'tier' | 'createdAt'>, role?: Role): SpaceDto {
    return {
      id: space.id,
      name: space.name,
      tier: space.tier,
      rate_limit_per_minute: this.limitOf(space.tier),
      created_at: new Date(space.createdAt).toISOString(),
      ...(role ? { role } : {}),
    };
  }

  async create(user: UserPrincipal, dto: CreateSpaceDto): Promise<SpaceDto> {
    return this.em.transactional(async (em) => {
      const space = em.create(SpaceSchema, { id: uuidv7(), name: dto.name, tier: this.config.tiers.defaultTier });
      await em.flush();
      await insertMember.rows(em, { spaceId: space.id, userId: user.id, role: 'owner' });
      await this.audit.append(em, {
        spaceId: space.id,
        actor: actorOf(user),
        action: 'space.create',
        resource: { type: 'space', id: space.id },
        changes: { name: [null, space.name], tier: [null, space.tier] },
      });
      return this.toDto(space, 'owner');
    });
  }

  async list(principal: Principal, query: PageQueryDto): Promise<Page<SpaceDto>> {
    if (principal.kind === 'api_key') {
      const space = await this.em.findOneOrFail(SpaceSchema, { id: principal.spaceId });
      return { data: [this.toDto(space)], next_cursor: null };
    }
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const after = decodeCursor<{ id: string }>(query.cursor, ['id']);
    const rows = await spacesOfUser.rows(this.em, { userId: principal.id, after: after?.id ?? null, limit: limit + 1 });
    return toPage(
      rows,
      limit,
      (r) => ({ id: r.id }),
      (r) => this.toDto({ ...r, createdAt: r.created_at }, r.role),
    );
  }

  async get(principal: Principal, spaceId: string): Promise<SpaceDto> {
    const access = await this.access.authorize(principal, spaceId, 'space.read');
    return this.toDto(await this.em.findOneOrFail(SpaceSchema, { id: spaceId }), access.role);
  }

  async update(principal: Principal, spaceId: string, dto: UpdateSpaceDto): Promise<SpaceDto> {
    if (!isUuid(spaceId)) throw notFound('The space does not exist.');
    if (dto.name === undefined && dto.tier === undefined) throw badRequest('Nothing to change: give name or tier.');
    const platformAdmin = principal.kind === 'user' && principal.isPlatformAdmin;
    // A platform admin may set the tier of any space, member or not.
    const access = platformAdmin && dto.name === undefined ? undefined : await this.access.resolve(principal, spaceId);
    const space = await this.em.findOne(SpaceSchema, { id: spaceId });
    if (!space) throw notFound('The space does not exist.');
    const before = { name: space.name, tier: space.tier };
    if (dto.name !== undefined) {
      if (!this.access.allows(access!, 'space.rename')) throw forbidden('Only an owner may rename the space.');
      space.name = dto.name;
    }
    if (dto.tier !== undefined) {
      if (!platformAdmin) throw forbidden('Only a platform admin may change the tier.');
      if (!(dto.tier in this.config.tiers.table)) {
        throw badRequest('Unknown tier.', [
          { field: 'tier', message: `tier must be one of ${Object.keys(this.config.tiers.table).join(', ')}` },
        ]);
      }
      space.tier = dto.tier;
    }
    await this.em.transactional(async (em) => {
      await em.flush();
      const event = { spaceId, actor: actorOf(principal), resource: { type: 'space', id: spaceId } };
      if (before.name !== space.name)
        await this.audit.append(em, { ...event, action: 'space.rename', changes: { name: [before.name, space.name] } });
      if (before.tier !== space.tier)
        await this.audit.append(em, {
          ...event,
          action: 'space.tier_change',
          changes: { tier: [before.tier, space.tier] },
        });
    });
    if (dto.tier !== undefined) for (const listener of this.tierListeners) listener(spaceId);
    return this.toDto(space, access?.role);
  }

  async remove(principal: Principal, spaceId: string): Promise<void> {
    await this.access.authorize(principal, spaceId, 'space.delete');
    // Everything in the space hangs off it with ON DELETE CASCADE, except its audit log, which outlives it.
    await this.em.transactional(async (em) => {
      const gone = await deleteSpace.first(em, { spaceId });
      await this.audit.append(em, {
        spaceId,
        actor: actorOf(principal),
        action: 'space.delete',
        resource: { type: 'space', id: spaceId },
        changes: { name: [gone?.name ?? null, null], tier: [gone?.tier ?? null, null] },
      });
    });
    for (const listener of this.tierListeners) listener(spaceId);
  }
}
