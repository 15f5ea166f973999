import { timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { pepperHash, SECRETS, Secrets } from '@app/config';
import type { FastifyRequest } from 'fastify';
import { basicCredentials, OAuthError } from '@app/auth';
import { isUuid, parseSecret } from '@app/common';
import { clientById, OAuthClientRow } from './oauth.queries';

export const CLIENT_SECRET_PREFIX = 'pcs_';

/**
 * RFC 6749 §2.3: a confidential client proves itself with its secret (HTTP Basic or
 * `client_secret` in the body; a malformed one fails on its checksum, a good one by a
 * constant-time compare of HMACs); a public client names itself. Anything else is
 * `invalid_client`.
 */
export async function authenticateClient(
  params: Record<string, string>,
  request: FastifyRequest,
  find: (id: string) => Promise<OAuthClientRow | undefined>,
  hash: (secret: string) => Buffer,
): Promise<OAuthClientRow> {
  const basic = basicCredentials(request.headers.authorization);
  const id = basic?.id ?? params.client_id;
  const secret = basic?.secret ?? params.client_secret;
  const refuse = () => new OAuthError('invalid_client', 'The client is unknown or its credentials are wrong.');
  if (!id || !isUuid(id)) throw refuse();
  if (basic && params.client_id !== undefined && params.client_id !== basic.id) throw refuse();
  const client = await find(id);
  if (!client) throw refuse();
  if (client.type === 'public') {
    if (secret !== undefined) throw refuse();
    return client;
  }
  if (!secret || parseSecret(CLIENT_SECRET_PREFIX, secret) !== client.id || !client.secret_hash) throw refuse();
  const presented = hash(secret);
  if (presented.length !== client.secret_hash.length || !timingSafeEqual(presented, client.secret_hash)) throw refuse();
  return client;
}

/** `authenticateClient` against the clients table and the deployment's pepper. */
@Injectable()
export class ClientAuthenticator {
  constructor(
    private readonly em: EntityManager,
    @Inject(SECRETS) private readonly secrets: Secrets,
  ) {}

  authenticate(params: Record<string, string>, request: FastifyRequest): Promise<OAuthClientRow> {
    return authenticateClient(
      params,
      request,
      (id) => clientById.first(this.em, { id }),
      (secret) => pepperHash(this.secrets, secret),
    );
  }
}
