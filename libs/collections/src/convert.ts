import { FieldDef } from './fields';
import { normaliseValue } from './values';

/**
 * Converts an existing value to a field's new definition, or reports it cannot.
 * Strings holding numbers or booleans convert to those; numbers and booleans
 * convert to text; everything else must already fit.
 */
export function convertValue(field: FieldDef, value: unknown): { ok: true; value: unknown } | { ok: false } {
  const direct = normaliseValue(field, value);
  if (direct.ok) return direct;
  let candidate: unknown;
  if (
    typeof value === 'string' &&
    (field.type === 'number' || field.type === 'integer') &&
    /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(value.trim())
  ) {
    candidate = Number(value);
  } else if (typeof value === 'string' && field.type === 'boolean' && ['true', 'false'].includes(value)) {
    candidate = value === 'true';
  } else if ((typeof value === 'number' || typeof value === 'boolean') && ['text', 'select'].includes(field.type)) {
    candidate = String(value);
  } else if (typeof value === 'string' && field.type === 'multi_select') {
    candidate = [value];
  } else {
    return { ok: false };
  }
  const converted = normaliseValue(field, candidate);
  return converted.ok ? converted : { ok: false };
}
