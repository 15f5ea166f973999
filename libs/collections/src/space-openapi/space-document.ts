import { PROBLEM_REF, PROBLEM_SCHEMAS, PROBLEM_STATUSES, SECURITY_SCHEME_DEFINITIONS } from '@app/common';
import { CollectionAccess } from '../collection-access';
import type { FieldDef } from '../fields';
import { inputSchema, readSchema, schemaName } from './record-schemas';

export interface SpaceCollection {
  name: string;
  description: string | null;
  fields: FieldDef[];
  access: CollectionAccess;
}

type Operation = Record<string, unknown>;
// Record routes take all three schemes, as @Authenticated({ apiKeys: true }) declares them.
const SECURITY = Object.keys(SECURITY_SCHEME_DEFINITIONS).map((name) => ({ [name]: [] }));
// The main document's descriptions, but 409 is always a unique value on record routes.
const ERRORS: Record<number, string> = { ...PROBLEM_STATUSES, 409: 'A unique field value is taken.' };
const problems = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((s) => [
      String(s),
      { description: ERRORS[s], content: { 'application/problem+json': { schema: PROBLEM_REF } } },
    ]),
  );
const json = (schema: unknown) => ({ 'application/json': { schema } });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const query = (name: string, description: string, schema: Record<string, unknown> = { type: 'string' }) => ({
  name,
  in: 'query',
  required: false,
  description,
  schema,
});
const LIMIT = query('limit', 'Page size, 1–1000 (default 50).', {
  type: 'integer',
  format: 'int32',
  minimum: 1,
  maximum: 1000,
});
const CURSOR = query('cursor', "A previous page's `next_cursor`.", { type: 'string', maxLength: 512 });
const FIELDS = query('fields', 'Comma-separated projection; `id` is always returned.', {
  type: 'string',
  maxLength: 4000,
});
const FILTER = (required: boolean) => ({
  ...query('filter', 'JSON filter, e.g. {"status":"paid","total":{"gte":100}}.', { type: 'string', maxLength: 8192 }),
  required,
});
const ID = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
/**
 * The space is a required parameter, never a default: a generated client whose caller
 * forgets it must fail to compile, not silently target this space. The example fills
 * it in Swagger UI.
 */
const SPACE = (spaceId: string) => ({
  name: 'space_id',
  in: 'path',
  required: true,
  schema: { type: 'string', format: 'uuid' },
  example: spaceId,
});

/**
 * `orders_input` would collide with `orders`'s `OrdersInput`: the later collection (in
 * name order) gets a numbered name instead, so every schema keeps one meaning.
 */
function uniqueName(base: string, taken: Set<string>): string {
  let name = base;
  for (let n = 2; [name, `${name}Page`, `${name}Input`, `${name}Patch`].some((x) => taken.has(x)); n++)
    name = `${base}${n}`;
  for (const x of [name, `${name}Page`, `${name}Input`, `${name}Patch`]) taken.add(x);
  return name;
}

/**
 * The OpenAPI document of one space's record endpoints as one caller sees them: a
 * read schema (`Orders`), a create schema (`OrdersInput`) and a patch schema
 * (`OrdersPatch`) per collection it may read, and only the operations it may perform.
 * Paths keep `{space_id}` (a required parameter), so code written against one
 * space's client reads the same for another space with the same collections.
 */
