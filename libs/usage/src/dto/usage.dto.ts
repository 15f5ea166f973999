import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsUUID } from 'class-validator';
import { GRAINS, type Grain } from '../usage.queries';

/** A request count: JSON numbers are exact up to 2^53 - 1. */
const COUNT = { type: 'integer', format: 'int64', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } as const;

/** Which periods to read: [from, to), one point per `granularity`; at most 400 points. */
export class UsageQueryDto {
  /**
   * Start of the range (ISO 8601), rounded down to its period. Default: 60 minutes, 24
   * hours or 30 days before `to`.
   */
  @ApiPropertyOptional({ format: 'date-time', example: '2026-12-01T00:00:00Z' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  /** End of the range, exclusive (ISO 8601). Default: now. */
  @ApiPropertyOptional({ format: 'date-time', example: '2026-12-02T00:00:00Z' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;

  @ApiPropertyOptional({ enum: GRAINS, default: 'hour' })
  @IsOptional()
  @IsIn(GRAINS)
  granularity?: Grain;

  /** One key's usage (deleted keys included) instead of the whole space's. */
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  key_id?: string;
}

export class UsageByStatusDto {
  /** Successful answers (1xx–3xx included). */
  @ApiProperty({ name: '2xx', ...COUNT })
  '2xx'!: number;
  /** Refused credentials: missing, malformed, revoked, expired or deleted. */
  @ApiProperty({ name: '401', ...COUNT })
  '401'!: number;
  /** Refused permissions, and keys used from an address their allowlist refuses. */
  @ApiProperty({ name: '403', ...COUNT })
  '403'!: number;
  @ApiProperty({ name: '404', ...COUNT })
  '404'!: number;
  /** Rate-limited. */
  @ApiProperty({ name: '429', ...COUNT })
  '429'!: number;
  /** Other client errors (validation, conflicts, …). */
  @ApiProperty({ name: '4xx', ...COUNT })
  '4xx'!: number;
  @ApiProperty({ name: '5xx', ...COUNT })
  '5xx'!: number;
}

export class UsagePointDto {
  /** The period's start (UTC). */
  @ApiProperty({ format: 'date-time' })
  at!: string;
  @ApiProperty({ ...COUNT })
  requests!: number;
  @ApiProperty({ type: UsageByStatusDto })
  by_status!: UsageByStatusDto;
  /** Median latency in ms (server time, from fixed buckets); null without requests. */
  @ApiProperty({ type: Number, nullable: true, minimum: 0 })
  p50_ms!: number | null;
  /** 95th percentile latency in ms; null without requests. */
  @ApiProperty({ type: Number, nullable: true, minimum: 0 })
  p95_ms!: number | null;
}

export class UsageSeriesDto {
  /** One point per period of the range, oldest first; periods without requests are zero. */
  @ApiProperty({ type: [UsagePointDto], maxItems: 400 })
  data!: UsagePointDto[];
}
