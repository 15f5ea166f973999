import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { FieldError, PageQueryDto, ProblemException } from '@app/common';

export class ListRecordsQueryDto extends PageQueryDto {
  // Examples live in descriptions: Swagger UI's "Try it out" sends an `example` as the value.
  /** JSON filter, for example `{"status":"paid","total":{"gte":100}}`. */
  @ApiPropertyOptional({ maxLength: 8192 })
  @IsOptional()
  @IsString()
  @MaxLength(8192)
  filter?: string;

  /** Comma-separated fields, `-` for descending; `id` breaks ties. For example `-total,created_at`. */
  @ApiPropertyOptional({ maxLength: 1000 })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  sort?: string;

  /** Comma-separated projection; `id` is always returned. For example `status,total`. */
  @ApiPropertyOptional({ maxLength: 4000 })
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  fields?: string;
}

export class DeleteRecordsQueryDto {
  @ApiProperty({
    maxLength: 8192,
    description: 'Required: which records to delete, as a JSON filter. For example `{"status":"shipped"}`.',
  })
  @IsString()
  @MaxLength(8192)
  filter: string;
}

export class FieldsQueryDto {
  /** Comma-separated projection; `id` is always returned. For example `status,total`. */
  @ApiPropertyOptional({ maxLength: 4000 })
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  fields?: string;
}

/**
 * The batch body, checked here rather than by the validation pipe, which would copy a
 * thousand records through class-transformer to check one array: the same problems as
 * the pipe's (records must be an array, nothing else may be sent).
 */
export function batchRecords(body: unknown): unknown[] {
  const errors: FieldError[] = [];
  const fields = typeof body === 'object' && body !== null && !Array.isArray(body) ? body : {};
  for (const key of Object.keys(fields))
    if (key !== 'records') errors.push({ field: key, message: `property ${key} should not exist` });
  const records = (fields as { records?: unknown }).records;
  if (!Array.isArray(records)) errors.push({ field: 'records', message: 'records must be an array' });
  if (errors.length)
    throw new ProblemException(400, {
      type: 'validation-error',
      title: 'Validation failed',
      detail: 'One or more fields are invalid.',
      errors,
    });
  return records as unknown[];
}

/** The batch body's OpenAPI schema (checked by `batchRecords`). */
export class BatchCreateDto {
  @ApiProperty({ type: 'array', items: { type: 'object' }, maxItems: 1000 } as never)
  records: unknown[];
}

/** A record: its system fields and its collection's own (`additionalProperties`); `/docs/spaces/{id}` types them. */
export class RecordDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ format: 'date-time' }) updated_at: string;
  [field: string]: unknown;
}

export class RecordPageDto {
  @ApiProperty({ type: [RecordDto], maxItems: 1000 }) data: RecordDto[];
  @ApiProperty({ type: String, nullable: true, maxLength: 512 }) next_cursor: string | null;
}

export class DeletedDto {
  @ApiProperty({ type: 'integer', format: 'int64', minimum: 0, maximum: Number.MAX_SAFE_INTEGER, example: 3 })
  deleted: number;
}

export class BatchCreatedDto {
  @ApiProperty({ type: [RecordDto], maxItems: 1000 }) data: RecordDto[];
}
