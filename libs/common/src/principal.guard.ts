import { CanActivate, ExecutionContext, HttpException, Inject, Injectable, Optional } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { AUTHENTICATOR, Authenticator } from './authenticator';
import { IS_PUBLIC } from './public.decorator';
import { forbidden, unauthorized } from './problem.exception';
import { ACCEPTS_API_KEYS, BODY_CREDENTIAL } from './authenticated.decorator';
import { BAD_CREDENTIAL_OBSERVER, BadCredentialObserver } from './rate-limit.decorator';

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
    @Optional() @Inject(BAD_CREDENTIAL_OBSERVER) private readonly badCredentials?: BadCredentialObserver,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const policy = this.policyOf(context);
    if (policy.isPublic) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const fromBody = policy.bodyCredential ? (request.body as Record<string, unknown> | undefined)?.[policy.bodyCredential] : undefined;
    const principal = this.authenticator ? await this.authenticate(request, typeof fromBody === 'string' ? fromBody : undefined) : null;
    if (!principal) throw unauthorized();
    if (principal.kind === 'api_key' && !policy.acceptsApiKeys) throw forbidden('This operation is for users; API keys cannot call it.');
    request.principal = principal;
    return true;
  }

  /** A rejected credential is reported first: past the address's limit the answer becomes 429. */
  private async authenticate(request: FastifyRequest, fromBody: string | undefined) {
    try {
      return await this.authenticator!.authenticate(request, fromBody);
    } catch (error) {
      if (error instanceof HttpException && error.getStatus() === 401) await this.badCredentials?.rejected(request);
      throw error;
    }
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
