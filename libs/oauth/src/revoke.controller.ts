import { Body, Controller, Header, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { EntityManager } from '@mikro-orm/postgresql';
import { jwtVerify } from 'jose';
import { APP_CONFIG, AppConfig, pepperHash, SECRETS, Secrets } from '@app/config';
import { BruteForceLimited, isUuid, Public } from '@app/common';
import { AuditWriter } from '@app/audit';
import { OAuthError, SigningKeysService } from '@app/auth';
import { authenticateClient } from './client-auth';
import { authorizationOfRefreshToken, clientById, revokeAuthorization } from './oauth.queries';

export class OAuthRevokeRequestDto {
  @ApiProperty({ maxLength: 4096, description: 'An access token or refresh token the client was issued' })
  token: string;
  @ApiPropertyOptional({ enum: ['access_token', 'refresh_token'] }) token_type_hint?: string;
  @ApiPropertyOptional({ maxLength: 200, description: 'The client id (or use HTTP Basic)' }) client_id?: string;
  @ApiPropertyOptional({ maxLength: 200, description: "A confidential client's secret (or use HTTP Basic)" })
  client_secret?: string;
}

/**
 * RFC 7009 token revocation for apps: an access or refresh token the calling client was
 * issued revokes the authorization it rests on (its other tokens with it). Unknown,
 * malformed or other clients' tokens get the same 200: the answer reveals nothing.
 */
@ApiTags('auth')
@Public()
@BruteForceLimited()
@Controller('oauth')
export class RevokeController {
  constructor(
    private readonly em: EntityManager,
    private readonly keys: SigningKeysService,
    private readonly audit: AuditWriter,
    @Inject(SECRETS) private readonly secrets: Secrets,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post('revoke')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ operationId: 'oauthRevoke', summary: "Revoke an app's access or refresh token (RFC 7009)" })
  @ApiConsumes('application/x-www-form-urlencoded', 'application/json')
  @ApiBody({ type: OAuthRevokeRequestDto })
  @ApiOkResponse({ description: 'Revoked, or nothing to revoke (the same answer).' })
  @ApiUnauthorizedResponse({ description: 'An RFC 6749 `invalid_client` error.' })
  async revoke(
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Record<string, never> | { error: string; error_description: string }> {
    try {
      const params = Object.fromEntries(
        Object.entries((body ?? {}) as Record<string, unknown>).filter(
          (e): e is [string, string] => typeof e[1] === 'string',
        ),
      );
      const client = await authenticateClient(
        params,
        request,
        (id) => clientById.first(this.em, { id }),
        (secret) => pepperHash(this.secrets, secret),
      );
      if (!params.token) throw new OAuthError('invalid_request', 'token is required.');
      const aid = await this.authorizationOf(params.token);
      if (aid) {
        const [revoked] = await revokeAuthorization.rows(this.em, { id: aid, clientId: client.id });
        if (revoked)
          await this.audit.appendNow({
            spaceId: revoked.space_id,
            actor: { type: 'user', id: revoked.user_id, label: `via ${client.name}` },
            action: 'oauth.revoke',
            resource: { type: 'oauth_client', id: client.id },
            metadata: { authorization_id: revoked.id },
          });
      }
      return {};
    } catch (error) {
      if (!(error instanceof OAuthError)) throw error;
      reply.status(error.status);
      if (error.status === 401) reply.header('WWW-Authenticate', 'Basic realm="portico"');
      return { error: error.error, error_description: error.description };
    }
  }

  /** The authorization a token rests on: an app's access JWT (signature checked) or its refresh token. */
  private async authorizationOf(token: string): Promise<string | undefined> {
    if (token.startsWith('prt_')) {
      const row = await authorizationOfRefreshToken.first(this.em, { tokenHash: pepperHash(this.secrets, token) });
      return row?.authorization_id ?? undefined;
    }
    try {
      const { payload } = await jwtVerify(
        token,
        (header) => {
          const key = this.keys.publicKey(header.kid);
          if (!key) throw new Error('unknown kid');
          return key;
        },
        { issuer: this.config.auth.issuer, audience: this.config.auth.audience, algorithms: ['ES256'] },
      );
      return payload.kind === 'oauth' && typeof payload.aid === 'string' && isUuid(payload.aid)
        ? payload.aid
        : undefined;
    } catch {
      return undefined;
    }
  }
}
