import { CanActivate, ExecutionContext, Inject, Injectable, Optional } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { AUTHENTICATOR, Authenticator } from './authenticator';
import { IS_PUBLIC } from './public.decorator';
import { forbidden, unauthorized } from './problem.exception';
import { ACCEPTS_API_KEYS, BODY_CREDENTIAL } from './authenticated.decorator';

/**
 * The one global guard: secure by default. Every route needs a principal unless
 * marked @Public() (public routes ignore credential headers: a stale token must not
 * break login). API keys are refused (403) on routes not declared
 * @Authenticated({ apiKeys: true }).
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
    const targets = [context.getHandler(), context.getClass()];
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const bodyField = this.reflector.getAllAndOverride<string | undefined>(BODY_CREDENTIAL, targets);
    const fromBody = bodyField ? (request.body as Record<string, unknown> | undefined)?.[bodyField] : undefined;
    const principal = this.authenticator ? await this.authenticator.authenticate(request, typeof fromBody === 'string' ? fromBody : undefined) : null;
    if (!principal) throw unauthorized();
    if (principal.kind === 'api_key' && !this.reflector.getAllAndOverride<boolean>(ACCEPTS_API_KEYS, targets)) {
      throw forbidden('This operation is for users; API keys cannot call it.');
    }
    request.principal = principal;
    return true;
  }
}
