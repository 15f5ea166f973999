import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { pepperHash, SECRETS, Secrets } from '@app/config';
import {
  badRequest,
  decodeCursor,
  DEFAULT_PAGE_SIZE,
  FieldError,
  forbidden,
  generateSecret,
  isUuid,
  notFound,
  Page,
  PageQueryDto,
  Principal,
  toPage,
  uuidv7,
} from '@app/common';
import { actorOf, AuditWriter, diff } from '@app/audit';
import { SpaceAccessService } from '@app/spaces';
import {
  CreateOAuthClientDto,
  OAuthClientDto,
  OAuthClientWithSecretDto,
  UpdateOAuthClientDto,
} from './dto/oauth-client.dto';
import {
  clientInSpace,
  clientsOfSpace,
  deleteClient,
  insertClient,
  lockClientInSpace,
  OAuthClientRow,
  regenerateClientSecret,
  updateClient,
} from './oauth.queries';
import { redirectUriProblem } from './redirect-uri';
import { CLIENT_SECRET_PREFIX } from './client-auth';

const clientNotFound = () => notFound('The OAuth client does not exist.');

export function toClientDto(row: OAuthClientRow): OAuthClientDto {
  return {
    client_id: row.id,
    name: row.name,
    redirect_uris: row.redirect_uris,
    type: row.type,
    scopes: row.scopes,
    first_party: row.first_party,
    created_at: new Date(row.created_at).toISOString(),
  };
}

/** What the audit log shows of a client: its settings, never its secret or hash. */
const audited = (row: OAuthClientRow) => ({
  name: row.name,
  type: row.type,
  redirect_uris: row.redirect_uris,
  scopes: row.scopes,
  first_party: row.first_party,
});

/**
 * OAuth clients of a space, managed by those who manage its API keys (admins, or a key
 * with `keys:admin`). Only platform admins may mark a client `first_party`: such a
 * client skips the consent page, so a space admin could otherwise obtain its members'
 * tokens without asking them.
 */
@Injectable()
export class OAuthClientsService {
  constructor(
    private readonly em: EntityManager,
    private readonly access: SpaceAccessService,
    private readonly audit: AuditWriter,
    @Inject(SECRETS) private readonly secrets: Secrets,
  ) {}

  async create(principal: Principal, spaceId: string, dto: CreateOAuthClientDto): Promise<OAuthClientWithSecretDto> {
    await this.access.authorize(principal, spaceId, 'keys.manage');
    this.validate(principal, dto);
    const id = uuidv7();
    const secret = dto.type === 'confidential' ? generateSecret(CLIENT_SECRET_PREFIX, id) : undefined;
    const row = await this.em.transactional(async (em) => {
      const [created] = await insertClient.rows(em, {
        spaceId,
        id,
        name: dto.name,
        type: dto.type,
        redirectUrisJson: JSON.stringify(dto.redirect_uris),
        scopesJson: JSON.stringify(dto.scopes),
        firstParty: dto.first_party ?? false,
        secretHash: secret ? this.hash(secret) : null,
        secretLast4: secret ? secret.slice(-4) : null,
        createdByType: principal.kind,
        createdById: principal.id,
      });
      await this.audit.append(em, {
        spaceId,
        actor: actorOf(principal),
        action: 'oauth_client.create',
        resource: { type: 'oauth_client', id },
        changes: diff({}, audited(created)),
      });
      return created;
    });
    return { ...toClientDto(row), ...(secret ? { client_secret: secret } : {}) };
  }

  async list(principal: Principal, spaceId: string, query: PageQueryDto): Promise<Page<OAuthClientDto>> {
    await this.access.authorize(principal, spaceId, 'keys.manage');
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const after = decodeCursor<{ id: string }>(query.cursor, ['id']);
    const rows = await clientsOfSpace.rows(this.em, { spaceId, after: after?.id ?? null, limit: limit + 1 });
    return toPage(rows, limit, (r) => ({ id: r.id }), toClientDto);
  }

