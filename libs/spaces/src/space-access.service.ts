import { Injectable, OnModuleInit } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { forbidden, isUuid, notFound, Ports, Principal, Role, SpaceAuthorizer, UserPrincipal } from '@app/common';
import { appAllows, keyAllows, roleAllows, SpaceAction } from './roles';
import { roleInSpace } from './spaces.queries';

/** The caller's standing in one space, as resolved for one request. */
export interface SpaceAccess {
  spaceId: string;
  principal: Principal;
  /** The member's role; undefined for API keys and for platform admins who are not members. */
  role?: Role;
}

const spaceNotFound = () => notFound('The space does not exist.');

/**
 * The one answer to "may this principal do X in space S", for every module.
 * A space the caller does not belong to is 404 (never 403), so other tenants'
 * spaces cannot be probed; a space the caller belongs to without the right is 403.
 */
@Injectable()
export class SpaceAccessService implements SpaceAuthorizer, OnModuleInit {
  /**
   * A user's principal is built for one request, so this is a per-request memo: the
   * rate-limit guard and the handler both ask for the membership, and it is read once.
   */
  private readonly roles = new WeakMap<UserPrincipal, Map<string, Promise<Role | undefined>>>();

  constructor(
    private readonly em: EntityManager,
    private readonly ports: Ports,
  ) {}

  onModuleInit(): void {
    this.ports.plug('spaceAuthorizer', this);
  }

  async authorize(principal: Principal, spaceId: string, action: SpaceAction): Promise<SpaceAccess> {
    const access = await this.resolve(principal, spaceId);
    if (!this.allows(access, action))
      throw forbidden(
        `Your ${access.role ? `role (${access.role})` : 'credential'} does not allow ${action} in this space.`,
      );
    return access;
  }

  /** Membership only: 404 when the caller is not in the space. */
  async resolve(principal: Principal, spaceId: string): Promise<SpaceAccess> {
    if (!isUuid(spaceId)) throw spaceNotFound();
    if (principal.kind === 'api_key') {
      if (principal.spaceId !== spaceId) throw spaceNotFound();
      return { spaceId, principal };
    }
    // An app's token reaches one space, with the role its resolution read for this request.
    if (principal.app) {
      if (principal.app.spaceId !== spaceId) throw spaceNotFound();
      return { spaceId, principal, role: principal.app.role };
    }
    const role = await this.roleOf(principal, spaceId);
    if (!role) throw spaceNotFound();
    return { spaceId, principal, role };
  }

  private roleOf(principal: UserPrincipal, spaceId: string): Promise<Role | undefined> {
    let bySpace = this.roles.get(principal);
    if (!bySpace) this.roles.set(principal, (bySpace = new Map()));
    let role = bySpace.get(spaceId);
    if (!role) {
      role = roleInSpace.first(this.em, { spaceId, userId: principal.id }).then((row) => row?.role);
      bySpace.set(spaceId, role);
    }
    return role;
  }

  allows(access: SpaceAccess, action: SpaceAction): boolean {
    if (access.principal.kind === 'api_key') return keyAllows(access.principal, action);
    return access.role !== undefined && roleAllows(access.role, action) && appAllows(access.principal, action);
  }
}
