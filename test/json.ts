import type { FieldError } from '@app/common';
import type { FieldDef } from '../libs/collections/src/fields';
import type { CollectionDto } from '../libs/collections/src/dto/collection.dto';

/**
 * Types for the JSON bodies tests read, so a test states what it expects to get back
 * (`res.json<Problem>()`) instead of reading members of `any`. The DTO classes are the
 * server's own declarations of its answers; the rest mirror the contract.
 */
export type {
  ApiKeyDto,
  ApiKeyListItemDto,
  ApiKeyWithSecretDto,
  KeyTokenDto,
  MeApiKeyDto,
} from '../libs/api-keys/src/dto/api-key.dto';
export type { AuditLogDto, AuditVerifyDto } from '../libs/audit/src/dto/audit-log.dto';
export type { SignupResponseDto, TokenPairDto, MeUserDto } from '../libs/auth/src/dto/session.dto';
export type { OAuthTokenResponseDto, OAuthErrorDto } from '../libs/auth/src/dto/oauth.dto';
export type { JwksDto } from '../libs/auth/src/dto/jwks.dto';
export type { CollectionDto } from '../libs/collections/src/dto/collection.dto';
export type { MemberDto } from '../libs/spaces/src/dto/member.dto';
export type { SpaceDto } from '../libs/spaces/src/dto/space.dto';

/** An RFC 9457 problem body as every error answer carries it. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  request_id: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

/** A 400 that names each invalid field. */
export interface ValidationProblem extends Problem {
  errors: FieldError[];
}

/** One page of a keyset-paginated list. */
export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

/** A record: its system fields and the collection's own, whose types the test's schema decides. */
export interface Row {
  id: string;
  created_at: string;
  updated_at: string;
  [field: string]: unknown;
}

/** Anything the API creates and names: the members a test reads besides the id are its own to check. */
export interface Resource {
  id: string;
  [member: string]: unknown;
}

/** A collection as the API returns it, with its field definitions typed. */
export type Collection = Omit<CollectionDto, 'fields'> & { fields: FieldDef[] };

/** A body whose members the test only compares, never uses as values of a type. */
export type Json = Record<string, unknown>;

/** The members of an OpenAPI document tests walk; each test narrows the operations it reads. */
export interface OpenApiDoc<Operation = unknown> {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: {
    securitySchemes: Record<string, unknown>;
    schemas: Record<string, { properties?: Record<string, unknown>; [member: string]: unknown }>;
  };
}

/** `expect.any(String)` without jest's `any` return type, for use inside typed expectations. */
export const anyString = expect.any(String) as unknown;

/** `expect.stringMatching(re)`, likewise. */
export const matching = (pattern: RegExp) => expect.stringMatching(pattern) as unknown;
