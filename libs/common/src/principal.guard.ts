import { CanActivate, ExecutionContext, Inject, Injectable, Optional } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { AUTHENTICATOR, Authenticator } from './authenticator';
import { IS_PUBLIC } from './public.decorator';
import { unauthorized } from './problem.exception';

/**
 * The one global guard: secure by default. Every route needs a principal unless
 * marked @Public(). A credential on a public route is still checked, so a bad
 * one is a 401 rather than silently ignored.
 */
@Injectable()
export class PrincipalGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Optional() @Inject(AUTHENTICATOR) private readonly authenticator?: Authenticator,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]);
    if (isPublic) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const principal = this.authenticator ? await this.authenticator.authenticate(request) : null;
    if (!principal) throw unauthorized();
    request.principal = principal;
    return true;
  }
}
