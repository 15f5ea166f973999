import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length, MaxLength } from 'class-validator';
import { SignupDto, SignupResponseDto } from '@app/auth';
import { SpaceDto } from '@app/spaces';
import { ApiKeyWithSecretDto } from '@app/api-keys';

export class SetupStatusDto {
  /** True while no user exists: the server has logged a one-time setup URL. */
  required: boolean;
}

/** The first user, and the name of their first space. */
export class SetupDto extends SignupDto {
  /** The one-time token of the setup URL the server logged at start. */
  @ApiProperty({ maxLength: 100, example: 'Xq9…' })
  @IsString()
  @MaxLength(100)
  token: string;

  /** The first space's name: the bounds of a space's name (POST /api/spaces). */
  @ApiProperty({ minLength: 1, maxLength: 100, example: 'My space' })
  @IsString()
  @Length(1, 100)
  space_name: string;
}

/** The new platform admin's session, their space, and an admin key for it (its secret shown only here). */
export class SetupResultDto extends SignupResponseDto {
  @ApiProperty({ type: SpaceDto }) space: SpaceDto;
  @ApiProperty({ type: ApiKeyWithSecretDto }) api_key: ApiKeyWithSecretDto;
}
