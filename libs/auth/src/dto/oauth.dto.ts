import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class OAuthTokenRequestDto {
  @ApiProperty({ enum: ['refresh_token', 'client_credentials'] }) grant_type: string;
  @ApiPropertyOptional({ maxLength: 512, description: 'grant_type=refresh_token' }) refresh_token?: string;
  @ApiPropertyOptional({
    maxLength: 200,
    description: 'grant_type=client_credentials: the API key id (or use HTTP Basic)',
  })
  client_id?: string;
  @ApiPropertyOptional({
    maxLength: 200,
    description: 'grant_type=client_credentials: the API key (or use HTTP Basic)',
  })
  client_secret?: string;
}

export class OAuthTokenResponseDto {
  @ApiProperty({ maxLength: 4096, description: 'An ES256 JWT.' }) access_token: string;
  @ApiProperty({ enum: ['Bearer'] }) token_type: 'Bearer';
  @ApiProperty({ type: 'integer', format: 'int32', minimum: 1, maximum: 86400, example: 3600 }) expires_in: number;
  @ApiPropertyOptional({ maxLength: 512 }) refresh_token?: string;
  @ApiPropertyOptional({ maxLength: 1000 }) scope?: string;
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
