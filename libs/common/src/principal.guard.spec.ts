import { HttpException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import type { FastifyRequest } from 'fastify';
import { Authenticated, CredentialInBody } from './authenticated.decorator';
import { Ports } from './ports';
import { apiKeyPrincipal, userPrincipal } from '../../../test/principals';
import type { Principal } from './principal';
import { PrincipalGuard } from './principal.guard';
import { badRequest, unauthorized } from './problem.exception';
import { Public } from './public.decorator';
import { BruteForceLimited } from './rate-limit.decorator';
import { RoutePolicies } from './route-policy';

const user = userPrincipal();
const key = apiKeyPrincipal();

class Routes {
  @Public() open() {}
  usersOnly() {}
  @Authenticated({ apiKeys: true }) keysToo() {}
  @Authenticated({ apiKeys: true }) @CredentialInBody('token') register() {}
  @Public() @BruteForceLimited({ perBodyField: 'email' }) login() {}
}

@Public()
class PublicRoutes {
  anything() {}
}

/** Inherits `usersOnly` but declares its class public: the policy is per class, not per function. */
@Public()
class PublicSubclass extends Routes {}

type Handler = keyof Routes;

function contextFor(cls: new () => object, handler: string, request: Partial<FastifyRequest>) {
  const fn = (cls.prototype as Record<string, () => void>)[handler];
  return new ExecutionContextHost([request, {}], cls as never, fn);
}

function setup(authenticate?: (request: FastifyRequest, body?: string) => Promise<Principal | null>) {
  const ports = new Ports();
  const rejected: FastifyRequest[] = [];
  const calls: (string | undefined)[] = [];
  if (authenticate) {
    ports.plug('authenticator', {
      authenticate: (request, body) => {
        calls.push(body);
        return authenticate(request, body);
      },
    });
  }
  ports.plug('badCredentialObserver', { rejected: (request) => Promise.resolve(void rejected.push(request)) });
  const routes = new RoutePolicies(new Reflector());
  const guard = new PrincipalGuard(routes, ports);
  const run = (handler: Handler, request: Partial<FastifyRequest> = { headers: {} }, cls = Routes) =>
    guard.canActivate(contextFor(cls, handler, request));
  return { guard, routes, run, rejected, calls };
}

async function statusOf(promise: Promise<unknown>): Promise<number | 'ok'> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    if (error instanceof HttpException) return error.getStatus();
    throw error;
  }
}

describe('RoutePolicies', () => {
  const routes = new RoutePolicies(new Reflector());
  const policy = (cls: new () => object, handler: string) => routes.of(contextFor(cls, handler, {}));

  it('reads each decorator into the policy', () => {
    expect(policy(Routes, 'open')).toMatchObject({ isPublic: true, acceptsApiKeys: false });
    expect(policy(Routes, 'usersOnly')).toMatchObject({ isPublic: false, acceptsApiKeys: false });
    expect(policy(Routes, 'keysToo')).toMatchObject({ isPublic: false, acceptsApiKeys: true });
    expect(policy(Routes, 'register')).toMatchObject({ acceptsApiKeys: true, bodyCredential: 'token' });
    expect(policy(Routes, 'login')).toMatchObject({ isPublic: true, bruteForce: { perBodyField: 'email' } });
  });

  it('applies class-level metadata to every handler of the class', () => {
    expect(policy(PublicRoutes, 'anything').isPublic).toBe(true);
  });

  it('keys the policy by class too, so an inherited handler gets its subclass metadata', () => {
    expect(policy(Routes, 'usersOnly').isPublic).toBe(false);
    expect(policy(PublicSubclass, 'usersOnly').isPublic).toBe(true);
  });

  it('reads the metadata once: the same policy object on every call', () => {
    expect(policy(Routes, 'keysToo')).toBe(policy(Routes, 'keysToo'));
  });
});

describe('PrincipalGuard', () => {
  it('lets public routes through without asking for a credential, even a bad one', async () => {
    const { run, calls } = setup(() => Promise.reject(unauthorized()));
    await expect(run('open', { headers: { authorization: 'Bearer junk' } })).resolves.toBe(true);
    expect(calls).toHaveLength(0);
  });

  it('refuses every non-public route with 401 when no authenticator is plugged', async () => {
    const { run } = setup();
    expect(await statusOf(run('usersOnly'))).toBe(401);
    expect(await statusOf(run('keysToo'))).toBe(401);
  });

  it('answers 401 when the request carries no credential', async () => {
    const { run } = setup(() => Promise.resolve(null));
    expect(await statusOf(run('usersOnly'))).toBe(401);
  });

  it('sets the principal on the request for a user on a users-only route', async () => {
    const request: Partial<FastifyRequest> = { headers: {} };
    const { run } = setup(() => Promise.resolve(user));
    await expect(run('usersOnly', request)).resolves.toBe(true);
    expect(request.principal).toBe(user);
  });

  it('refuses an API key on a users-only route with 403, after recording who was refused', async () => {
    const request: Partial<FastifyRequest> = { headers: {} };
    const { run } = setup(() => Promise.resolve(key));
    expect(await statusOf(run('usersOnly', request))).toBe(403);
    expect(request.principal).toBe(key);
  });

  it('admits an API key where the route accepts keys', async () => {
    const { run } = setup(() => Promise.resolve(key));
    await expect(run('keysToo')).resolves.toBe(true);
  });

  it('passes a body credential only where the route declares it, and only a string', async () => {
    const { run, calls } = setup(() => Promise.resolve(key));
    await run('register', { headers: {}, body: { token: 'ptc_x' } });
    await run('register', { headers: {}, body: { token: 42 } });
    await run('keysToo', { headers: {}, body: { token: 'ptc_y' } });
    expect(calls).toEqual(['ptc_x', undefined, undefined]);
  });

  it('reports a rejected credential (401) to the bad-credential observer, then refuses', async () => {
    const { run, rejected } = setup(() => Promise.reject(unauthorized('bad key')));
    const request: Partial<FastifyRequest> = { headers: {} };
    expect(await statusOf(run('keysToo', request))).toBe(401);
    expect(rejected).toEqual([request]);
  });

  it('does not count a malformed request (400) as a guess', async () => {
    const { run, rejected } = setup(() => Promise.reject(badRequest('ambiguous')));
    expect(await statusOf(run('keysToo'))).toBe(400);
    expect(rejected).toHaveLength(0);
  });
});

describe('Ports', () => {
  it('takes one implementation per port and names a missing one', () => {
    const ports = new Ports();
    const observer = { observe: () => undefined };
    ports.plug('problemObserver', observer);
    expect(ports.find('problemObserver')).toBe(observer);
    expect(() => ports.plug('problemObserver', observer)).toThrow(/already plugged/);
    expect(ports.find('spaceAuthorizer')).toBeUndefined();
    expect(() => ports.get('spaceAuthorizer')).toThrow(/spaceAuthorizer port is not plugged/);
  });
});
