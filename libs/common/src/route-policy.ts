import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ACCEPTS_API_KEYS, BODY_CREDENTIAL } from './authenticated.decorator';
import { IS_PUBLIC } from './public.decorator';
import { BRUTE_FORCE, BruteForceOptions } from './rate-limit.decorator';

/** What the decorators say about a route, as the global guards need it. */
export interface RoutePolicy {
  isPublic: boolean;
  acceptsApiKeys: boolean;
  bodyCredential?: string;
  bruteForce?: BruteForceOptions;
}

/**
 * A route's policy is fixed at start-up: its metadata is read once per handler, not
 * on every request by every guard.
 */
@Injectable()
export class RoutePolicies {
  private readonly policies = new WeakMap<object, Map<object, RoutePolicy>>();

  constructor(private readonly reflector: Reflector) {}

  of(context: ExecutionContext): RoutePolicy {
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
        bruteForce: this.reflector.getAllAndOverride<BruteForceOptions | undefined>(BRUTE_FORCE, targets),
      };
      byHandler.set(handler, policy);
    }
    return policy;
  }
}
