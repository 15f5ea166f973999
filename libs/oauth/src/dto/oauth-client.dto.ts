import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsOptional,
  IsString,
  Length,
  MaxLength,
} from 'class-validator';
import { IsOptionalNonNull } from '@app/common';
import { OAUTH_SCOPE_NAMES, OAuthScope } from '../oauth-scopes';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
export const CLIENT_TYPES = ['confidential', 'public'] as const;
export type ClientType = (typeof CLIENT_TYPES)[number];

class OAuthClientFieldsDto {
  /** Shown to users on the consent page. */
  @ApiPropertyOptional({ minLength: 1, maxLength: 100, example: 'Acme Reports' })
  @IsOptionalNonNull()
  @Transform(trim)
  @IsString()
  @Length(1, 100)
  name?: string;

  /** Compared exactly at /oauth/authorize: `https`, or `http` on a loopback host; no wildcards, no fragment. */
  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'string', maxLength: 2000, format: 'uri' },
    minItems: 1,
    maxItems: 10,
    example: ['https://reports.example.com/oauth/callback'],
  } as never)
  @IsOptionalNonNull()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10)
  @ArrayUnique()
  @IsString({ each: true })
  @MaxLength(2000, { each: true })
  redirect_uris?: string[];

  /** The most this client may ask a user for; a request beyond it is `invalid_scope`. */
  @ApiPropertyOptional({
    enum: OAUTH_SCOPE_NAMES,
    isArray: true,
    maxItems: OAUTH_SCOPE_NAMES.length,
    example: ['openid', 'email', 'records:read', 'offline_access'],
  })
  @IsOptionalNonNull()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(OAUTH_SCOPE_NAMES, { each: true })
  scopes?: OAuthScope[];

  /** Skips the consent page (the platform's own apps). Only platform admins may set it. */
  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean()
  first_party?: boolean;
}

export class CreateOAuthClientDto extends OAuthClientFieldsDto {
  @ApiProperty({ minLength: 1, maxLength: 100, example: 'Acme Reports' })
  declare name: string;

  @ApiProperty({
    type: 'array',
    items: { type: 'string', maxLength: 2000, format: 'uri' },
    minItems: 1,
    maxItems: 10,
    example: ['https://reports.example.com/oauth/callback'],
  } as never)
  declare redirect_uris: string[];

  @ApiProperty({
    enum: OAUTH_SCOPE_NAMES,
    isArray: true,
    maxItems: OAUTH_SCOPE_NAMES.length,
    example: ['openid', 'email', 'records:read', 'offline_access'],
  })
  declare scopes: OAuthScope[];

  /** `confidential`: a server that keeps a secret. `public`: a browser or native app; PKCE is mandatory. */
  @ApiProperty({ enum: CLIENT_TYPES })
  @IsIn(CLIENT_TYPES)
  type: ClientType;
}

export class UpdateOAuthClientDto extends OAuthClientFieldsDto {}

export class OAuthClientDto {
  @ApiProperty({ format: 'uuid' }) client_id: string;
  @ApiProperty({ maxLength: 100 }) name: string;
  @ApiProperty({ type: 'array', items: { type: 'string', maxLength: 2000, format: 'uri' }, maxItems: 10 } as never)
  redirect_uris: string[];
  @ApiProperty({ enum: CLIENT_TYPES }) type: ClientType;
  @ApiProperty({ enum: OAUTH_SCOPE_NAMES, isArray: true, maxItems: OAUTH_SCOPE_NAMES.length }) scopes: OAuthScope[];
  @ApiProperty() first_party: boolean;
  @ApiProperty({ format: 'date-time' }) created_at: string;
}

export class OAuthClientWithSecretDto extends OAuthClientDto {
  /** A confidential client's secret: in this response only; only a hash is stored. */
  @ApiPropertyOptional({ pattern: '^pcs_[0-9A-Za-z]{71}$', minLength: 75, maxLength: 75 })
  client_secret?: string;
}

export class OAuthClientPageDto {
  @ApiProperty({ type: [OAuthClientDto], maxItems: 1000 }) data: OAuthClientDto[];
  @ApiProperty({ type: String, nullable: true, maxLength: 512 }) next_cursor: string | null;
}
