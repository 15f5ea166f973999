import { timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { pepperHash, SECRETS, Secrets } from '@app/config';
import { ApiKeyPrincipal, forbidden, isUuid, Ports, SeenCredentials, TokenClaims } from '@app/common';
import { metaOf } from '@app/audit';
import { ApiKeyCache } from './api-key-cache.service';
import { ApiKeyState } from './api-key-state';
import { parseKey } from './key-format';
import { ipAllowed } from './ip-allowlist';
import { LastUsedTracker } from './last-used.tracker';

export interface VerifiedKey {
  state: ApiKeyState;
  principal: ApiKeyPrincipal;
}

/**
 * The hot path for API keys. A malformed key fails on its checksum without I/O; a
 * recently seen key is checked against the in-process cache (one HMAC, no SQL), and a
 * key that already passed that check is recognised by its sha256 (no HMAC) as long as
 * its cached state still holds the hash it matched. Expired, revoked and regenerated
 * keys fail; a key used from outside its allowlist is 403.
 */
@Injectable()
export class ApiKeyVerifier implements OnModuleInit {
  constructor(
    private readonly cache: ApiKeyCache,
    private readonly lastUsed: LastUsedTracker,
    private readonly ports: Ports,
    @Inject(SECRETS) private readonly secrets: Secrets,
  ) {}

  private readonly seen = new SeenCredentials<{ keyId: string; secretHash: Buffer }>();

  onModuleInit(): void {
    this.ports.plug('apiKeyVerifier', {
      verify: async (request, key) => (await this.verifyKey(request, key))?.principal ?? null,
    });
    this.ports.plug('keyTokenResolver', { fromToken: (request, claims) => this.fromToken(request, claims) });
  }

  hash(key: string): Buffer {
    return pepperHash(this.secrets, key);
  }

  async verifyKey(request: FastifyRequest, key: string): Promise<VerifiedKey | null> {
    const digest = SeenCredentials.digest(key);
    const seen = this.seen.get(digest);
    if (seen) {
      const state = await this.cache.get(seen.keyId);
      // The same stored hash it matched: not regenerated, deleted or replaced since.
      if (state && state.secretHash.equals(seen.secretHash)) return this.admit(request, state);
      this.seen.delete(digest);
    }
    const parsed = parseKey(key);
    if (!parsed) return null;
    const state = await this.cache.get(parsed.keyId);
    if (!state || !timingSafeEqual(this.hash(key), state.secretHash)) return this.refuse(request, parsed.keyId, state);
    this.seen.set(digest, { keyId: state.id, secretHash: state.secretHash });
    return this.admit(request, state);
  }

  /** A key-derived JWT stays valid only while its key exists, unexpired, at the same generation. */
  private async fromToken(request: FastifyRequest, payload: TokenClaims): Promise<ApiKeyPrincipal | null> {
    if (!isUuid(payload.sub)) return null;
    const state = await this.cache.get(payload.sub);
    if (!state || state.generation !== payload.gen) return this.refuse(request, payload.sub, state);
    return this.admit(request, state)?.principal ?? null;
  }

  /**
   * A refusal counts in the usage of the key it names: its id is in the key's format, and
   * a deleted key's space is found when the usage is written (API.md, "Usage and metrics").
   */
  private refuse(request: FastifyRequest, keyId: string, state: ApiKeyState | null | undefined): null {
    request.claimedKey = { id: keyId, spaceId: state?.principal.spaceId ?? null };
    return null;
  }

  private admit(request: FastifyRequest, state: ApiKeyState): VerifiedKey | null {
    if (state.expiresAt !== null && state.expiresAt <= Date.now()) return this.refuse(request, state.id, state);
    if (!ipAllowed(state.allowlist, request.ip)) {
      this.refuse(request, state.id, state);
      throw forbidden('This API key may not be used from your address.');
    }
    this.lastUsed.touch(state.id, () => metaOf(request));
    return { state, principal: state.principal };
  }
}
