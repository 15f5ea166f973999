import type { CollectionAccess } from '../collection-access';
import { ENCRYPTED_OPERATORS, FieldDef, SYSTEM_FIELDS } from '../fields';

type Schema = Record<string, unknown>;

/** `orders` → `Orders`, `order_items` → `OrderItems`: the schema names a generated client exposes. */
export function schemaName(collection: string): string {
  return collection
    .split('_')
    .filter(Boolean)
    .map((part) => part[0].toUpperCase() + part.slice(1))
    .join('');
}

/** The JSON Schema of one field's values, as `normaliseValue` enforces them. */
export function fieldSchema(field: FieldDef): Schema {
  const o = field.options ?? {};
  const bounds = {
    ...(o.min !== undefined ? { minimum: o.min } : {}),
    ...(o.max !== undefined ? { maximum: o.max } : {}),
  };
  const maxLength = o.max_length !== undefined ? { maxLength: o.max_length } : {};
  switch (field.type) {
    case 'text':
      return { type: 'string', ...maxLength };
    case 'email':
      return { type: 'string', format: 'email', maxLength: Math.min(o.max_length ?? 254, 254) };
    case 'url':
      return { type: 'string', format: 'uri', ...maxLength };
    case 'number':
      return { type: 'number', ...bounds };
    case 'integer':
      return { type: 'integer', format: 'int64', ...bounds };
    case 'boolean':
      return { type: 'boolean' };
    case 'date':
      return { type: 'string', format: 'date', maxLength: 10 };
    case 'datetime':
      return { type: 'string', format: 'date-time', maxLength: 30 };
    case 'select':
      return { type: 'string', enum: [...(o.choices ?? [])] };
    case 'multi_select':
      return {
        type: 'array',
        uniqueItems: true,
        maxItems: o.choices?.length ?? 0,
        items: { type: 'string', enum: [...(o.choices ?? [])] },
      };
    case 'json':
      return {};
  }
}

const SYSTEM_SCHEMAS: Record<(typeof SYSTEM_FIELDS)[number], Schema> = {
  id: { type: 'string', format: 'uuid', maxLength: 36, readOnly: true },
  created_at: { type: 'string', format: 'date-time', maxLength: 30, readOnly: true },
  updated_at: { type: 'string', format: 'date-time', maxLength: 30, readOnly: true },
};

const described = (field: FieldDef, schema: Schema): Schema => {
  const notes = [
    field.unique ? 'Unique in the collection.' : '',
    field.sensitive ? 'Sensitive: never shown in the audit log.' : '',
    field.encrypted
      ? `Encrypted at rest (AES-256-GCM); filter with ${ENCRYPTED_OPERATORS.join(', ')} only; not sortable; the audit log shows "[encrypted]".`
      : '',
    // While its values convert, the field takes what both forms allow (filter.ts, sort.ts).
    field.converting
      ? `Being converted ${field.encrypted ? 'to' : 'from'} encryption: until that ends, filter with ${ENCRYPTED_OPERATORS.join(', ')} only, not sortable${field.unique ? ', not writable' : ''}.`
      : '',
  ].filter(Boolean);
  const marked: Schema = field.encrypted
    ? { ...schema, 'x-portico-encrypted': true, 'x-portico-filter-operators': ENCRYPTED_OPERATORS }
    : field.converting
      ? { ...schema, 'x-portico-filter-operators': ENCRYPTED_OPERATORS }
      : schema;
  const withDefault = field.options?.default !== undefined ? { ...marked, default: field.options.default } : marked;
  return notes.length > 0 ? { ...withDefault, description: notes.join(' ') } : withDefault;
};

/**
 * A record as this caller reads it: the system fields and the fields its read rules
 * let through. Required lists what is always there (a `fields=` projection returns
 * a subset).
 */
export function readSchema(fields: readonly FieldDef[], access: CollectionAccess): Schema {
  const properties: Record<string, Schema> = {};
  const required: string[] = [];
  for (const name of SYSTEM_FIELDS) {
    if (!access.readable(name)) continue;
    properties[name] = SYSTEM_SCHEMAS[name];
    required.push(name);
  }
  for (const field of fields) {
    if (!access.readable(field.name)) continue;
    properties[field.name] = described(field, fieldSchema(field));
    if (field.required) required.push(field.name);
  }
  return { type: 'object', properties, required, additionalProperties: false };
}

/**
 * A record body as this caller may write it: only the fields it may write. On
 * create, required fields without a default must be sent; on a patch nothing is
 * required and `null` removes an optional field.
 */
export function inputSchema(fields: readonly FieldDef[], access: CollectionAccess, mode: 'create' | 'patch'): Schema {
  const properties: Record<string, Schema> = {};
  const required: string[] = [];
  for (const field of fields) {
    if (!access.writable(field.name)) continue;
    const schema = described(field, fieldSchema(field));
    // `nullable` needs a `type` beside it; a json field's untyped schema takes null already.
    const nullable = mode === 'patch' && !field.required && schema.type !== undefined;
    properties[field.name] = nullable ? { ...schema, nullable: true } : schema;
    if (mode === 'create' && field.required && field.options?.default === undefined) required.push(field.name);
  }
  return { type: 'object', properties, ...(required.length > 0 ? { required } : {}), additionalProperties: false };
}
