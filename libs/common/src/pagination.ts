import { findUnstorable } from './input-guard';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { badRequest } from './problem.exception';

/** `?limit=&cursor=` of every list endpoint. */
export class PageQueryDto {
  /** Page size, 1–1000. */
  @ApiPropertyOptional({ type: 'integer', format: 'int32', minimum: 1, maximum: 1000, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;

  /** Opaque cursor from a previous page's `next_cursor`. */
  @ApiPropertyOptional({ maxLength: 512 })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  cursor?: string;
}

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

export const DEFAULT_PAGE_SIZE = 50;

/** Cursors are base64url JSON of the last row's sort key; decoding validates shape. */
export function encodeCursor(key: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor<T extends Record<string, string | number>>(
  cursor: string | undefined,
  fields: (keyof T)[],
): T | undefined {
  if (cursor === undefined) return undefined;
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as T;
    if (
      typeof value === 'object' &&
      value !== null &&
      fields.every((f) => ['string', 'number'].includes(typeof value[f])) &&
      !findUnstorable(value, 'cursor')
    )
      return value;
  } catch {
    // fall through
  }
  throw badRequest('The cursor is malformed.', [{ field: 'cursor', message: 'cursor is not one this API issued' }]);
}

/** Given limit+1 rows, returns the page and the cursor of its last row. */
export function toPage<R, T>(
  rows: R[],
  limit: number,
  key: (row: R) => Record<string, string | number>,
  map: (row: R) => T,
): Page<T> {
  const more = rows.length > limit;
  const page = more ? rows.slice(0, limit) : rows;
  return { data: page.map(map), next_cursor: more ? encodeCursor(key(page[page.length - 1])) : null };
}
