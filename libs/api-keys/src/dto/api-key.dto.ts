import { IDENTIFIER_SCHEMA, IsOptionalNonNull } from '@app/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { SCOPES, Scope } from '../permissions';

export const EXPIRES_IN = ['7d', '30d', '60d', '90d', '180d', 'never'] as const;
export type ExpiresIn = (typeof EXPIRES_IN)[number];

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

const PERMISSIONS_EXAMPLE = {
  users: ['read', 'write'],
  products: ['read'],
  orders: {
    read: true,
    write: true,
    delete: false,
    select_fields: ['id', 'total'],
    exclude_fields: ['card_last4'],
    writable_fields: ['status'],
  },
  '*': ['read'],
};

const FIELD_NAME = IDENTIFIER_SCHEMA;

const PERMISSIONS_SCHEMA = {
  type: 'object',
  description:
    'By collection name (or "*" for every collection, present and future): a list of actions (`read`, `write`, `delete`, `admin`) ' +
    'or an object of action booleans plus field rules `select_fields`, `exclude_fields`, `writable_fields`.',
  maxProperties: 1000,
  additionalProperties: {
    oneOf: [
      { type: 'array', maxItems: 4, items: { type: 'string', enum: ['read', 'write', 'delete', 'admin'] } },
      {
        type: 'object',
        properties: {
          read: { type: 'boolean' },
          write: { type: 'boolean' },
          delete: { type: 'boolean' },
          admin: { type: 'boolean' },
          select_fields: { type: 'array', maxItems: 1000, items: FIELD_NAME },
          exclude_fields: { type: 'array', maxItems: 1000, items: FIELD_NAME },
          writable_fields: { type: 'array', maxItems: 1000, items: FIELD_NAME },
        },
        additionalProperties: false,
      },
    ],
  },
  example: PERMISSIONS_EXAMPLE,
};

class ApiKeyFieldsDto {
  @ApiPropertyOptional({ maxLength: 1000, example: 'Backend service API key' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  description?: string;

  /** Grants everything in the space. */
  @ApiPropertyOptional({ default: false })
  @IsOptionalNonNull()
  @IsBoolean()
  is_admin?: boolean;

  @ApiPropertyOptional(PERMISSIONS_SCHEMA as never)
  @IsOptionalNonNull()
  @IsObject()
  collection_permissions?: Record<string, unknown>;

  @ApiPropertyOptional({ enum: SCOPES, isArray: true, maxItems: SCOPES.length, example: ['audit:read'] })
  @IsOptionalNonNull()
  @IsArray()
  @IsIn(SCOPES, { each: true })
  scopes?: Scope[];

  /** IPv4/IPv6 addresses or CIDRs, e.g. `203.0.113.0/24`; empty means any address. */
  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'string', maxLength: 49 },
    maxItems: 100,
    // Any address, so a key created from the example in Swagger UI works from wherever it is tried.
    example: ['0.0.0.0/0', '::/0'],
  } as never)
  @IsOptionalNonNull()
  @IsArray()
  @ArrayMaxSize(100)
  allowed_ips?: string[];

  /** A per-key cap below the space's tier budget; null removes it. */
  @ApiPropertyOptional({ type: 'integer', format: 'int32', nullable: true, minimum: 1, maximum: 1000000, example: 100 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000000)
  rate_limit_per_minute?: number | null;
}

export class CreateApiKeyDto extends ApiKeyFieldsDto {
  @ApiProperty({ minLength: 1, maxLength: 200, example: 'production-backend' })
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  label: string;

  @ApiPropertyOptional({ enum: EXPIRES_IN, default: '30d' })
  @IsOptionalNonNull()
  @IsIn(EXPIRES_IN)
  expires_in?: ExpiresIn;
}

export class UpdateApiKeyDto extends ApiKeyFieldsDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: 200 })
  @IsOptionalNonNull()
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  label?: string;
}

