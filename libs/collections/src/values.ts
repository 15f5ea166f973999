import type { FieldError } from '@app/common';
import { FieldDef, SYSTEM_FIELDS } from './fields';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

type Result = { ok: true; value: unknown } | { ok: false; message: string };
const bad = (message: string): Result => ({ ok: false, message });
const good = (value: unknown): Result => ({ ok: true, value });

/** Checks one value against its field and returns its normal form (datetimes as ISO-8601 UTC). */
export function normaliseValue(field: FieldDef, value: unknown): Result {
  const o = field.options ?? {};
  switch (field.type) {
    case 'text':
    case 'email':
    case 'url': {
      if (typeof value !== 'string') return bad('must be a string');
      if (o.max_length !== undefined && [...value].length > o.max_length)
        return bad(`must be at most ${o.max_length} characters`);
      if (field.type === 'email' && (!EMAIL.test(value) || value.length > 254)) return bad('must be an email address');
      if (field.type === 'url') {
        try {
          if (!['http:', 'https:'].includes(new URL(value).protocol)) return bad('must be an http(s) URL');
        } catch {
          return bad('must be an http(s) URL');
        }
      }
      return good(value);
    }
    case 'number':
    case 'integer': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return bad('must be a number');
      if (field.type === 'integer' && !Number.isSafeInteger(value)) return bad('must be an integer');
      if (o.min !== undefined && value < o.min) return bad(`must be at least ${o.min}`);
      if (o.max !== undefined && value > o.max) return bad(`must be at most ${o.max}`);
      return good(value);
    }
    case 'boolean':
      return typeof value === 'boolean' ? good(value) : bad('must be true or false');
    case 'date': {
      if (typeof value !== 'string' || !DATE.test(value)) return bad('must be a date YYYY-MM-DD');
      const d = new Date(`${value}T00:00:00Z`);
      return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value
        ? good(value)
        : bad('must be a valid date');
    }
    case 'datetime': {
      if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T/.test(value)) return bad('must be an ISO-8601 date-time');
      const d = new Date(value);
      if (Number.isNaN(d.getTime()) || d.getUTCFullYear() > 9999) return bad('must be an ISO-8601 date-time');
      return good(d.toISOString());
    }
    case 'select':
      return typeof value === 'string' && o.choices!.includes(value)
        ? good(value)
        : bad(`must be one of ${o.choices!.join(', ')}`);
    case 'multi_select': {
      if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || !o.choices!.includes(v))) {
        return bad(`must be a list of ${o.choices!.join(', ')}`);
      }
      if (new Set(value).size !== value.length) return bad('must not repeat a choice');
      return good(value);
    }
    case 'json':
      return good(value);
  }
}

interface Compiled {
  byName: Map<string, FieldDef>;
  /** The fields a create fills in or requires when the body leaves them out. */
  defaulted: FieldDef[];
}

/**
 * What validating against a schema needs, made once per schema: a collection row
 * remembered by this instance keeps its fields array until its version changes, so a
 * batch of a thousand records (and every later write) looks fields up in one map.
 */
const COMPILED = new WeakMap<readonly FieldDef[], Compiled>();
function compiled(fields: readonly FieldDef[]): Compiled {
  let c = COMPILED.get(fields);
  if (!c) {
    c = {
      byName: new Map(fields.map((f) => [f.name, f])),
      defaulted: fields.filter((f) => f.options?.default !== undefined || f.required),
    };
    COMPILED.set(fields, c);
  }
  return c;
}

/**
 * Validates a record body against the schema: one error per bad field. On create,
 * defaults fill absent fields and required fields must end up present; on a patch,
 * `null` removes a field (unless it is required). Returns the values to store.
 */
export function normaliseRecord(
  fields: readonly FieldDef[],
  body: unknown,
  mode: 'create' | 'patch',
): { values: Record<string, unknown>; removed: string[]; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const values: Record<string, unknown> = {};
  const removed: string[] = [];
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { values, removed, errors: [{ field: '', message: 'a record must be a JSON object' }] };
  }
  const { byName, defaulted } = compiled(fields);
  for (const name in body) {
    const value = (body as Record<string, unknown>)[name];
    const field = byName.get(name);
    if (!field) {
      const managed = (SYSTEM_FIELDS as readonly string[]).includes(name);
      errors.push({ field: name, message: managed ? 'is managed by the server' : 'is not a field of this collection' });
      continue;
    }
    if (value === null) {
      if (field.required) errors.push({ field: name, message: 'is required' });
      else if (mode === 'patch') removed.push(name);
      continue;
    }
    const result = normaliseValue(field, value);
    if (result.ok) values[name] = result.value;
    else errors.push({ field: name, message: result.message });
  }
  if (mode === 'create') {
    for (const field of defaulted) {
      if (values[field.name] !== undefined || errors.some((e) => e.field === field.name)) continue;
      if (field.options?.default !== undefined) values[field.name] = field.options.default;
      else if (field.required) errors.push({ field: field.name, message: 'is required' });
    }
  }
  return { values, removed, errors };
}
