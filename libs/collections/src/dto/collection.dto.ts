import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsArray, IsObject, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { FIELD_TYPES } from '../fields';

const FIELD_SCHEMA = {
  type: 'object',
  required: ['name', 'type'],
  properties: {
    name: { type: 'string', pattern: '^[a-z][a-z0-9_]{0,62}$' },
    type: { type: 'string', enum: [...FIELD_TYPES] },
    required: { type: 'boolean' },
    unique: { type: 'boolean' },
    sensitive: { type: 'boolean', description: 'Values never appear in the audit log; changes show "[redacted]".' },
    options: {
      type: 'object',
      properties: {
        choices: { type: 'array', items: { type: 'string' } },
        max_length: { type: 'integer', minimum: 1 },
        min: { type: 'number' },
        max: { type: 'number' },
        default: {},
      },
    },
  },
};

/** The contract's `orders` example: the documented example and the tests' fixture. */
export const ORDERS_EXAMPLE_FIELDS = [
  { name: 'status', type: 'select', required: true, options: { choices: ['new', 'paid', 'shipped'] } },
  { name: 'total', type: 'number', required: true, options: { min: 0 } },
  { name: 'email', type: 'email', unique: true },
  { name: 'notes', type: 'text', options: { max_length: 2000 } },
  { name: 'paid_at', type: 'datetime' },
  { name: 'meta', type: 'json' },
];

export class CreateCollectionDto {
  @ApiProperty({ pattern: '^[a-z][a-z0-9_]{0,62}$', example: 'orders' })
  @IsString()
  @Matches(/^[a-z][a-z0-9_]{0,62}$/, { message: 'name must match ^[a-z][a-z0-9_]{0,62}$' })
  name: string;

  @ApiPropertyOptional({ maxLength: 1000, example: 'Customer orders' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  description?: string;

  @ApiProperty({
    type: 'array',
    items: FIELD_SCHEMA,
    example: ORDERS_EXAMPLE_FIELDS,
  } as never)
  @IsArray()
  fields: unknown[];
}

/** Schema evolution; every part optional, applied in the order remove, rename, update, add. */
export class UpdateCollectionDto {
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 1000 })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  description?: string;

  @ApiPropertyOptional({ type: [String], description: 'Fields to drop, with their values.' })
  @IsOptional()
  @IsArray()
  remove_fields?: string[];

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' }, example: { notes: 'comment' }, description: 'Old name → new name.' } as never)
  @IsOptional()
  @IsObject()
  rename_fields?: Record<string, string>;

  @ApiPropertyOptional({ type: 'array', items: FIELD_SCHEMA, description: 'New definitions of existing fields (type, required, unique, options); existing values must fit (409 with the count otherwise).' } as never)
  @IsOptional()
  @IsArray()
  update_fields?: unknown[];

  @ApiPropertyOptional({ type: 'array', items: FIELD_SCHEMA } as never)
  @IsOptional()
  @IsArray()
  add_fields?: unknown[];
}

export class CollectionDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ type: String, nullable: true }) description: string | null;
  @ApiProperty({ type: 'array', items: FIELD_SCHEMA } as never) fields: unknown[];
  /** Bumped on every schema change. */
  @ApiProperty() version: number;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ format: 'date-time' }) updated_at: string;
}

export class CollectionListDto {
  @ApiProperty({ type: [CollectionDto] }) data: CollectionDto[];
  @ApiProperty({ type: String, nullable: true }) next_cursor: string | null;
}
