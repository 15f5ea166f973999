import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { forbidden, isUuid, notFound, Principal, Role } from '@app/common';
import { keyAllows, roleAllows, SpaceAction } from './roles';

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
export class SpaceAccessService {
  constructor(private readonly em: EntityManager) {}

  async authorize(principal: Principal, spaceId: string, action: SpaceAction): Promise<SpaceAccess> {
    const access = await this.resolve(principal, spaceId);
    if (!this.allows(access, action)) throw forbidden(`Your ${access.role ? `role (${access.role})` : 'credential'} does not allow ${action} in this space.`);
    return access;
  }

  /** Membership only: 404 when the caller is not in the space. */
  async resolve(principal: Principal, spaceId: string): Promise<SpaceAccess> {
    if (!isUuid(spaceId)) throw spaceNotFound();
    if (principal.kind === 'api_key') {
      if (principal.spaceId !== spaceId) throw spaceNotFound();
      return { spaceId, principal };
    }
    const rows = await this.em.execute<{ role: Role }[]>('select role from space_members where space_id = ? and user_id = ?', [spaceId, principal.id]);
    if (!rows[0]) throw spaceNotFound();
    return { spaceId, principal, role: rows[0].role };
  }

  allows(access: SpaceAccess, action: SpaceAction): boolean {
    if (access.principal.kind === 'api_key') return keyAllows(access.principal, action);
    return access.role !== undefined && roleAllows(access.role, action);
  }
}
