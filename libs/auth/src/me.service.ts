import { Injectable } from '@nestjs/common';
import type { Principal } from '@app/common';

export type PrincipalDescriber = (principal: Principal) => unknown;

/** GET /api/auth/me: each principal kind is described by the module that owns it. */
@Injectable()
export class MeService {
  private readonly describers = new Map<Principal['kind'], PrincipalDescriber>();

  constructor() {
    this.register('user', (p) =>
      p.kind === 'user'
        ? { kind: 'user', id: p.id, email: p.email, name: p.name, is_platform_admin: p.isPlatformAdmin }
        : undefined,
    );
  }

  register(kind: Principal['kind'], describe: PrincipalDescriber): void {
    this.describers.set(kind, describe);
  }

  describe(principal: Principal): Promise<unknown> {
    return Promise.resolve(this.describers.get(principal.kind)?.(principal));
  }
}
