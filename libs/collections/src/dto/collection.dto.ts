import { IDENTIFIER_PATTERN, IDENTIFIER_SCHEMA, IsIdentifier, IsOptionalNonNull } from '@app/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsArray, IsObject, IsOptional, IsString, MaxLength } from 'class-validator';
import { FIELD_TYPES, MAX_FIELDS, MAX_TEXT_LENGTH } from '../fields';

/** Collection and field names: what the database accepts as an identifier, lower case. */
const FIELD_NAME = IDENTIFIER_SCHEMA;

const FIELD_SCHEMA = {
  type: 'object',
  required: ['name', 'type'],
  properties: {
    name: FIELD_NAME,
    type: { type: 'string', enum: [...FIELD_TYPES] },
    required: { type: 'boolean' },
    unique: { type: 'boolean' },
    sensitive: { type: 'boolean', description: 'Values never appear in the audit log; changes show "[redacted]".' },
    encrypted: {
      type: 'boolean',
      description:
        'Values are stored encrypted (AES-256-GCM) and returned decrypted to callers who may read them; ' +
        'types text, email, url, date, datetime, select, json; filters eq, ne, in, nin, is_null; unique works; no sorting. ' +
        'The audit log shows "[encrypted]".',
    },
    options: {
      type: 'object',
      properties: {
        choices: {
          type: 'array',
          minItems: 1,
          maxItems: 500,
          uniqueItems: true,
          items: { type: 'string', minLength: 1, maxLength: 200 },
        },
        max_length: { type: 'integer', format: 'int32', minimum: 1, maximum: MAX_TEXT_LENGTH },
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
  @ApiProperty({ ...FIELD_NAME, example: 'orders' })
  @IsString()
  @IsIdentifier({ message: `name must match ${IDENTIFIER_PATTERN}` })
  name: string;

  @ApiPropertyOptional({ maxLength: 1000, example: 'Customer orders' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  description?: string;

  @ApiProperty({
    type: 'array',
    items: FIELD_SCHEMA,
    maxItems: MAX_FIELDS,
    example: ORDERS_EXAMPLE_FIELDS,
  } as never)
  @IsArray()
  fields: unknown[];
}

/**
 * Schema evolution; every part optional. Either the operation form (applied in the
 * order remove, rename, update, add) or the declarative `fields`: the full desired list,
 * in the shape GET returns, whose difference from the current schema is applied by the
 * same rules. Renames always need `rename_fields`.
 */
export class UpdateCollectionDto {
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 1000 })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  description?: string;

  @ApiPropertyOptional({
    type: 'array',
    items: FIELD_NAME,
    maxItems: MAX_FIELDS,
    description: 'Fields to drop, with their values.',
  } as never)
  @IsOptionalNonNull()
  @IsArray()
  remove_fields?: string[];

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: FIELD_NAME,
    maxProperties: MAX_FIELDS,
    example: { notes: 'comment' },
    description: 'Old name → new name.',
  } as never)
  @IsOptionalNonNull()
  @IsObject()
  rename_fields?: Record<string, string>;

  @ApiPropertyOptional({
    type: 'array',
    items: FIELD_SCHEMA,
    maxItems: MAX_FIELDS,
    description:
      'New definitions of existing fields (type, required, unique, options); existing values must fit (409 with the count otherwise).',
  } as never)
  @IsOptionalNonNull()
  @IsArray()
  update_fields?: unknown[];

  @ApiPropertyOptional({ type: 'array', items: FIELD_SCHEMA, maxItems: MAX_FIELDS } as never)
  @IsOptionalNonNull()
  @IsArray()
  add_fields?: unknown[];

  @ApiPropertyOptional({
    type: 'array',
    items: FIELD_SCHEMA,
    maxItems: MAX_FIELDS,
    description:
      'The full desired list of fields (as GET returns it): missing fields are removed, new ones added, changed ones updated. Not with add_fields, update_fields or remove_fields; renames go in rename_fields (old names), applied first.',
  } as never)
  @IsOptionalNonNull()
  @IsArray()
  fields?: unknown[];
}

/** A field whose encryption was turned on or off, while its stored values are converted. */
export class FieldConversionDto {
  @ApiProperty({ ...FIELD_NAME, example: 'ssn' }) field: string;
  /** `encrypted`: values are being sealed; `clear`: opened. */
  @ApiProperty({ enum: ['encrypted', 'clear'] }) to: 'encrypted' | 'clear';
  /** Values converted so far. */
  @ApiProperty({ type: 'integer', format: 'int64', minimum: 0, maximum: 9007199254740991, example: 1200 })
  converted: number;
  /** Records that held a value when the conversion began. */
  @ApiProperty({ type: 'integer', format: 'int64', minimum: 0, maximum: 9007199254740991, example: 5000 })
  total: number;
}

export class CollectionDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ ...FIELD_NAME, example: 'orders' }) name: string;
  @ApiProperty({ type: String, nullable: true, maxLength: 1000 }) description: string | null;
  @ApiProperty({ type: 'array', items: FIELD_SCHEMA, maxItems: MAX_FIELDS } as never) fields: unknown[];
  /** Bumped on every schema change. */
  @ApiProperty({ type: 'integer', format: 'int32', minimum: 1, maximum: 2147483647 }) version: number;
  /**
   * `ready`, or `indexing` while the collection's sort and unique indexes are rebuilt in
   * the background after a schema change (large collections only); it stays readable and
   * writable meanwhile. `failed`: the rebuild met duplicate values of a unique field.
   */
  @ApiProperty({ enum: ['ready', 'indexing', 'failed'] }) index_state: 'ready' | 'indexing' | 'failed';
  /**
   * Fields whose encryption was turned on or off and whose stored values are being
   * converted in the background, batch by batch; empty when none. The collection stays
   * readable and writable meanwhile; such a field keeps its equality filters (eq, ne, in,
   * nin, is_null), cannot be sorted, and, if unique, cannot be written until it is done.
   */
  @ApiProperty({ type: [FieldConversionDto], maxItems: MAX_FIELDS }) conversions: FieldConversionDto[];
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ format: 'date-time' }) updated_at: string;
}

export class CollectionListDto {
  @ApiProperty({ type: [CollectionDto], maxItems: 1000 }) data: CollectionDto[];
  @ApiProperty({ type: String, nullable: true, maxLength: 512 }) next_cursor: string | null;
}
