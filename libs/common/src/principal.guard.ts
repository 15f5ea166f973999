import { CanActivate, ExecutionContext, HttpException, Inject, Injectable, Optional } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AUTHENTICATOR, Authenticator } from './authenticator';
import { forbidden, unauthorized } from './problem.exception';
import { BAD_CREDENTIAL_OBSERVER, BadCredentialObserver } from './rate-limit.decorator';
import { RoutePolicies } from './route-policy';

/**
 * The one global guard: secure by default. Every route needs a principal unless
 * marked @Public() (public routes ignore credential headers: a stale token must not
 * break login). API keys are refused (403) on routes not declared
 * @Authenticated({ apiKeys: true }).
 */
@Injectable()
export class PrincipalGuard implements CanActivate {
  constructor(
    private readonly routes: RoutePolicies,
    @Optional() @Inject(AUTHENTICATOR) private readonly authenticator?: Authenticator,
    @Optional() @Inject(BAD_CREDENTIAL_OBSERVER) private readonly badCredentials?: BadCredentialObserver,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const policy = this.routes.of(context);
    if (policy.isPublic) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const fromBody = policy.bodyCredential
      ? (request.body as Record<string, unknown> | undefined)?.[policy.bodyCredential]
      : undefined;
    const principal = this.authenticator
      ? await this.authenticate(request, typeof fromBody === 'string' ? fromBody : undefined)
      : null;
    if (!principal) throw unauthorized();
    // Set before the key check, so a refusal is recorded against the key that was refused.
    request.principal = principal;
    if (principal.kind === 'api_key' && !policy.acceptsApiKeys)
      throw forbidden('This operation is for users; API keys cannot call it.');
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
}
