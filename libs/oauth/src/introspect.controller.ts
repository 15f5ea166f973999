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
import { OAuthError, OAuthErrorBody, OAuthErrorDto, oauthEndpoint } from '@app/auth';
import { ClientAuthenticator } from './client-auth';
import { authorizationForRefresh } from './oauth.queries';
import { AppTokenReader } from './token-reader';

export class OAuthIntrospectRequestDto {
  @ApiProperty({ maxLength: 4096 }) token: string;
  @ApiPropertyOptional({ enum: ['access_token', 'refresh_token'] }) token_type_hint?: string;
  @ApiPropertyOptional({ maxLength: 200, description: 'The client id (or use HTTP Basic)' }) client_id?: string;
  @ApiPropertyOptional({ maxLength: 200, description: "The client's secret (or use HTTP Basic)" })
  client_secret?: string;
}

export class OAuthIntrospectionDto {
  @ApiProperty() active: boolean;
  @ApiPropertyOptional({ maxLength: 1000 }) scope?: string;
  @ApiPropertyOptional({ format: 'uuid' }) client_id?: string;
  @ApiPropertyOptional({ format: 'uuid' }) sub?: string;
  @ApiPropertyOptional({ enum: ['access_token', 'refresh_token'] }) token_type?: string;
  @ApiPropertyOptional({ type: 'integer', format: 'int64', minimum: 0, maximum: 99999999999 }) exp?: number;
  @ApiPropertyOptional({ type: 'integer', format: 'int64', minimum: 0, maximum: 99999999999 }) iat?: number;
  @ApiPropertyOptional({ format: 'uuid', description: 'The space the token acts in.' }) space_id?: string;
}

/**
 * RFC 7662 introspection, for authenticated confidential clients, of the tokens issued
 * to them: active while the token is unexpired (a refresh token unspent), its
 * authorization stands and its user is still in the space. Anything else, another
 * client's token included, is `{ "active": false }`.
 */
@ApiTags('auth')
@Public()
@BruteForceLimited()
@Controller('oauth')
export class IntrospectController {
  constructor(
    private readonly em: EntityManager,
    private readonly clients: ClientAuthenticator,
    private readonly reader: AppTokenReader,
  ) {}

  @Post('introspect')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ operationId: 'oauthIntrospect', summary: "Whether an app's token is active (RFC 7662)" })
  @ApiConsumes('application/x-www-form-urlencoded', 'application/json')
  @ApiBody({ type: OAuthIntrospectRequestDto })
  @ApiOkResponse({ type: OAuthIntrospectionDto })
  @ApiBadRequestResponse({ type: OAuthErrorDto, description: 'An RFC 6749 error: a malformed request.' })
  @ApiUnauthorizedResponse({
    type: OAuthErrorDto,
    description: 'An RFC 6749 `invalid_client` error: confidential clients only.',
  })
  introspect(
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<OAuthIntrospectionDto | OAuthErrorBody> {
    return oauthEndpoint(body, reply, async (params) => {
      const client = await this.clients.authenticate(params, request);
      if (client.type !== 'confidential')
        throw new OAuthError('invalid_client', 'Introspection is for confidential clients.');
      if (!params.token) throw new OAuthError('invalid_request', 'token is required.');
      const token = await this.reader.read(params.token);
      const inactive = { active: false };
      if (!token || (token.type === 'refresh' && !token.usable) || token.exp * 1000 <= Date.now()) return inactive;
      const grant = await authorizationForRefresh.first(this.em, { id: token.authorizationId });
      if (!grant || grant.revoked_at || !grant.role || grant.client_id !== client.id) return inactive;
      return {
        active: true,
        scope: grant.scopes.join(' '),
        client_id: client.id,
        sub: grant.user_id,
        token_type: token.type === 'access' ? 'access_token' : 'refresh_token',
        exp: token.exp,
        ...(token.type === 'access' ? { iat: token.iat } : {}),
        space_id: grant.space_id,
      };
    });
  }
}
