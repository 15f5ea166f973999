import type { FieldError } from '@app/common';
import { isIdentifier, IDENTIFIER_PATTERN } from '@app/common';

export const FIELD_TYPES = [
  'text',
  'number',
  'integer',
  'boolean',
  'date',
  'datetime',
  'email',
  'url',
  'select',
  'multi_select',
  'json',
] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export interface FieldOptions {
  choices?: string[];
  max_length?: number;
  min?: number;
  max?: number;
  default?: unknown;
}

/** One field of a collection, as stored in `collections.fields`. */
export interface FieldDef {
  name: string;
  type: FieldType;
  required?: boolean;
  unique?: boolean;
  /** Its values are never written to the audit log (changes show `[redacted]`). */
  sensitive?: boolean;
  /** Stored sealed with AES-256-GCM (field-crypto.ts); equality filters and unique only. */
  encrypted?: boolean;
  options?: FieldOptions;
  /**
   * Set by the server while turning encryption on (`encrypted`) or off converts the stored
   * values (field-converter.ts): they are in either form meanwhile. Never accepted from callers.
   */
  converting?: { converted: number; total: number };
}

export const SYSTEM_FIELDS = ['id', 'created_at', 'updated_at'] as const;
const OPTION_KEYS = ['choices', 'max_length', 'min', 'max', 'default'];
const TEXTUAL: FieldType[] = ['text', 'email', 'url', 'select'];
export const MAX_FIELDS = 200;
export const MAX_TEXT_LENGTH = 1_000_000;

export const isTextual = (type: FieldType) => TEXTUAL.includes(type);
/** The types whose values may be stored encrypted (API.md, "Encrypted fields"). */
export const ENCRYPTABLE: FieldType[] = ['text', 'email', 'url', 'date', 'datetime', 'select', 'json'];
/** The filter operators an encrypted field keeps: they compare blind indexes. */
export const ENCRYPTED_OPERATORS = ['eq', 'ne', 'in', 'nin', 'is_null'];
export const isOrdered = (type: FieldType) =>
  ['text', 'email', 'url', 'select', 'number', 'integer', 'date', 'datetime'].includes(type);

/** Validates one field definition; `path` prefixes error fields (e.g. `fields[2]`). */
export function validateFieldDef(raw: unknown, path: string): FieldError[] {
  const errors: FieldError[] = [];
  const at = (f: string, message: string) => errors.push({ field: `${path}${f}`, message });
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return [{ field: path, message: 'must be an object' }];
  const f = raw as Record<string, unknown>;
  for (const k of Object.keys(f))
    if (!['name', 'type', 'required', 'unique', 'sensitive', 'encrypted', 'options'].includes(k))
      at(`.${k}`, 'unknown member');
  if (!isIdentifier(f.name)) at('.name', `must match ${IDENTIFIER_PATTERN}`);
  else if ((SYSTEM_FIELDS as readonly string[]).includes(f.name)) at('.name', `"${f.name}" is reserved`);
  if (!FIELD_TYPES.includes(f.type as FieldType)) at('.type', `must be one of ${FIELD_TYPES.join(', ')}`);
  for (const k of ['required', 'unique', 'sensitive', 'encrypted'])
    if (f[k] !== undefined && typeof f[k] !== 'boolean') at(`.${k}`, 'must be a boolean');
  const type = f.type as FieldType;
  if (f.unique && ['json', 'multi_select', 'boolean'].includes(type)) at('.unique', `a ${type} field cannot be unique`);
  if (f.encrypted === true && !ENCRYPTABLE.includes(type))
    at('.encrypted', `a ${type} field cannot be encrypted (${ENCRYPTABLE.join(', ')} can)`);
  if (f.options === undefined) {
    if (type === 'select' || type === 'multi_select') at('.options.choices', 'is required for select fields');
    return errors;
  }
  if (typeof f.options !== 'object' || f.options === null || Array.isArray(f.options)) {
    at('.options', 'must be an object');
    return errors;
  }
  const o = f.options as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!OPTION_KEYS.includes(k)) at(`.options.${k}`, 'unknown option');
  if (type === 'select' || type === 'multi_select') {
    const c = o.choices;
    if (
      !Array.isArray(c) ||
      c.length === 0 ||
      c.length > 500 ||
      c.some((x) => typeof x !== 'string' || x.length === 0 || x.length > 200) ||
      new Set(c).size !== c.length
    ) {
      at('.options.choices', 'must be a list of 1–500 distinct non-empty strings');
    }
  } else if (o.choices !== undefined) at('.options.choices', 'applies to select fields only');
  if (
    o.max_length !== undefined &&
    (!isTextual(type) ||
      !Number.isInteger(o.max_length) ||
      (o.max_length as number) < 1 ||
      (o.max_length as number) > MAX_TEXT_LENGTH)
  ) {
    at('.options.max_length', `must be an integer from 1 to ${MAX_TEXT_LENGTH} on a text field`);
  }
  for (const k of ['min', 'max']) {
    if (
      o[k] !== undefined &&
      (!['number', 'integer'].includes(type) || typeof o[k] !== 'number' || !Number.isFinite(o[k]))
    ) {
      at(`.options.${k}`, 'must be a number on a number or integer field');
    }
  }
  if (typeof o.min === 'number' && typeof o.max === 'number' && o.min > o.max)
    at('.options.min', 'must not exceed max');
  return errors;
}

/** Validates a whole field list: each definition, unique names, size. */
export function validateFieldDefs(raw: unknown, path = 'fields'): FieldError[] {
  if (!Array.isArray(raw)) return [{ field: path, message: 'must be a list of fields' }];
  if (raw.length > MAX_FIELDS) return [{ field: path, message: `may hold at most ${MAX_FIELDS} fields` }];
  const errors = raw.flatMap((f, i) => validateFieldDef(f, `${path}[${i}]`));
  const names = raw.map((f) => (f as FieldDef)?.name);
  names.forEach((n, i) => {
    if (typeof n === 'string' && names.indexOf(n) !== i)
      errors.push({ field: `${path}[${i}].name`, message: `duplicate field "${n}"` });
  });
  return errors;
}

/** Keeps only the members a definition may have, in a stable order. */
export function normaliseFieldDef(f: FieldDef): FieldDef {
  const out: FieldDef = { name: f.name, type: f.type };
  if (f.required) out.required = true;
  if (f.unique) out.unique = true;
  if (f.sensitive) out.sensitive = true;
  if (f.encrypted) out.encrypted = true;
  if (f.options && Object.keys(f.options).length) out.options = f.options;
  return out;
}
