import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsString, MaxLength } from 'class-validator';
import { PageQueryDto } from '@app/common';
import { ACTOR_TYPES, AUDIT_OUTCOMES } from '../audit-event';

/** Filters of the audit log; all optional, combined with AND. */
export class AuditLogQueryDto extends PageQueryDto {
  /** Exact action, e.g. `record.update`. */
  @IsOptional()
  @IsString()
  @MaxLength(100)
  action?: string;

  @ApiPropertyOptional({ enum: ACTOR_TYPES })
  @IsOptional()
  @IsIn(ACTOR_TYPES)
  actor_type?: (typeof ACTOR_TYPES)[number];

  @IsOptional()
  @IsString()
  @MaxLength(200)
  actor_id?: string;

  /** e.g. `record`, `api_key`, `member`, `collection`, `space`. */
  @IsOptional()
  @IsString()
  @MaxLength(100)
  resource_type?: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  resource_id?: string;

  @ApiPropertyOptional({ enum: AUDIT_OUTCOMES })
  @IsOptional()
  @IsIn(AUDIT_OUTCOMES)
  outcome?: (typeof AUDIT_OUTCOMES)[number];

  /** Entries at or after this instant (ISO 8601). */
  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  /** Entries before this instant (ISO 8601). */
  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
}

export class AuditActorDto {
  @ApiProperty({ enum: ACTOR_TYPES })
  type!: string;
  @ApiProperty({ type: String, nullable: true, maxLength: 200 })
  id!: string | null;
  /** The key's label or the user's email. */
  @ApiProperty({ type: String, nullable: true, maxLength: 254 })
  label!: string | null;
}

export class AuditResourceDto {
  @ApiProperty({ maxLength: 100, example: 'record' })
  type!: string;
  @ApiProperty({ type: String, nullable: true, maxLength: 200 })
  id!: string | null;
  /** The collection, for records and collections. */
  @ApiProperty({ type: String, nullable: true, maxLength: 63 })
  collection!: string | null;
}

export class AuditLogDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  /** Position in the space's hash chain, from 1 with no gaps. */
  @ApiProperty({ type: 'integer', format: 'int64', minimum: 1, maximum: Number.MAX_SAFE_INTEGER })
  seq!: number;
  @ApiProperty({ format: 'date-time' })
  at!: string;
  actor!: AuditActorDto;
  /** e.g. `record.update`, `api_key.create`, `auth.login`. */
  @ApiProperty({ maxLength: 100, example: 'record.update' })
  action!: string;
  @ApiProperty({ enum: AUDIT_OUTCOMES })
  outcome!: string;
  @ApiProperty({ type: AuditResourceDto, nullable: true })
  resource!: AuditResourceDto | null;
  @ApiProperty({ type: String, nullable: true, maxLength: 45, description: 'The client address (IPv4 or IPv6).' })
  ip!: string | null;
  @ApiProperty({ type: String, nullable: true, maxLength: 512 })
  user_agent!: string | null;
  @ApiProperty({ type: String, nullable: true, maxLength: 128 })
  request_id!: string | null;
  /** `{ field: [before, after] }`; values of sensitive fields read `[redacted]`. */
  @ApiProperty({
    type: 'object',
    nullable: true,
    additionalProperties: { type: 'array', minItems: 2, maxItems: 2, items: {} },
    example: { status: ['new', 'paid'] },
  })
  changes!: Record<string, [unknown, unknown]> | null;
  /** Context that is not a field change (a failure's reason, an aggregated count). */
  @ApiProperty({ type: 'object', nullable: true, additionalProperties: true })
  metadata!: Record<string, unknown> | null;
  /** sha256 (hex) of this entry's canonical content and the previous entry's hash. */
  @ApiProperty({ pattern: '^[0-9a-f]{64}$', minLength: 64, maxLength: 64 })
  hash!: string;
}

export class AuditLogPageDto {
  @ApiProperty({ type: [AuditLogDto], maxItems: 1000 })
  data!: AuditLogDto[];
  @ApiProperty({ type: String, nullable: true, maxLength: 512 })
  next_cursor!: string | null;
}

export class AuditVerifyDto {
  /** True when every kept entry links to the one before it and hashes to its stored hash. */
  valid!: boolean;
  /** Entries checked. */
  @ApiProperty({ type: 'integer', format: 'int64', minimum: 0, maximum: Number.MAX_SAFE_INTEGER })
  checked!: number;
  /** The first entry (oldest) that does not verify; absent when valid. */
  @ApiPropertyOptional({ format: 'uuid' })
  first_broken_id?: string;
  /** Why it does not verify: `hash_mismatch`, `broken_link`, `missing_entries` or `truncated`. */
  @ApiPropertyOptional({ enum: ['hash_mismatch', 'broken_link', 'missing_entries', 'truncated'] })
  reason?: string;
}
