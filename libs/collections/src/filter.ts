import { badRequest, FieldError, findUnstorable, isUuid } from '@app/common';
import { ENCRYPTED_OPERATORS, isOrdered, isTextual } from './fields';
import { paramCast, QueryField, scalar, Sql } from './expressions';

export const OPERATORS = [
  'eq',
  'ne',
  'gt',
  'gte',
  'lt',
  'lte',
  'in',
  'nin',
  'contains',
  'starts_with',
  'ends_with',
  'is_null',
] as const;
type Operator = (typeof OPERATORS)[number];
const MAX_DEPTH = 8;
const MAX_CONDITIONS = 100;

export interface FilterContext {
  field(name: string): QueryField | undefined;
  /** False for fields the caller may not read: filtering on them is 400 too. */
  readable(name: string): boolean;
  /** The blind index of an encrypted field's value (the collection's cipher); absent: none is encrypted. */
  blind?(field: string, value: unknown): string;
}

class FilterError extends Error {}
const fail = (message: string): never => {
  throw new FilterError(message);
};

/** Checks a comparison value's JSON type against the field; returns the parameter to bind. */
function operand(f: QueryField, op: Operator, v: unknown): unknown {
  const where = `${f.name}.${op}`;
  switch (f.type) {
    case 'number':
    case 'integer':
      return typeof v === 'number' && Number.isFinite(v) ? v : fail(`${where} needs a number`);
    case 'boolean':
      return typeof v === 'boolean' ? v : fail(`${where} needs true or false`);
    case 'uuid':
      return isUuid(v) ? v : fail(`${where} needs an id`);
    case 'date':
      return typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v))
        ? v
        : fail(`${where} needs a date YYYY-MM-DD`);
    case 'datetime':
    case 'timestamptz': {
      const d = typeof v === 'string' && /^\d{4}-\d{2}-\d{2}/.test(v) ? new Date(v) : undefined;
      return d && !Number.isNaN(d.getTime()) ? d.toISOString() : fail(`${where} needs an ISO-8601 date-time`);
    }
    default:
      return typeof v === 'string' ? v : fail(`${where} needs a string`);
  }
}

function condition(f: QueryField, op: Operator, v: unknown): Sql {
  const x = scalar(f);
  const json = f.type === 'json' || f.type === 'multi_select';
  const cast = paramCast(f);
  switch (op) {
    case 'is_null': {
      if (typeof v !== 'boolean') fail(`${f.name}.is_null needs true or false`);
      if (f.system) return { sql: v ? 'false' : 'true', params: [] };
      return { sql: v ? '(data->?) is null' : '(data->?) is not null', params: [f.name] };
    }
    case 'eq':
    case 'ne': {
      let eq: Sql;
      if (json) eq = { sql: 'coalesce((data->?) = cast(? as jsonb), false)', params: [f.name, JSON.stringify(v)] };
      else if (f.system) {
        eq = { sql: `coalesce(${x.sql} = cast(? as ${cast}), false)`, params: [...x.params, operand(f, op, v)] };
      } else {
        // Containment is served by the GIN index on data.
        eq = { sql: 'data @> cast(? as jsonb)', params: [JSON.stringify({ [f.name]: operand(f, op, v) })] };
      }
      return op === 'eq' ? eq : { sql: `not (${eq.sql})`, params: eq.params };
    }
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      if (!f.system && !isOrdered(f.type as never)) fail(`${f.name}.${op} does not apply to a ${f.type} field`);
      const sym = { gt: '>', gte: '>=', lt: '<', lte: '<=' }[op];
      return { sql: `coalesce(${x.sql} ${sym} cast(? as ${cast}), false)`, params: [...x.params, operand(f, op, v)] };
    }
    case 'in':
    case 'nin': {
      if (json || f.type === 'boolean') fail(`${f.name}.${op} does not apply to a ${f.type} field`);
      if (!Array.isArray(v) || v.length === 0 || v.length > 1000) fail(`${f.name}.${op} needs a list of 1–1000 values`);
      const list = (v as unknown[]).map((item) => operand(f, op, item));
      const inSql = `coalesce(${x.sql} in (select cast(v as ${cast}) from jsonb_array_elements_text(cast(? as jsonb)) as v), false)`;
      return { sql: op === 'in' ? inSql : `not ${inSql}`, params: [...x.params, JSON.stringify(list)] };
    }
    case 'contains': {
      if (f.type === 'multi_select') {
        return {
          sql: 'coalesce((data->?) @> cast(? as jsonb), false)',
          params: [f.name, JSON.stringify([operand({ ...f, type: 'text' }, op, v)])],
        };
      }
      if (!isTextual(f.type as never)) fail(`${f.name}.contains applies to text and multi_select fields`);
      return { sql: `coalesce(strpos(${x.sql}, ?) > 0, false)`, params: [...x.params, operand(f, op, v)] };
    }
    case 'starts_with':
    case 'ends_with': {
      if (f.system || !isTextual(f.type as never)) fail(`${f.name}.${op} applies to text fields`);
      const s = operand(f, op, v);
      return op === 'starts_with'
        ? { sql: `coalesce(left(${x.sql}, char_length(?)) = ?, false)`, params: [...x.params, s, s] }
        : { sql: `coalesce(right(${x.sql}, char_length(?)) = ?, false)`, params: [...x.params, s, s] };
    }
  }
}

