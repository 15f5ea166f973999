import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsString, Length } from 'class-validator';
import { IDENTIFIER_PATTERN, IsIdentifier, IsOptionalNonNull, Role, ROLES } from '@app/common';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class CreateSpaceDto {
  @ApiProperty({ minLength: 1, maxLength: 100, example: 'Acme production' })
  @Transform(trim)
  @IsString()
  @Length(1, 100)
  name: string;
}

export class UpdateSpaceDto {
  /** Owners only. */
  @ApiPropertyOptional({ minLength: 1, maxLength: 100 })
  @IsOptionalNonNull()
  @Transform(trim)
  @IsString()
  @Length(1, 100)
  name?: string;

  /** Platform admins only; a tier of the configured tier table. */
  @ApiPropertyOptional({ pattern: IDENTIFIER_PATTERN, maxLength: 63, example: 'business' })
  @IsOptionalNonNull()
  @IsString()
  @IsIdentifier()
  tier?: string;
}

export class SpaceDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ maxLength: 100 }) name: string;
  @ApiProperty({ pattern: IDENTIFIER_PATTERN, maxLength: 63, example: 'free' }) tier: string;
  /** The tier's budget: requests per minute across all of the space's callers. */
  @ApiProperty({ type: 'integer', format: 'int32', minimum: 0, maximum: 100000000, example: 50 })
  rate_limit_per_minute: number;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  /** The caller's role; absent for API keys and non-member platform admins. */
  @ApiPropertyOptional({ enum: ROLES }) role?: Role;
}

export class SpacePageDto {
  @ApiProperty({ type: [SpaceDto], maxItems: 1000 }) data: SpaceDto[];
  @ApiProperty({ type: String, nullable: true, maxLength: 512 }) next_cursor: string | null;
}
