import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { APP_CONFIG, AppConfig } from '@app/config';
import {
  DATABASE_UNAVAILABLE,
  isUuid,
  Principal,
  problemType,
  ProblemDetails,
  ProblemObserver,
  Ports,
} from '@app/common';
import { actorOf, AuditEvent } from './audit-event';
import { AuditWriter } from './audit.writer';
import { metaOf, RequestMeta } from './request-meta';
import { routeAction } from './route-action';

interface Rejections {
  event: AuditEvent;
  meta: RequestMeta;
  count: number;
  firstAt: Date;
  lastAt: Date;
}

/**
 * Writes the entries no service gets to write: permission denials (403), failed
 * changes (409, 5xx), each as it happens and outside the rolled-back transaction;
 * and rate-limit rejections (429), aggregated into one entry per actor and space per
 * window, so a flood of refused requests costs a counter, not a write each.
 */
@Injectable()
export class AuditObserver implements ProblemObserver, OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(AuditObserver.name);
  private rejections = new Map<string, Rejections>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly writer: AuditWriter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly ports: Ports,
  ) {}

  onModuleInit(): void {
    this.ports.plug('problemObserver', this);
    this.timer = setInterval(() => void this.flush(), this.config.audit.aggregateWindowMs).unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  async observe(request: FastifyRequest, problem: ProblemDetails): Promise<void> {
    const status = problem.status;
    if (status === 429) return this.rejected(request, problem);
    // The database is down: the entry could not be written either, and trying would delay the 503.
    if (problem.type === problemType(DATABASE_UNAVAILABLE)) return;
    const principal = request.principal;
    const changing = request.method !== 'GET' && request.method !== 'HEAD';
    const outcome =
      status === 403 ? 'denied' : principal && changing && (status === 409 || status >= 500) ? 'failure' : undefined;
    if (!outcome) return;
    const route = this.route(request);
    await this.writer.appendNow(
      {
        spaceId: await this.spaceOf(principal, request),
        actor: actorOf(principal),
        outcome,
        ...route,
        metadata: { status, detail: problem.detail ?? null },
      },
      metaOf(request),
    );
  }

  private route(request: FastifyRequest) {
    return routeAction(
      request.method,
      request.routeOptions?.url ?? request.url,
      (request.params ?? {}) as Record<string, string>,
    );
  }

  /**
   * A key's entries go to its own space; a user's to the space of the route when they
   * are a member of it (so nobody can write into another tenant's log), else the platform's.
   */
  private async spaceOf(principal: Principal | undefined, request: FastifyRequest): Promise<string | null> {
    if (principal?.kind === 'api_key') return principal.spaceId;
    const param = (request.params as Record<string, string> | undefined)?.space_id;
    if (!principal || !isUuid(param)) return null;
    return this.ports
      .get('spaceAuthorizer')
      .authorize(principal, param, 'space.read')
      .then(
        () => param,
        () => null,
      );
  }

  /**
   * The first rejection of an actor (in a space) in a window is written at once, with
   * its own request id; the rest of the window's rejections become one aggregate entry
   * at the window's end, so a flood costs a counter, not a write each.
   */
  private async rejected(request: FastifyRequest, problem: ProblemDetails): Promise<void> {
    const principal = request.principal;
    const param = (request.params as Record<string, string> | undefined)?.space_id;
    const who = principal ? `${principal.kind}:${principal.id}` : `ip:${request.ip}`;
    const key = `${who}|${principal?.kind === 'api_key' ? '' : (param ?? '')}`;
    const now = new Date();
    const seen = this.rejections.get(key);
    if (seen) {
      if (seen.count === 0) {
        seen.meta = metaOf(request);
        seen.firstAt = now;
      }
      seen.count++;
      seen.lastAt = now;
      return;
    }
    // Reserve the slot before the (one per window) membership check, so a flood checks once.
    const slot: Rejections = {
      event: { spaceId: null, actor: actorOf(principal), action: 'rate_limit.exceeded', outcome: 'denied' },
      meta: metaOf(request),
      count: 0,
      firstAt: now,
      lastAt: now,
    };
    this.rejections.set(key, slot);
    const route = this.route(request);
    slot.event = {
      ...slot.event,
      spaceId: await this.spaceOf(principal, request),
      resource: route.resource,
      metadata: { operation: route.action, detail: problem.detail ?? null },
    };
    const metadata = { ...slot.event.metadata, count: 1, first_at: now.toISOString(), last_at: now.toISOString() };
    await this.writer.appendNow({ ...slot.event, metadata }, metaOf(request));
  }

  /** Writes one entry per group of rejections after the first; the first aggregated request's id and address stand for the group. */
  async flush(): Promise<void> {
    if (this.rejections.size === 0) return;
    const groups = [...this.rejections.values()].filter((g) => g.count > 0);
    this.rejections = new Map();
    for (const g of groups) {
      const metadata = {
        ...g.event.metadata,
        count: g.count,
        aggregated: true,
        first_at: g.firstAt.toISOString(),
        last_at: g.lastAt.toISOString(),
      };
      await this.writer
        .appendNow({ ...g.event, metadata }, g.meta)
        .catch((error: unknown) => this.logger.warn(`rate-limit audit entry lost: ${(error as Error).message}`));
    }
  }
}
