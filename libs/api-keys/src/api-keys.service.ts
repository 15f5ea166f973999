import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { FastifyRequest } from 'fastify';
import { APP_CONFIG, AppConfig } from '@app/config';
import {
  badRequest,
  decodeCursor,
  DEFAULT_PAGE_SIZE,
  FieldError,
  isUuid,
  notFound,
  Page,
  PageQueryDto,
  Principal,
  toPage,
  unauthorized,
  uuidv7,
} from '@app/common';
import { SpaceAccessService } from '@app/spaces';
import { SigningKeysService } from '@app/auth';
import { ANONYMOUS, actorOf, AuditWriter, diff } from '@app/audit';
import { UsageService } from '@app/usage';
import { ApiKeyCache } from './api-key-cache.service';
import { ApiKeyRow } from './api-key-state';
import {
  deleteKey,
  insertKey,
  keyInSpace,
  keysOfSpace,
  lockKeyInSpace,
  regenerateKey,
  updateKey,
} from './api-keys.queries';
import { ApiKeyVerifier } from './api-key.verifier';
import {
  ApiKeyDto,
  ApiKeyListItemDto,
  ApiKeyWithSecretDto,
  CreateApiKeyDto,
  ExpiresIn,
  KeyTokenDto,
  UpdateApiKeyDto,
} from './dto/api-key.dto';
import { validateAllowedIps } from './ip-allowlist';
import { generateKey, maskKey } from './key-format';
import { assertWithinPower, powerOf } from './key-power';
import { CollectionPermissions, toGrants, validatePermissions } from './permissions';

/** The driver expands array parameters into lists, so text[] values travel as JSON. */
const DAYS: Record<Exclude<ExpiresIn, 'never'>, number> = { '7d': 7, '30d': 30, '60d': 60, '90d': 90, '180d': 180 };
const keyNotFound = () => notFound('The API key does not exist.');
const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

/** What the audit log shows of a key: its settings, never its secret or hash. */
const AUDITED_FIELDS = [
  'label',
  'description',
  'is_admin',
  'collection_permissions',
  'scopes',
  'allowed_ips',
  'rate_limit_per_minute',
  'expires_at',
] as const;
const audited = (row: ApiKeyRow) =>
  Object.fromEntries(AUDITED_FIELDS.map((f) => [f, f === 'expires_at' ? iso(row.expires_at) : row[f]]));

export function toKeyDto(row: ApiKeyRow): ApiKeyDto {
  const expired = row.expires_at !== null && new Date(row.expires_at).getTime() <= Date.now();
  return {
    id: row.id,
    space_id: row.space_id,
    label: row.label,
    description: row.description,
    is_admin: row.is_admin,
    collection_permissions: row.collection_permissions,
    scopes: row.scopes,
    allowed_ips: row.allowed_ips,
    rate_limit_per_minute: row.rate_limit_per_minute,
    masked_key: maskKey(row.last4),
    status: expired ? 'expired' : 'active',
    expires_at: iso(row.expires_at),
    last_used_at: iso(row.last_used_at),
    created_by: { type: row.created_by_type, id: row.created_by_id },
    created_at: iso(row.created_at)!,
  };
}