/**
 * An encrypted field compares blind indexes (stored as `data->field->'b'`): equality and
 * membership only, as the contract says; anything else is a 400 naming the field.
 */
function encryptedCondition(f: QueryField, op: Operator, v: unknown, ctx: FilterContext): Sql {
  if (!ENCRYPTED_OPERATORS.includes(op))
    fail(
      f.converting
        ? `${f.name} is being converted to or from encryption: only ${ENCRYPTED_OPERATORS.join(', ')} apply to it until that ends`
        : `${f.name} is encrypted: only ${ENCRYPTED_OPERATORS.join(', ')} apply to it`,
    );
  if (op === 'is_null') return condition(f, op, v);
  if (f.converting) {
    // Values are sealed or clear while the field converts: a match in either form counts.
    const positive = op === 'ne' ? 'eq' : op === 'nin' ? 'in' : op;
    const sealed = encryptedCondition({ ...f, converting: false }, positive, v, ctx);
    const clear = condition(f, positive, v);
    const either = { sql: `((${sealed.sql}) or (${clear.sql}))`, params: [...sealed.params, ...clear.params] };
    return positive === op ? either : { sql: `not ${either.sql}`, params: either.params };
  }
  const blind = (item: unknown) => ctx.blind!(f.name, f.type === 'json' ? item : operand(f, op, item));
  if (op === 'eq' || op === 'ne') {
    // Containment of the blind index is served by the GIN index on data.
    const eq = { sql: 'data @> cast(? as jsonb)', params: [JSON.stringify({ [f.name]: { b: blind(v) } })] };
    return op === 'eq' ? eq : { sql: `not (${eq.sql})`, params: eq.params };
  }
  if (!Array.isArray(v) || v.length === 0 || v.length > 1000) fail(`${f.name}.${op} needs a list of 1–1000 values`);
  const inSql = `coalesce((data->?->>'b') in (select jsonb_array_elements_text(cast(? as jsonb))), false)`;
  const params = [f.name, JSON.stringify((v as unknown[]).map(blind))];
  return { sql: op === 'in' ? inSql : `not ${inSql}`, params };
}

function compileNode(node: unknown, ctx: FilterContext, depth: number, count: { n: number }): Sql {
  if (depth > MAX_DEPTH) fail(`filters nest at most ${MAX_DEPTH} deep`);
  if (typeof node !== 'object' || node === null || Array.isArray(node)) fail('a filter is a JSON object');
  const parts: Sql[] = [];
  for (const [key, value] of Object.entries(node as object)) {
    if (key === 'and' || key === 'or') {
      if (!Array.isArray(value) || value.length === 0) fail(`${key} needs a non-empty list of filters`);
      const subs = (value as unknown[]).map((v) => compileNode(v, ctx, depth + 1, count));
      parts.push({
        sql: `(${subs.map((s) => s.sql).join(key === 'and' ? ' and ' : ' or ')})`,
        params: subs.flatMap((s) => s.params),
      });
      continue;
    }
    if (key === 'not') {
      const sub = compileNode(value, ctx, depth + 1, count);
      parts.push({ sql: `not (${sub.sql})`, params: sub.params });
      continue;
    }
    const f = ctx.field(key);
    if (!f) fail(`unknown field "${key}"`);
    if (!ctx.readable(key)) fail(`field "${key}" cannot be filtered by this credential`);
    const ops =
      typeof value === 'object' && value !== null && !Array.isArray(value)
        ? Object.entries(value)
        : [['eq', value] as [string, unknown]];
    if (ops.length === 0) fail(`${key} needs at least one operator`);
    for (const [op, v] of ops) {
      if (!(OPERATORS as readonly string[]).includes(op)) fail(`unknown operator "${op}" on ${key}`);
      if (++count.n > MAX_CONDITIONS) fail(`a filter holds at most ${MAX_CONDITIONS} conditions`);
      parts.push(
        f!.encrypted || f!.converting
          ? encryptedCondition(f!, op as Operator, v, ctx)
          : condition(f!, op as Operator, v),
      );
    }
  }
  if (parts.length === 0) return { sql: 'true', params: [] };
  return { sql: parts.map((p) => p.sql).join(' and '), params: parts.flatMap((p) => p.params) };
}

/** Parses the `filter` query parameter into parameterised SQL; any mistake is a 400 naming it. */
export function compileFilter(raw: string | undefined, ctx: FilterContext): Sql {
  if (raw === undefined || raw === '') return { sql: 'true', params: [] };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw badRequest('The filter is not valid JSON.', [{ field: 'filter', message: 'must be a JSON object' }]);
  }
  const unstorable = findUnstorable(parsed, 'filter');
  if (unstorable) throw badRequest('Invalid filter.', [unstorable]);
  try {
    return compileNode(parsed, ctx, 1, { n: 0 });
  } catch (error) {
    if (error instanceof FilterError)
      throw badRequest(`Invalid filter: ${error.message}.`, [
        { field: 'filter', message: error.message } satisfies FieldError,
      ]);
    throw error;
  }
}
