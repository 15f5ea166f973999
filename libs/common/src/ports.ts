import { Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { ApiKeyPrincipal, Principal, UserPrincipal } from './principal';
import type { ProblemDetails } from './problem';

/**
 * The places where one lib lends a piece of itself to a lib it must not import (the
 * import would point against the request's direction or close a circle). Every such
 * port is declared here; the lib that implements it plugs it into `Ports` in its
 * `onModuleInit`, and the lib that needs it asks `Ports` when a request comes.
 *
 * Why a registry rather than DI tokens: a token is only visible to modules that import
 * its provider, and here the provider is the *dependent* lib (api-keys serves auth,
 * spaces serves audit), so tokens would need `@Global()` modules or import circles.
 * Registering keeps each module's `imports` equal to what it really depends on.
 */

/**
 * Turns a request's credential into a principal. Returns null when the request
 * carries no credential at all; throws 401/400 when it carries a bad one (a bad
 * credential is never treated as anonymous). Plugged by the auth lib.
 */
export interface Authenticator {
  /** `bodyCredential`: a credential the route takes from its body (ekoDB's register). */
  authenticate(request: FastifyRequest, bodyCredential?: string): Promise<Principal | null>;
}

/** Told when a presented credential was rejected, so a flood of guesses from one address can be stopped. Plugged by rate-limits. */
export interface BadCredentialObserver {
  rejected(request: FastifyRequest): Promise<void>;
}

/**
 * Told of every error answer before it is sent (the audit log records denials,
 * failed changes and rate-limit rejections through it). Plugged by the audit lib.
 */
export interface ProblemObserver {
  observe(request: FastifyRequest, problem: ProblemDetails): Promise<void> | void;
}

/** "May this principal do `action` in space S": plugged by spaces, asked by the audit lib that spaces depends on. */
export interface SpaceAuthorizer {
  authorize(principal: Principal, spaceId: string, action: string): Promise<unknown>;
}

/** Verifies a raw API key presented on any of the three headers. Plugged by api-keys, asked by auth. */
export interface ApiKeyVerifier {
  verify(request: FastifyRequest, key: string): Promise<Principal | null>;
}

/** The claims of a verified access token, as the auth lib read them. */
export interface TokenClaims {
  sub: string;
  [claim: string]: unknown;
}

/** Resolves the principal of a key-derived JWT. Plugged by api-keys, asked by auth. */
export interface KeyTokenResolver {
  fromToken(request: FastifyRequest, claims: TokenClaims): Promise<ApiKeyPrincipal | null>;
}

/** Resolves the principal of an OAuth access token (a user acting through an app). Plugged by oauth, asked by auth. */
export interface AppTokenResolver {
  fromToken(request: FastifyRequest, claims: TokenClaims): Promise<UserPrincipal | null>;
}

/** A token endpoint answer (RFC 6749 §5.1). */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token?: string;
  scope?: string;
}

/** Renews an app's access with its refresh token (offline_access). Plugged by oauth, asked by auth's refresh grant. */
export interface AppRefresher {
  refresh(params: Record<string, string>, request: FastifyRequest): Promise<TokenResponse>;
}

export interface PortTypes {
  authenticator: Authenticator;
  badCredentialObserver: BadCredentialObserver;
  problemObserver: ProblemObserver;
  spaceAuthorizer: SpaceAuthorizer;
  apiKeyVerifier: ApiKeyVerifier;
  keyTokenResolver: KeyTokenResolver;
  appTokenResolver: AppTokenResolver;
  appRefresher: AppRefresher;
}

@Injectable()
export class Ports {
  private readonly plugged: Partial<PortTypes> = {};

  /** Each port has one implementation; a second one is a wiring mistake, caught at start-up. */
  plug<K extends keyof PortTypes>(port: K, implementation: PortTypes[K]): void {
    if (this.plugged[port]) throw new Error(`The ${port} port is already plugged.`);
    this.plugged[port] = implementation;
  }

  /** The implementation, or undefined when the lib that provides it is not mounted. */
  find<K extends keyof PortTypes>(port: K): PortTypes[K] | undefined {
    return this.plugged[port];
  }

  /** For ports a feature cannot work without: a missing one is a wiring mistake, not a request error. */
  get<K extends keyof PortTypes>(port: K): PortTypes[K] {
    const found = this.plugged[port];
    if (!found) throw new Error(`The ${port} port is not plugged; mount the module that provides it.`);
    return found;
  }
}
