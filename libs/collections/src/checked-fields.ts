import { badRequest, FieldError } from '@app/common';
import { FieldDef, normaliseFieldDef, validateFieldDefs } from './fields';
import { normaliseValue } from './values';

/** Checks definitions and their defaults; returns them normalised. */
export function checkedFields(raw: unknown, path: string): FieldDef[] {
  const errors: FieldError[] = validateFieldDefs(raw, path);
  if (!errors.length) {
    (raw as FieldDef[]).forEach((f, i) => {
      if (f.options?.default === undefined) return;
      const r = normaliseValue(f, f.options.default);
      if (!r.ok) errors.push({ field: `${path}[${i}].options.default`, message: r.message });
    });
  }
  if (errors.length) throw badRequest('The field definitions are invalid.', errors, 'validation-error');
  return (raw as FieldDef[]).map(normaliseFieldDef);
}