  async get(principal: Principal, spaceId: string, clientId: string): Promise<OAuthClientDto> {
    await this.access.authorize(principal, spaceId, 'keys.manage');
    if (!isUuid(clientId)) throw clientNotFound();
    const row = await clientInSpace.first(this.em, { spaceId, id: clientId });
    if (!row) throw clientNotFound();
    return toClientDto(row);
  }

  async update(
    principal: Principal,
    spaceId: string,
    clientId: string,
    dto: UpdateOAuthClientDto,
  ): Promise<OAuthClientDto> {
    await this.access.authorize(principal, spaceId, 'keys.manage');
    this.validate(principal, dto);
    const row = await this.change(spaceId, clientId, async (em, current) => {
      const [updated] = await updateClient.rows(em, {
        spaceId,
        id: clientId,
        name: dto.name ?? null,
        redirectUrisJson: dto.redirect_uris ? JSON.stringify(dto.redirect_uris) : null,
        scopesJson: dto.scopes ? JSON.stringify(dto.scopes) : null,
        firstParty: dto.first_party ?? null,
      });
      await this.audit.append(em, {
        spaceId,
        actor: actorOf(principal),
        action: 'oauth_client.update',
        resource: { type: 'oauth_client', id: clientId },
        changes: diff(audited(current), audited(updated)),
      });
      return updated;
    });
    return toClientDto(row);
  }

  async regenerateSecret(principal: Principal, spaceId: string, clientId: string): Promise<OAuthClientWithSecretDto> {
    await this.access.authorize(principal, spaceId, 'keys.manage');
    const secret = generateSecret(CLIENT_SECRET_PREFIX, clientId);
    const row = await this.change(spaceId, clientId, async (em, current) => {
      if (current.type !== 'confidential')
        throw badRequest('A public client has no secret to regenerate.', undefined, 'public-client');
      const [updated] = await regenerateClientSecret.rows(em, {
        spaceId,
        id: clientId,
        secretHash: this.hash(secret),
        secretLast4: secret.slice(-4),
      });
      await this.audit.append(em, {
        spaceId,
        actor: actorOf(principal),
        action: 'oauth_client.regenerate_secret',
        resource: { type: 'oauth_client', id: clientId },
        metadata: { generation: updated.generation },
      });
      return updated;
    });
    return { ...toClientDto(row), client_secret: secret };
  }

  async remove(principal: Principal, spaceId: string, clientId: string): Promise<void> {
    await this.access.authorize(principal, spaceId, 'keys.manage');
    await this.change(spaceId, clientId, async (em, current) => {
      await deleteClient.rows(em, { spaceId, id: clientId });
      await this.audit.append(em, {
        spaceId,
        actor: actorOf(principal),
        action: 'oauth_client.delete',
        resource: { type: 'oauth_client', id: clientId },
        changes: diff(audited(current), {}),
      });
    });
  }

  private hash(secret: string): Buffer {
    return pepperHash(this.secrets, secret);
  }

  /** Locks the client's row (404 when absent) for one change. */
  private async change<T>(
    spaceId: string,
    clientId: string,
    work: (em: EntityManager, current: OAuthClientRow) => Promise<T>,
  ): Promise<T> {
    if (!isUuid(clientId)) throw clientNotFound();
    return this.em.transactional(async (em) => {
      const current = await lockClientInSpace.first(em, { spaceId, id: clientId });
      if (!current) throw clientNotFound();
      return work(em, current);
    });
  }

  /** The rules class-validator cannot state: redirect URI shape, and who may mark a client first-party. */
  private validate(principal: Principal, dto: { redirect_uris?: string[]; first_party?: boolean }): void {
    const errors: FieldError[] = [];
    (dto.redirect_uris ?? []).forEach((uri, i) => {
      const problem = redirectUriProblem(uri);
      if (problem) errors.push({ field: `redirect_uris[${i}]`, message: problem });
    });
    if (errors.length) throw badRequest('One or more fields are invalid.', errors, 'validation-error');
    if (dto.first_party && !(principal.kind === 'user' && principal.isPlatformAdmin))
      throw forbidden('Only platform admins may mark a client first-party (it skips the consent page).');
  }
}
