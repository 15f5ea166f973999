import { ApiProperty } from '@nestjs/swagger';

export class UserDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'email' }) email: string;
  @ApiProperty({ type: String, nullable: true, maxLength: 200 }) name: string | null;
  @ApiProperty({ format: 'date-time' }) created_at: string;
}

export class TokenPairDto {
  /** ES256 JWT; verify with /.well-known/jwks.json. */
  @ApiProperty({ maxLength: 4096 }) access_token: string;
  /** Opaque, single-use; rotate it with POST /api/auth/refresh. */
  @ApiProperty({ maxLength: 200 }) refresh_token: string;
  /** Access token lifetime in seconds. */
  @ApiProperty({ type: 'integer', format: 'int32', minimum: 1, maximum: 86400, example: 3600 }) expires_in: number;
  @ApiProperty({ enum: ['Bearer'] }) token_type: 'Bearer';
}

export class SignupResponseDto extends TokenPairDto {
  @ApiProperty({ type: UserDto }) user: UserDto;
}

export class MeUserDto {
  @ApiProperty({ enum: ['user'] }) kind: 'user';
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'email' }) email: string;
  @ApiProperty({ type: String, nullable: true, maxLength: 200 }) name: string | null;
  @ApiProperty() is_platform_admin: boolean;
}
