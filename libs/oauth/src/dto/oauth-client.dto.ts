import { applyDecorators } from '@nestjs/common';
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
import { OAUTH_SCOPE_NAMES, OAuthScope } from '@app/common';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
export const CLIENT_TYPES = ['confidential', 'public'] as const;
export type ClientType = (typeof CLIENT_TYPES)[number];

const NAME = { minLength: 1, maxLength: 100, example: 'Acme Reports' };
const REDIRECT_URIS = {
  type: 'array',
  items: { type: 'string', maxLength: 2000, format: 'uri' },
  minItems: 1,
  maxItems: 10,
  example: ['https://reports.example.com/oauth/callback'],
} as never;
const SCOPES = {
  enum: OAUTH_SCOPE_NAMES,
  isArray: true,
  maxItems: OAUTH_SCOPE_NAMES.length,
  example: ['openid', 'email', 'records:read', 'offline_access'],
};

/** Shown to users on the consent page. */
const Name = () => applyDecorators(Transform(trim), IsString(), Length(1, 100));
/** Compared exactly at /oauth/authorize: `https`, or `http` on a loopback host; no wildcards, no fragment. */
const RedirectUris = () =>
  applyDecorators(
    IsArray(),
    ArrayMinSize(1),
    ArrayMaxSize(10),
    ArrayUnique(),
    IsString({ each: true }),
    MaxLength(2000, { each: true }),
  );
/** The most this client may ask a user for; a request beyond it is `invalid_scope`. */
const Scopes = () =>
  applyDecorators(IsArray(), ArrayMinSize(1), ArrayUnique(), IsIn(OAUTH_SCOPE_NAMES, { each: true }));
/** Skips the consent page (the platform's own apps). Only platform admins may set it. */
const FirstParty = () => applyDecorators(ApiPropertyOptional({ default: false }), IsOptional(), IsBoolean());

export class CreateOAuthClientDto {
  @ApiProperty(NAME) @Name() name: string;
  @ApiProperty(REDIRECT_URIS) @RedirectUris() redirect_uris: string[];
  @ApiProperty(SCOPES) @Scopes() scopes: OAuthScope[];
  /** `confidential`: a server that keeps a secret. `public`: a browser or native app; PKCE is mandatory. */
  @ApiProperty({ enum: CLIENT_TYPES })
  @IsIn(CLIENT_TYPES)
  type: ClientType;
  @FirstParty() first_party?: boolean;
}

/** Every member optional; `null` is refused (nothing here can be unset). */
export class UpdateOAuthClientDto {
  @ApiPropertyOptional(NAME) @IsOptionalNonNull() @Name() name?: string;
  @ApiPropertyOptional(REDIRECT_URIS) @IsOptionalNonNull() @RedirectUris() redirect_uris?: string[];
  @ApiPropertyOptional(SCOPES) @IsOptionalNonNull() @Scopes() scopes?: OAuthScope[];
  @FirstParty() first_party?: boolean;
}

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
