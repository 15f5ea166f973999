import { CanActivate, ExecutionContext, Inject, Injectable, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG, AppConfig } from '@app/config';
import { isUuid, Principal, ProblemException, RoutePolicies, StateLog } from '@app/common';
import { SpaceAccessService, SpaceBudgets } from '@app/spaces';
import { Budget, rateLimitHeaders, WINDOW_MS } from './budgets';
import { RATE_LIMIT_STORE } from './rate-limits.module-tokens';
import type { RateLimitStore } from './rate-limit.store';
import type { Decision } from './sliding-window';

/**
 * Runs after the principal guard (so the tenant is known). Each request is charged
 * against every budget it belongs to: its space's tier budget and its key's own cap,
 * or the user's default budget off space routes, or, on unauthenticated auth
 * endpoints, the client address (and, for login, the email). The tightest budget
 * shapes the headers; any exhausted one answers 429.
 *
 * Store failure policy: tenant budgets fail open (logged); brute-force budgets fail
 * closed with 503, so an outage of Redis is never an opening for password guessing.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  private readonly log = new StateLog(new Logger(RateLimitGuard.name), 'rate-limit store unavailable, failing open');

  constructor(
    private readonly routes: RoutePolicies,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(RATE_LIMIT_STORE) private readonly store: RateLimitStore,
    private readonly spaces: SpaceBudgets,
    private readonly access: SpaceAccessService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (!this.config.rateLimits.enabled) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const budgets = await this.budgetsFor(context, request);
    if (budgets.length === 0) return true;
    await enforce(this.store, budgets, context.switchToHttp().getResponse<FastifyReply>(), this.log);
    return true;
  }

  private async budgetsFor(context: ExecutionContext, request: FastifyRequest): Promise<Budget[]> {
    const policy = this.routes.of(context);
    const limits = this.config.rateLimits;
    const bruteForce = policy.bruteForce;
    if (bruteForce) {
      const budgets: Budget[] = [
        { name: 'auth', key: `auth:${request.ip}`, limit: limits.authPerMinute, failClosed: true },
      ];
      const value = bruteForce.perBodyField
        ? (request.body as Record<string, unknown> | undefined)?.[bruteForce.perBodyField]
        : undefined;
      if (typeof value === 'string')
        budgets.push({
          name: 'login',
          key: `login:${value.trim().toLowerCase()}`,
          limit: limits.loginEmailPerMinute,
          failClosed: true,
        });
      return budgets;
    }
    const principal = request.principal;
    if (policy.isPublic || !principal) return [];
    return this.tenantBudgets(principal, (request.params as Record<string, string> | undefined)?.space_id);
  }

  private async tenantBudgets(principal: Principal, spaceParam: string | undefined): Promise<Budget[]> {
    if (principal.kind === 'api_key') {
      const budgets: Budget[] = [];
      if (principal.rateLimitPerMinute !== null)
        budgets.push({
          name: 'key',
          key: `key:${principal.id}`,
          limit: principal.rateLimitPerMinute,
          failClosed: false,
        });
      const spaceLimit = await this.spaces.limitOf(principal.spaceId);
      if (spaceLimit !== undefined)
        budgets.push({ name: 'space', key: `space:${principal.spaceId}`, limit: spaceLimit, failClosed: false });
      return budgets;
    }
    // A member acting on a space's routes spends that space's budget; anything else (or a
    // space the user is not in, which must not drain another tenant's budget) spends the user's own.
    if (spaceParam && isUuid(spaceParam)) {
      const member = await this.access.resolve(principal, spaceParam).then(
        () => true,
        () => false,
      );
      const spaceLimit = member ? await this.spaces.limitOf(spaceParam) : undefined;
      if (spaceLimit !== undefined)
        return [{ name: 'space', key: `space:${spaceParam}`, limit: spaceLimit, failClosed: false }];
    }
    return [
      { name: 'user', key: `user:${principal.id}`, limit: this.config.rateLimits.userPerMinute, failClosed: false },
    ];
  }
}

/**
 * Charges the budgets in order, narrowest first, stopping at the first refusal (so
 * a request a key's own cap refuses does not also spend its space's budget); sets
 * the headers of the tightest; answers 429 (or 503) when one refuses.
 */
export async function enforce(
  store: RateLimitStore,
  budgets: Budget[],
  reply: FastifyReply,
  log: StateLog,
): Promise<void> {
  const decided: { budget: Budget; decision: Decision }[] = [];
  let failed = false;
  for (const budget of budgets) {
    if (decided.some((d) => !d.decision.allowed)) break;
    try {
      decided.push({ budget, decision: await store.hit(budget.key, budget.limit, WINDOW_MS) });
    } catch (error) {
      failed = true;
      if (budget.failClosed) {
        throw new ProblemException(503, {
          type: 'rate-limiter-unavailable',
          detail: 'The rate limiter is unavailable; try again shortly.',
          headers: { 'Retry-After': '5' },
        });
      }
      log.failed(`rate limit "${budget.name}" not applied: ${(error as Error).message}`);
    }
  }
  if (!failed) log.recovered();
  if (decided.length === 0) return;
  const refused = decided.find((d) => !d.decision.allowed);
  const shown =
    refused ??
    decided.reduce((a, b) =>
      b.decision.remaining / b.decision.limit < a.decision.remaining / a.decision.limit ? b : a,
    );
  reply.headers(rateLimitHeaders(shown.budget, shown.decision));
  if (refused) {
    throw new ProblemException(429, {
      type: 'rate-limited',
      detail: `The ${refused.budget.name} budget of ${refused.decision.limit} requests per minute is used up.`,
      headers: { 'Retry-After': String(Math.ceil(refused.decision.retryAfterMs / 1000)) },
    });
  }
}