@Injectable()
export class ApiKeysService {
  constructor(
    private readonly em: EntityManager,
    private readonly access: SpaceAccessService,
    private readonly cache: ApiKeyCache,
    private readonly verifier: ApiKeyVerifier,
    private readonly keys: SigningKeysService,
    private readonly audit: AuditWriter,
    private readonly usage: UsageService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async create(principal: Principal, spaceId: string, dto: CreateApiKeyDto): Promise<ApiKeyWithSecretDto> {
    await this.access.authorize(principal, spaceId, 'keys.manage');
    const permissions = this.validated(dto) ?? {};
    const fields = {
      isAdmin: dto.is_admin ?? false,
      scopes: [...new Set(dto.scopes ?? [])],
      grants: toGrants(permissions),
      rateLimitPerMinute: dto.rate_limit_per_minute ?? null,
    };
    assertWithinPower(principal, fields);
    const id = uuidv7();
    const key = generateKey(id);
    const expiresIn = dto.expires_in ?? '30d';
    const expiresAt = expiresIn === 'never' ? null : new Date(Date.now() + DAYS[expiresIn] * 86_400_000);
    const rows = await this.em.transactional(async (em) => {
      const created = await insertKey.rows(em, {
        spaceId,
        id,
        secretHash: this.verifier.hash(key),
        label: dto.label,
        description: dto.description ?? null,
        isAdmin: fields.isAdmin,
        permissionsJson: JSON.stringify(permissions),
        scopesJson: JSON.stringify(fields.scopes),
        allowedIpsJson: JSON.stringify(dto.allowed_ips ?? []),
        rateLimitPerMinute: fields.rateLimitPerMinute,
        last4: key.slice(-4),
        expiresAt,
        createdByType: principal.kind,
        createdById: principal.id,
      });
      await this.audit.append(em, {
        spaceId,
        actor: actorOf(principal),
        action: 'api_key.create',
        resource: { type: 'api_key', id },
        changes: diff({}, audited(created[0])),
      });
      return created;
    });
    return { ...toKeyDto(rows[0]), key };
  }

  async list(principal: Principal, spaceId: string, query: PageQueryDto): Promise<Page<ApiKeyListItemDto>> {
    await this.access.authorize(principal, spaceId, 'keys.manage');
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const after = decodeCursor<{ id: string }>(query.cursor, ['id']);
    const rows = await keysOfSpace.rows(this.em, { spaceId, after: after?.id ?? null, limit: limit + 1 });
    const page = toPage(rows, limit, (r) => ({ id: r.id }), toKeyDto);
    const counts = await this.usage.requests24h(
      spaceId,
      page.data.map((k) => k.id),
    );
    return { ...page, data: page.data.map((k) => ({ ...k, requests_24h: counts.get(k.id) ?? 0 })) };
  }

  async get(principal: Principal, spaceId: string, keyId: string): Promise<ApiKeyDto> {
    await this.access.authorize(principal, spaceId, 'keys.manage');
    return toKeyDto(await this.find(this.em, spaceId, keyId));
  }

  async update(principal: Principal, spaceId: string, keyId: string, dto: UpdateApiKeyDto): Promise<ApiKeyDto> {
    await this.access.authorize(principal, spaceId, 'keys.manage');
    const permissions = this.validated(dto);
    const row = await this.changeKey(spaceId, keyId, async (em, current) => {
      // Both the key as it is and as it would become must be within the caller's power.
      assertWithinPower(principal, powerOf(current), true);
      assertWithinPower(principal, {
        isAdmin: dto.is_admin ?? current.is_admin,
        scopes: dto.scopes ?? current.scopes,
        grants: toGrants(permissions ?? current.collection_permissions),
        rateLimitPerMinute:
          dto.rate_limit_per_minute === undefined ? current.rate_limit_per_minute : dto.rate_limit_per_minute,
      });
      const rows = await updateKey.rows(em, {
        spaceId,
        id: keyId,
        label: dto.label ?? null,
        setDescription: dto.description !== undefined,
        description: dto.description ?? null,
        isAdmin: dto.is_admin ?? null,
        permissionsJson: permissions ? JSON.stringify(permissions) : null,
        setScopes: dto.scopes !== undefined,
        scopesJson: JSON.stringify(dto.scopes ? [...new Set(dto.scopes)] : []),
        setAllowedIps: dto.allowed_ips !== undefined,
        allowedIpsJson: JSON.stringify(dto.allowed_ips ?? []),
        setRateLimit: dto.rate_limit_per_minute !== undefined,
        rateLimitPerMinute: dto.rate_limit_per_minute ?? null,
      });
      await this.audit.append(em, {
        spaceId,
        actor: actorOf(principal),
        action: 'api_key.update',
        resource: { type: 'api_key', id: keyId },
        changes: diff(audited(current), audited(rows[0])),
      });
      return rows[0];
    });
    return toKeyDto(row);
  }

  /** New secret, same id and permissions; the generation bump kills the old secret's JWTs too. */
  async regenerate(principal: Principal, spaceId: string, keyId: string): Promise<ApiKeyWithSecretDto> {
    await this.access.authorize(principal, spaceId, 'keys.manage');
    let key = '';
    const row = await this.changeKey(spaceId, keyId, async (em, current) => {
      // Regenerating hands out the key's power: only someone at least as powerful may.
      assertWithinPower(principal, powerOf(current), true);
      key = generateKey(keyId);
      const rows = await regenerateKey.rows(em, {
        spaceId,
        id: keyId,
        secretHash: this.verifier.hash(key),
        last4: key.slice(-4),
      });
      await this.audit.append(em, {
        spaceId,
        actor: actorOf(principal),
        action: 'api_key.regenerate',
        resource: { type: 'api_key', id: keyId },
        metadata: { generation: rows[0].generation },
      });
      return rows[0];
    });
    return { ...toKeyDto(row), key };
  }

  async remove(principal: Principal, spaceId: string, keyId: string): Promise<void> {
    await this.access.authorize(principal, spaceId, 'keys.manage');
    await this.changeKey(spaceId, keyId, async (em, current) => {
      assertWithinPower(principal, powerOf(current), true);
      await deleteKey.rows(em, { spaceId, id: keyId });
      await this.audit.append(em, {
        spaceId,
        actor: actorOf(principal),
        action: 'api_key.delete',
        resource: { type: 'api_key', id: keyId },
        changes: diff(audited(current), {}),
      });
    });
  }

  /**
   * Every change to a key: locks its row (404 if absent), runs `work`, and evicts the
   * key from every instance's cache, in the transaction and again after commit.
   */
  private async changeKey<T>(
    spaceId: string,
    keyId: string,
    work: (em: EntityManager, current: ApiKeyRow) => Promise<T>,
  ): Promise<T> {
    const result = await this.em.transactional(async (em) => {
      const out = await work(em, await this.find(em, spaceId, keyId, true));
      await this.cache.changedIn(em, keyId);
      return out;
    });
    await this.cache.changed(keyId);
    return result;
  }

  /** POST /api/auth/token and grant_type=client_credentials: a JWT that acts as the key. */
  async exchange(request: FastifyRequest, apiKey: string, clientId?: string): Promise<KeyTokenDto | null> {
    const verified = await this.verifier.verifyKey(request, apiKey);
    if (!verified || (clientId !== undefined && clientId !== verified.state.id)) {
      // Who presented it is unknown: a bad key names no trustworthy space, so the platform log takes it.
      await this.audit.appendNow({
        spaceId: null,
        actor: ANONYMOUS,
        action: 'api_key.exchange',
        outcome: 'failure',
        resource: { type: 'api_key', id: null },
      });
      return null;
    }
    const { state } = verified;
    const untilExpiry = state.expiresAt === null ? Infinity : Math.floor((state.expiresAt - Date.now()) / 1000);
    const ttl = Math.max(1, Math.min(this.config.auth.keyTokenTtl, untilExpiry));
    const token = await this.keys.sign(state.id, { kind: 'api_key', spc: state.spaceId, gen: state.generation }, ttl);
    await this.audit.appendNow({
      spaceId: state.spaceId,
      actor: actorOf(verified.principal),
      action: 'api_key.exchange',
      resource: { type: 'api_key', id: state.id },
      metadata: { expires_in: ttl },
    });
    return { token, token_type: 'Bearer', expires_in: ttl };
  }

  async exchangeOrFail(request: FastifyRequest, apiKey: string): Promise<KeyTokenDto> {
    const result = await this.exchange(request, apiKey);
    if (!result) throw unauthorized('The API key is invalid, expired or revoked.');
    return result;
  }

  /** Checks the fields class-validator cannot; returns the permissions, undefined when not given. */
  private validated(dto: {
    collection_permissions?: unknown;
    allowed_ips?: unknown;
  }): CollectionPermissions | undefined {
    const errors: FieldError[] = [];
    if (dto.collection_permissions !== undefined) errors.push(...validatePermissions(dto.collection_permissions));
    if (dto.allowed_ips !== undefined) errors.push(...validateAllowedIps(dto.allowed_ips));
    if (errors.length) throw badRequest('One or more fields are invalid.', errors, 'validation-error');
    return dto.collection_permissions as CollectionPermissions | undefined;
  }

  private async find(em: EntityManager, spaceId: string, keyId: string, lock = false): Promise<ApiKeyRow> {
    if (!isUuid(keyId)) throw keyNotFound();
    const row = await (lock ? lockKeyInSpace : keyInSpace).first(em, { spaceId, id: keyId });
    if (!row) throw keyNotFound();
    return row;
  }
}
