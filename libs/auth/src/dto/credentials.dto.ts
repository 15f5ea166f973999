import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsOptional, IsString, Length, MaxLength } from 'class-validator';

const normaliseEmail = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.trim().toLowerCase() : value;

export class SignupDto {
  /** Unique; compared case-insensitively. */
  @ApiProperty({ format: 'email', example: 'ada@example.com' })
  @Transform(normaliseEmail)
  @IsEmail()
  @MaxLength(254)
  email: string;

  @ApiProperty({ minLength: 8, maxLength: 256, format: 'password' })
  @IsString()
  @Length(8, 256)
  password: string;

  @ApiPropertyOptional({ maxLength: 200, example: 'Ada Lovelace' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  name?: string;
}

export class LoginDto {
  @ApiProperty({ format: 'email', example: 'ada@example.com' })
  @Transform(normaliseEmail)
  @IsEmail()
  @MaxLength(254)
  email: string;

  @ApiProperty({ format: 'password', maxLength: 256 })
  @IsString()
  @MaxLength(256)
  password: string;
}

export class RefreshDto {
  @ApiProperty({ maxLength: 200, description: 'The refresh token from signup, login or the previous refresh.' })
  @IsString()
  @MaxLength(200)
  refresh_token: string;
}
