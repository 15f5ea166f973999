import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class OAuthTokenRequestDto {
  @ApiProperty({ enum: ['authorization_code', 'refresh_token', 'client_credentials'] }) grant_type: string;
  @ApiPropertyOptional({ maxLength: 512, description: 'grant_type=refresh_token' }) refresh_token?: string;
  @ApiPropertyOptional({ maxLength: 100, description: 'grant_type=authorization_code: the code from /oauth/authorize' })
  code?: string;
  @ApiPropertyOptional({
    maxLength: 2000,
    description: 'grant_type=authorization_code: the redirect_uri of the authorization request, exactly',
  })
  redirect_uri?: string;
  @ApiPropertyOptional({
    minLength: 43,
    maxLength: 128,
    pattern: '^[A-Za-z0-9._~-]{43,128}$',
    description: 'grant_type=authorization_code: the PKCE verifier (RFC 7636) when a challenge was sent',
  })
  code_verifier?: string;
  @ApiPropertyOptional({
    maxLength: 200,
    description:
      'client_credentials: the API key id; authorization_code: the OAuth client id (or use HTTP Basic for either)',
  })
  client_id?: string;
  @ApiPropertyOptional({
    maxLength: 200,
    description:
      "client_credentials: the API key; authorization_code: a confidential client's secret (or use HTTP Basic)",
  })
  client_secret?: string;
}

export class OAuthTokenResponseDto {
  @ApiProperty({ maxLength: 4096, description: 'An ES256 JWT.' }) access_token: string;
  @ApiProperty({ enum: ['Bearer'] }) token_type: 'Bearer';
  @ApiProperty({ type: 'integer', format: 'int32', minimum: 1, maximum: 86400, example: 3600 }) expires_in: number;
  @ApiPropertyOptional({ maxLength: 512 }) refresh_token?: string;
  @ApiPropertyOptional({ maxLength: 1000 }) scope?: string;
  /** authorization_code with the `openid` scope: an ES256 OpenID Connect id_token for the client. */
  @ApiPropertyOptional({ maxLength: 4096 }) id_token?: string;
}

/** RFC 6749 §5.2: what OAuth clients expect instead of problem details. */
export class OAuthErrorDto {
  @ApiProperty({
    enum: [
      'invalid_request',
      'invalid_client',
      'invalid_grant',
      'unauthorized_client',
      'unsupported_grant_type',
      'invalid_scope',
    ],
  })
  error: string;
  @ApiProperty({ maxLength: 1000 }) error_description: string;
}
