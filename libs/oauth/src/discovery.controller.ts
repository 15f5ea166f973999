import { Controller, Get, Header, Inject, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { APP_CONFIG, AppConfig } from '@app/config';
import { Authenticated, CurrentPrincipal, forbidden, Principal, Public } from '@app/common';
import { issuerOf } from './issuer';
import { OAUTH_SCOPE_NAMES } from '@app/common';

const list = (maxItems: number) => ({ type: 'array', items: { type: 'string', maxLength: 100 }, maxItems }) as never;

export class OAuthMetadataDto {
  @ApiProperty({ format: 'uri', maxLength: 2000 }) issuer: string;
  @ApiProperty({ format: 'uri', maxLength: 2000 }) authorization_endpoint: string;
  @ApiProperty({ format: 'uri', maxLength: 2000 }) token_endpoint: string;
  @ApiProperty({ format: 'uri', maxLength: 2000 }) userinfo_endpoint: string;
  @ApiProperty({ format: 'uri', maxLength: 2000 }) jwks_uri: string;
  @ApiProperty({ format: 'uri', maxLength: 2000 }) revocation_endpoint: string;
  @ApiProperty({ format: 'uri', maxLength: 2000 }) introspection_endpoint: string;
  @ApiProperty(list(20)) scopes_supported: string[];
  @ApiProperty(list(5)) response_types_supported: string[];
  @ApiProperty(list(5)) grant_types_supported: string[];
  @ApiProperty(list(5)) code_challenge_methods_supported: string[];
  @ApiProperty(list(5)) token_endpoint_auth_methods_supported: string[];
  @ApiProperty(list(5)) subject_types_supported: string[];
  @ApiProperty(list(5)) id_token_signing_alg_values_supported: string[];
  @ApiProperty(list(20)) claims_supported: string[];
  @ApiProperty() authorization_response_iss_parameter_supported: boolean;
}

export class UserInfoDto {
  @ApiProperty({ format: 'uuid' }) sub: string;
  /** With the `email` scope. */
  @ApiProperty({ required: false, format: 'email', maxLength: 254 }) email?: string;
  /** With the `profile` scope. */
  @ApiProperty({ required: false, type: String, nullable: true, maxLength: 200 }) name?: string | null;
}

/** RFC 8414 and OpenID Connect Discovery: one document, served at both well-known names. */
@ApiTags('auth')
@Controller()
export class DiscoveryController {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  @Public()
  @Get('.well-known/oauth-authorization-server')
  @Header('Cache-Control', 'public, max-age=300')
  @ApiOperation({ operationId: 'oauthMetadata', summary: 'OAuth 2.0 authorization server metadata (RFC 8414)' })
  @ApiOkResponse({ type: OAuthMetadataDto })
  oauth(@Req() request: FastifyRequest): OAuthMetadataDto {
    return this.metadata(request);
  }

  @Public()
  @Get('.well-known/openid-configuration')
  @Header('Cache-Control', 'public, max-age=300')
  @ApiOperation({ operationId: 'openidConfiguration', summary: 'OpenID Connect discovery' })
  @ApiOkResponse({ type: OAuthMetadataDto })
  openid(@Req() request: FastifyRequest): OAuthMetadataDto {
    return this.metadata(request);
  }

  /** OpenID Connect UserInfo: for an app's token with `openid`; `email` and `profile` add their claims. */
  @Authenticated({ apiKeys: true })
  @Get('oauth/userinfo')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ operationId: 'oauthUserInfo', summary: "The signed-in user, as an app's token with openid may see" })
  @ApiOkResponse({ type: UserInfoDto })
  userinfo(@CurrentPrincipal() principal: Principal): UserInfoDto {
    if (principal.kind !== 'user' || !principal.app?.scopes.includes('openid'))
      throw forbidden('UserInfo answers access tokens of apps granted the openid scope.');
    const { scopes } = principal.app;
    return {
      sub: principal.id,
      ...(scopes.includes('email') ? { email: principal.email } : {}),
      ...(scopes.includes('profile') ? { name: principal.name } : {}),
    };
  }

  private metadata(request: FastifyRequest): OAuthMetadataDto {
    const issuer = issuerOf(this.config, request);
    return {
      issuer,
      authorization_endpoint: `${issuer}/oauth/authorize`,
      token_endpoint: `${issuer}/oauth/token`,
      userinfo_endpoint: `${issuer}/oauth/userinfo`,
      jwks_uri: `${issuer}/.well-known/jwks.json`,
      revocation_endpoint: `${issuer}/oauth/revoke`,
      introspection_endpoint: `${issuer}/oauth/introspect`,
      scopes_supported: [...OAUTH_SCOPE_NAMES],
      response_types_supported: ['code'],
      grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['ES256'],
      claims_supported: ['iss', 'sub', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'email', 'name'],
      authorization_response_iss_parameter_supported: true,
    };
  }
}
