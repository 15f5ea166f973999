import { CanActivate, ExecutionContext, HttpException, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { forbidden, unauthorized } from './problem.exception';
import { Authenticator, Ports } from './ports';
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
    private readonly ports: Ports,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const policy = this.routes.of(context);
    if (policy.isPublic) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const fromBody = policy.bodyCredential
      ? (request.body as Record<string, unknown> | undefined)?.[policy.bodyCredential]
      : undefined;
    const authenticator = this.ports.find('authenticator');
    const principal = authenticator
      ? await this.authenticate(authenticator, request, typeof fromBody === 'string' ? fromBody : undefined)
      : null;
    if (!principal) throw unauthorized();
    // Set before the key check, so a refusal is recorded against the key that was refused.
    request.principal = principal;
    if (principal.kind === 'api_key' && !policy.acceptsApiKeys)
      throw forbidden('This operation is for users; API keys cannot call it.');
    // An app's token reaches a space's data, like a key: never account or membership operations.
    if (principal.kind === 'user' && principal.app && !policy.acceptsApiKeys)
      throw forbidden("This operation is for users signed in themselves; an app's token cannot call it.");
    return true;
  }

  /** A rejected credential is reported first: past the address's limit the answer becomes 429. */
  private async authenticate(authenticator: Authenticator, request: FastifyRequest, fromBody: string | undefined) {
    try {
      return await authenticator.authenticate(request, fromBody);
    } catch (error) {
      if (error instanceof HttpException && error.getStatus() === 401)
        await this.ports.find('badCredentialObserver')?.rejected(request);
      throw error;
    }
  }
}
