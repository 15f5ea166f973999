import { ApiProperty } from '@nestjs/swagger';

export class UserDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'email' }) email: string;
  @ApiProperty({ type: String, nullable: true }) name: string | null;
  @ApiProperty({ format: 'date-time' }) created_at: string;
}

export class TokenPairDto {
  /** ES256 JWT; verify with /.well-known/jwks.json. */
  @ApiProperty() access_token: string;
  /** Opaque, single-use; rotate it with POST /api/auth/refresh. */
  @ApiProperty() refresh_token: string;
  /** Access token lifetime in seconds. */
  @ApiProperty({ example: 3600 }) expires_in: number;
  @ApiProperty({ enum: ['Bearer'] }) token_type: 'Bearer';
}

export class SignupResponseDto extends TokenPairDto {
  @ApiProperty({ type: UserDto }) user: UserDto;
}

export class MeUserDto {
  @ApiProperty({ enum: ['user'] }) kind: 'user';
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'email' }) email: string;
  @ApiProperty({ type: String, nullable: true }) name: string | null;
  @ApiProperty() is_platform_admin: boolean;
}
