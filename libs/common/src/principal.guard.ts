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
interface RoutePolicy {
  isPublic: boolean;
  acceptsApiKeys: boolean;
  bodyCredential?: string;
}

@Injectable()
export class PrincipalGuard implements CanActivate {
  /** A route's policy is fixed at start-up; read its metadata once, not on every request. */
  private readonly policies = new WeakMap<object, Map<object, RoutePolicy>>();

  constructor(
    private readonly reflector: Reflector,
    @Optional() @Inject(AUTHENTICATOR) private readonly authenticator?: Authenticator,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const policy = this.policyOf(context);
    if (policy.isPublic) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const fromBody = policy.bodyCredential ? (request.body as Record<string, unknown> | undefined)?.[policy.bodyCredential] : undefined;
    const principal = this.authenticator ? await this.authenticator.authenticate(request, typeof fromBody === 'string' ? fromBody : undefined) : null;
    if (!principal) throw unauthorized();
    if (principal.kind === 'api_key' && !policy.acceptsApiKeys) throw forbidden('This operation is for users; API keys cannot call it.');
    request.principal = principal;
    return true;
  }

  private policyOf(context: ExecutionContext): RoutePolicy {
    const handler = context.getHandler();
    const controller = context.getClass();
    // Keyed by class too: an inherited handler can carry different class-level metadata.
    let byHandler = this.policies.get(controller);
    if (!byHandler) this.policies.set(controller, (byHandler = new Map()));
    let policy = byHandler.get(handler);
    if (!policy) {
      const targets = [handler, controller];
      policy = {
        isPublic: this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets) === true,
        acceptsApiKeys: this.reflector.getAllAndOverride<boolean>(ACCEPTS_API_KEYS, targets) === true,
        bodyCredential: this.reflector.getAllAndOverride<string | undefined>(BODY_CREDENTIAL, targets),
      };
      byHandler.set(handler, policy);
    }
    return policy;
  }
}
