import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { APP_CONFIG, AppConfig } from '@app/config';
import { BadCredentialObserver, Ports, ProblemException, StateLog } from '@app/common';
import { rateLimitHeaders, WINDOW_MS } from './budgets';
import { RATE_LIMIT_STORE } from './rate-limits.module-tokens';
import type { RateLimitStore } from './rate-limit.store';

/**
 * Rejected credentials run before the tenant is known, so they count against the
 * client address: past the limit a bad credential is answered 429 instead of 401.
 */
@Injectable()
export class BadCredentials implements BadCredentialObserver, OnModuleInit {
  private readonly log = new StateLog(new Logger(BadCredentials.name), 'bad-credential limit not applied');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(RATE_LIMIT_STORE) private readonly store: RateLimitStore,
    private readonly ports: Ports,
  ) {}

  onModuleInit(): void {
    this.ports.plug('badCredentialObserver', this);
  }

  async rejected(request: FastifyRequest): Promise<void> {
    if (!this.config.rateLimits.enabled) return;
    const budget = {
      name: 'credentials',
      key: `badcred:${request.ip}`,
      limit: this.config.rateLimits.badCredentialPerMinute,
      failClosed: false,
    };
    let decision;
    try {
      decision = await this.store.hit(budget.key, budget.limit, WINDOW_MS);
    } catch (error) {
      this.log.failed((error as Error).message);
      return;
    }
    this.log.recovered();
    if (decision.allowed) return;
    throw new ProblemException(429, {
      type: 'rate-limited',
      detail: 'Too many rejected credentials from your address.',
      headers: {
        ...rateLimitHeaders(budget, decision),
        'Retry-After': String(Math.ceil(decision.retryAfterMs / 1000)),
      },
    });
  }
}
