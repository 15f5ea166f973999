import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Principal } from './principal';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
    /** The problem type of an error answer (set by sendProblem), for the rejection metrics. */
    problemType?: string;
    /** The W3C trace id of an incoming `traceparent`, logged with the request. */
    traceId?: string;
    /**
     * The key a refused request presented (its id is in the key's format), with its space
     * when known: usage counts the refusal for that key (API.md, "Usage and metrics").
     */
    claimedKey?: { id: string; spaceId: string | null };
  }
}

/** The authenticated principal; the global guard guarantees it on non-public routes. */
export const CurrentPrincipal = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): Principal | undefined =>
    ctx.switchToHttp().getRequest<FastifyRequest>().principal,
);
