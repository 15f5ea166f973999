import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class OAuthTokenRequestDto {
  @ApiProperty({ enum: ['refresh_token', 'client_credentials'] }) grant_type: string;
  @ApiPropertyOptional({ description: 'grant_type=refresh_token' }) refresh_token?: string;
  @ApiPropertyOptional({ description: 'grant_type=client_credentials: the API key id (or use HTTP Basic)' }) client_id?: string;
  @ApiPropertyOptional({ description: 'grant_type=client_credentials: the API key (or use HTTP Basic)' }) client_secret?: string;
}

export class OAuthTokenResponseDto {
  @ApiProperty() access_token: string;
  @ApiProperty({ enum: ['Bearer'] }) token_type: 'Bearer';
  @ApiProperty({ example: 3600 }) expires_in: number;
  @ApiPropertyOptional() refresh_token?: string;
  @ApiPropertyOptional() scope?: string;
}