export function spaceDocument(spaceId: string, collections: readonly SpaceCollection[]): Record<string, unknown> {
  const paths: Record<string, Record<string, Operation>> = {};
  const schemas: Record<string, unknown> = { ...PROBLEM_SCHEMAS };
  const taken = new Set(Object.keys(PROBLEM_SCHEMAS));
  for (const c of collections) {
    if (!c.access.can('read')) continue;
    const name = uniqueName(schemaName(c.name), taken);
    const can = (action: 'write' | 'delete') => c.access.can(action);
    schemas[name] = { ...readSchema(c.fields, c.access), ...(c.description ? { description: c.description } : {}) };
    schemas[`${name}Page`] = {
      type: 'object',
      required: ['data', 'next_cursor'],
      properties: {
        data: { type: 'array', maxItems: 1000, items: ref(name) },
        next_cursor: { type: 'string', nullable: true, maxLength: 512 },
      },
    };
    if (can('write')) {
      schemas[`${name}Input`] = inputSchema(c.fields, c.access, 'create');
      schemas[`${name}Patch`] = inputSchema(c.fields, c.access, 'patch');
    }
    const base = `/api/spaces/{space_id}/collections/${c.name}/records`;
    const op = (operationId: string, summary: string, rest: Operation): Operation => {
      const parameters = [SPACE(spaceId), ...((rest.parameters as unknown[] | undefined) ?? [])];
      return { operationId, summary, tags: [c.name], security: SECURITY, ...rest, parameters };
    };
    const collectionOps: Record<string, Operation> = {
      get: op(`list${name}`, `List ${c.name}: filter, sort, fields, keyset cursor`, {
        parameters: [
          LIMIT,
          CURSOR,
          FILTER(false),
          query('sort', 'Comma-separated fields, `-` for descending.', { type: 'string', maxLength: 1000 }),
          FIELDS,
        ],
        responses: {
          '200': { description: 'A page of records.', content: json(ref(`${name}Page`)) },
          ...problems(400, 401, 403, 404, 429),
        },
      }),
    };
    const recordOps: Record<string, Operation> = {
      get: op(`get${name}`, `One record of ${c.name}`, {
        parameters: [ID, FIELDS],
        responses: {
          '200': { description: 'The record.', content: json(ref(name)) },
          ...problems(400, 401, 403, 404, 429),
        },
      }),
    };
    if (can('write')) {
      collectionOps.post = op(`create${name}`, `Create a record in ${c.name}`, {
        requestBody: { required: true, content: json(ref(`${name}Input`)) },
        responses: {
          '201': { description: 'The created record.', content: json(ref(name)) },
          ...problems(400, 401, 403, 404, 409, 413, 429),
        },
      });
      paths[`${base}/batch`] = {
        post: op(`create${name}Batch`, `Create up to 1000 records in ${c.name}, all or nothing`, {
          requestBody: {
            required: true,
            content: json({
              type: 'object',
              required: ['records'],
              properties: { records: { type: 'array', minItems: 1, maxItems: 1000, items: ref(`${name}Input`) } },
            }),
          },
          responses: {
            '201': {
              description: 'The created records.',
              content: json({
                type: 'object',
                required: ['data'],
                properties: { data: { type: 'array', maxItems: 1000, items: ref(name) } },
              }),
            },
            ...problems(400, 401, 403, 404, 409, 413, 429),
          },
        }),
      };
      recordOps.patch = op(`update${name}`, `Update a record of ${c.name}; null removes an optional field`, {
        parameters: [ID],
        requestBody: { required: true, content: json(ref(`${name}Patch`)) },
        responses: {
          '200': { description: 'The updated record.', content: json(ref(name)) },
          ...problems(400, 401, 403, 404, 409, 413, 429),
        },
      });
    }
    if (can('delete')) {
      collectionOps.delete = op(`delete${name}Where`, `Delete the records of ${c.name} a filter matches`, {
        parameters: [FILTER(true)],
        responses: {
          '200': {
            description: 'How many were deleted.',
            content: json({
              type: 'object',
              required: ['deleted'],
              properties: { deleted: { type: 'integer', format: 'int64', minimum: 0 } },
            }),
          },
          ...problems(400, 401, 403, 404, 429),
        },
      });
      recordOps.delete = op(`delete${name}`, `Delete a record of ${c.name}`, {
        parameters: [ID],
        responses: { '204': { description: 'Deleted.' }, ...problems(400, 401, 403, 404, 429) },
      });
    }
    paths[base] = collectionOps;
    paths[`${base}/{id}`] = recordOps;
  }
  return {
    openapi: '3.0.3',
    info: {
      title: `Portico space ${spaceId}: records`,
      version: '1.0.0',
      license: { name: 'Proprietary' },
      description:
        "The record endpoints of this space's collections, typed from their fields and limited to what the calling credential may read and do.",
    },
    servers: [
      {
        url: '/',
        description: 'The host serving this document (local, staging or production alike)',
        'x-internal': false,
      },
    ],
    tags: collections
      .filter((c) => c.access.can('read'))
      .map((c) => ({ name: c.name, ...(c.description ? { description: c.description } : {}) })),
    paths,
    components: {
      schemas,
      securitySchemes: SECURITY_SCHEME_DEFINITIONS,
    },
  };
}
