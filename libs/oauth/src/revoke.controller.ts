import { Body, Controller, Header, HttpCode, Post, Req, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
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
import { BruteForceLimited, Public } from '@app/common';
import { AuditWriter } from '@app/audit';
import { OAuthError, OAuthErrorBody, OAuthErrorDto, oauthEndpoint } from '@app/auth';
import { ClientAuthenticator } from './client-auth';
import { revokeAuthorization } from './oauth.queries';
import { AppTokenReader } from './token-reader';

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
    private readonly clients: ClientAuthenticator,
    private readonly reader: AppTokenReader,
    private readonly audit: AuditWriter,
  ) {}

  @Post('revoke')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ operationId: 'oauthRevoke', summary: "Revoke an app's access or refresh token (RFC 7009)" })
  @ApiConsumes('application/x-www-form-urlencoded', 'application/json')
  @ApiBody({ type: OAuthRevokeRequestDto })
  @ApiOkResponse({ description: 'Revoked, or nothing to revoke (the same answer).' })
  @ApiBadRequestResponse({ type: OAuthErrorDto, description: 'An RFC 6749 error: a malformed request.' })
  @ApiUnauthorizedResponse({ type: OAuthErrorDto, description: 'An RFC 6749 `invalid_client` error.' })
  revoke(
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Record<string, never> | OAuthErrorBody> {
    return oauthEndpoint(body, reply, async (params) => {
      const client = await this.clients.authenticate(params, request);
      if (!params.token) throw new OAuthError('invalid_request', 'token is required.');
      const aid = (await this.reader.read(params.token))?.authorizationId;
      const [revoked] = aid ? await revokeAuthorization.rows(this.em, { id: aid, clientId: client.id }) : [];
      if (revoked)
        await this.audit.appendNow({
          spaceId: revoked.space_id,
          actor: { type: 'user', id: revoked.user_id, label: `via ${client.name}` },
          action: 'oauth.revoke',
          resource: { type: 'oauth_client', id: client.id },
          metadata: { authorization_id: revoked.id },
        });
      return {};
    });
  }
}
