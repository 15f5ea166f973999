import { Body, Controller, Header, HttpCode, Post, Req, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConsumes,
  ApiOkResponse,
  ApiUnauthorizedResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { BruteForceLimited, Public } from '@app/common';
import { OAuthError, OAuthErrorBody, oauthEndpoint, OAuthGrants, OAuthTokenResponse } from './oauth-grants';
import { OAuthErrorDto, OAuthTokenRequestDto, OAuthTokenResponseDto } from './dto/oauth.dto';

/**
 * RFC 6749 token endpoint. Its errors are RFC 6749 bodies (`{ error,
 * error_description }`), not problem details, because OAuth clients parse those.
 */
@ApiTags('auth')
@Public()
@BruteForceLimited()
@Controller('oauth')
export class OAuthController {
  constructor(private readonly grants: OAuthGrants) {}

  @Post('token')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    operationId: 'oauthToken',
    summary: 'OAuth 2.0 token endpoint (authorization_code with PKCE, refresh_token, client_credentials)',
  })
  @ApiConsumes('application/x-www-form-urlencoded', 'application/json')
  @ApiBody({ type: OAuthTokenRequestDto })
  @ApiOkResponse({ type: OAuthTokenResponseDto })
  @ApiBadRequestResponse({
    type: OAuthErrorDto,
    description: 'An RFC 6749 error: a malformed request or an invalid grant.',
  })
  @ApiUnauthorizedResponse({
    type: OAuthErrorDto,
    description: 'An RFC 6749 `invalid_client` error (with `WWW-Authenticate: Basic`).',
  })
  token(
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<OAuthTokenResponse | OAuthErrorBody> {
    return oauthEndpoint(body, reply, (params) => {
      const grantType = params.grant_type;
      if (!grantType) throw new OAuthError('invalid_request', 'grant_type is required.');
      const handler = this.grants.handler(grantType);
      if (!handler) throw new OAuthError('unsupported_grant_type', `grant_type "${grantType}" is not supported.`);
      return handler(params, request);
    });
  }
}