/** ekoDB's register body: the admin key may come in the body. */
export class RegisterApiKeyDto extends CreateApiKeyDto {
  @ApiPropertyOptional({ maxLength: 200, description: 'An admin API key of the space, when not sent in a header.' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  api_key?: string;
}

export class ApiKeyDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) space_id: string;
  @ApiProperty({ maxLength: 200 }) label: string;
  @ApiProperty({ type: String, nullable: true, maxLength: 1000 }) description: string | null;
  @ApiProperty() is_admin: boolean;
  @ApiProperty(PERMISSIONS_SCHEMA as never) collection_permissions: Record<string, unknown>;
  @ApiProperty({ enum: SCOPES, isArray: true, maxItems: SCOPES.length }) scopes: string[];
  @ApiProperty({ type: 'array', items: { type: 'string', maxLength: 49 }, maxItems: 100 } as never)
  allowed_ips: string[];
  @ApiProperty({ type: 'integer', format: 'int32', nullable: true, minimum: 1, maximum: 1000000 })
  rate_limit_per_minute: number | null;
  @ApiProperty({ maxLength: 40, example: 'ptc_…a1B2' }) masked_key: string;
  @ApiProperty({ enum: ['active', 'expired'] }) status: 'active' | 'expired';
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) expires_at: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) last_used_at: string | null;
  @ApiProperty({
    type: 'object',
    properties: { type: { type: 'string', enum: ['user', 'api_key'] }, id: { type: 'string', format: 'uuid' } },
    required: ['type', 'id'],
    example: { type: 'user', id: '0190b7a4-1234-7abc-8def-0123456789ab' },
  } as never)
  created_by: { type: 'user' | 'api_key'; id: string };
  @ApiProperty({ format: 'date-time' }) created_at: string;
}

export class ApiKeyWithSecretDto extends ApiKeyDto {
  /** The secret, shown only in this response. */
  @ApiProperty({
    pattern: '^ptc_[0-9A-Za-z]{71}$',
    maxLength: 75,
    example: 'ptc_0Gq3LzV8bXw2NcT5hY7kJAs9Df4Gh6Jk8Lm1Np3Qr5St7Uv9Wx2Yz4Ab6Cd8Ef0Ghx3K9pQ',
  })
  key: string;
}

/** A key as the list shows it: with its traffic. */
export class ApiKeyListItemDto extends ApiKeyDto {
  /**
   * Requests that presented this key in the last 24 hours, refused ones included (a
   * rolling window, to the minute; complete within one usage flush, 10 s by default).
   */
  @ApiProperty({ type: 'integer', format: 'int64', minimum: 0, maximum: Number.MAX_SAFE_INTEGER })
  requests_24h: number;
}

export class ApiKeyPageDto {
  @ApiProperty({ type: [ApiKeyListItemDto], maxItems: 1000 }) data: ApiKeyListItemDto[];
  @ApiProperty({ type: String, nullable: true, maxLength: 512 }) next_cursor: string | null;
}

export class KeyTokenRequestDto {
  @ApiProperty({ maxLength: 200, description: 'The API key to exchange.' })
  @IsString()
  @MaxLength(200)
  api_key: string;
}

export class KeyTokenDto {
  /** ES256 JWT acting as the key; dies with the key (regenerate, delete, expiry). */
  @ApiProperty({ maxLength: 4096 }) token: string;
  @ApiProperty({ enum: ['Bearer'] }) token_type: 'Bearer';
  @ApiProperty({ type: 'integer', format: 'int32', minimum: 1, maximum: 86400, example: 3600 }) expires_in: number;
}

export class MeApiKeyDto {
  @ApiProperty({ enum: ['api_key'] }) kind: 'api_key';
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ maxLength: 200 }) label: string;
  @ApiProperty({ format: 'uuid' }) space_id: string;
  @ApiProperty() is_admin: boolean;
  @ApiProperty(PERMISSIONS_SCHEMA as never) collection_permissions: Record<string, unknown>;
  @ApiProperty({ enum: SCOPES, isArray: true, maxItems: SCOPES.length }) scopes: string[];
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) expires_at: string | null;
}
