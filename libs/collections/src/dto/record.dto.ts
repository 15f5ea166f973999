import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsArray, IsOptional, IsString, MaxLength } from 'class-validator';
import { PageQueryDto } from '@app/common';

export class ListRecordsQueryDto extends PageQueryDto {
  /** JSON filter, e.g. {"status":"paid","total":{"gte":100}}. */
  @ApiPropertyOptional({ maxLength: 8192, example: '{"status":"paid","total":{"gte":100}}' })
  @IsOptional()
  @IsString()
  @MaxLength(8192)
  filter?: string;

  /** Comma-separated fields, `-` for descending; `id` breaks ties. */
  @ApiPropertyOptional({ maxLength: 1000, example: '-total,created_at' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  sort?: string;

  /** Comma-separated projection; `id` is always returned. */
  @ApiPropertyOptional({ maxLength: 4000, example: 'status,total' })
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  fields?: string;
}

export class DeleteRecordsQueryDto {
  @ApiProperty({ maxLength: 8192, description: 'Required: which records to delete.', example: '{"status":"shipped"}' })
  @IsString()
  @MaxLength(8192)
  filter: string;
}

export class FieldsQueryDto {
  @ApiPropertyOptional({ maxLength: 4000, example: 'status,total' })
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  fields?: string;
}

export class BatchCreateDto {
  @ApiProperty({ type: 'array', items: { type: 'object' }, maxItems: 1000 } as never)
  @IsArray()
  records: unknown[];
}

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
