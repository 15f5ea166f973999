import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiQuery } from '@nestjs/swagger';

/** How the OpenAPI document describes the authorization pages (HTML answers, form bodies). */
export const HTML = { 'text/html': { schema: { type: 'string', maxLength: 20000 } } };
const param = (maxLength: number, description: string, extra: Record<string, unknown> = {}) => ({
  required: false,
  description,
  schema: { type: 'string', maxLength, ...extra },
});

/** The authorization request (RFC 6749 §4.1.1, RFC 7636, OpenID Connect's nonce). */
export function AuthorizeQuery() {
  return applyDecorators(
    ApiQuery({ name: 'response_type', ...param(10, 'Always `code`.', { enum: ['code'] }) }),
    ApiQuery({ name: 'client_id', ...param(36, 'The OAuth client.', { format: 'uuid' }) }),
    ApiQuery({
      name: 'redirect_uri',
      ...param(2000, 'One of the client’s redirect URIs, exactly.', { format: 'uri' }),
    }),
    ApiQuery({ name: 'scope', ...param(1000, 'Space-separated scopes within the client’s.') }),
    ApiQuery({ name: 'state', ...param(2000, 'Returned unchanged.') }),
    ApiQuery({
      name: 'code_challenge',
      ...param(128, 'PKCE S256 challenge (required for public clients).', { pattern: '^[A-Za-z0-9._~-]{43,128}$' }),
    }),
    ApiQuery({ name: 'code_challenge_method', ...param(10, 'Only `S256`.', { enum: ['S256'] }) }),
    ApiQuery({ name: 'nonce', ...param(500, 'OpenID Connect: echoed in the id_token.') }),
  );
}

class AuthorizeFormDto {
  @ApiProperty({ enum: ['code'] }) response_type: string;
  @ApiProperty({ format: 'uuid' }) client_id: string;
  @ApiProperty({ format: 'uri', maxLength: 2000 }) redirect_uri: string;
  @ApiProperty({ maxLength: 1000 }) scope: string;
  @ApiPropertyOptional({ maxLength: 2000 }) state?: string;
  @ApiPropertyOptional({ pattern: '^[A-Za-z0-9._~-]{43,128}$', maxLength: 128 }) code_challenge?: string;
  @ApiPropertyOptional({ enum: ['S256'] }) code_challenge_method?: string;
  @ApiPropertyOptional({ maxLength: 500 }) nonce?: string;
}

/** The authorization request carried in hidden fields, with the credentials. */
export class SignInFormDto extends AuthorizeFormDto {
  @ApiProperty({ format: 'email', maxLength: 254 }) email: string;
  @ApiProperty({ format: 'password', maxLength: 256 }) password: string;
}

/** The authorization request carried in hidden fields, with the page's CSRF token and the answer. */
export class ConsentFormDto extends AuthorizeFormDto {
  @ApiProperty({ maxLength: 100 }) csrf: string;
  @ApiProperty({ enum: ['allow', 'deny'] }) decision: string;
}
