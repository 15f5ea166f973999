import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { IDENTIFIER_SCHEMA, SECURITY_SCHEME_DEFINITIONS } from '@app/common';
import { boundFormattedStrings } from './format-bounds';
import { completeResponses } from './problem-responses';

/** One tag per module, in the order a newcomer meets them. */
const TAGS = [
  {
    name: 'auth',
    description:
      'Accounts, sessions (rotating refresh tokens), API-key-to-JWT exchange, OAuth 2.0 token endpoint, ' +
      'OpenID Connect discovery and UserInfo, JWKS.',
  },
  { name: 'spaces', description: 'Spaces: the tenants that hold collections, keys and members.' },
  { name: 'members', description: 'People in a space and their roles.' },
  { name: 'api-keys', description: 'Space-scoped API keys: create, rotate, restrict, revoke.' },
  {
    name: 'oauth-clients',
    description: "Apps that act for a space's users (OAuth 2.0 authorization code + PKCE): register, rotate, delete.",
  },
  { name: 'collections', description: 'Collection schemas: typed fields, evolution.' },
  {
    name: 'records',
    description:
      'Records of a collection: CRUD, batch, filters. Typed per space at `GET /api/spaces/{space_id}/openapi.json`.',
  },
  { name: 'audit', description: 'The append-only, hash-chained audit log.' },
  {
    name: 'usage',
    description: 'Requests per minute, hour and day for a space or one key: status classes and latency percentiles.',
  },
  { name: 'setup', description: 'First run: the first user, space and admin key, from the URL the server logs.' },
  { name: 'health', description: 'Liveness and readiness.' },
];

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle('Portico API')
    .setDescription(
      'Multi-tenant data API: spaces, collections, records, API keys, audit. Errors are RFC 9457 problem details ' +
        '(`application/problem+json`). Authenticate with one of the three schemes below.',
    )
    .setVersion('1.0.0')
    .addServer('/', 'The host serving this document (local, staging or production alike)');
  for (const [name, scheme] of Object.entries(SECURITY_SCHEME_DEFINITIONS)) builder.addSecurity(name, scheme);
  const config = builder.build();
  const document = SwaggerModule.createDocument(app, config, {
    operationIdFactory: (_controller, method) => method,
  });
  document.tags = TAGS;
  // Redocly's recommended rules ask every document to state its licence.
  document.info.license = { name: 'Proprietary' };
  // OWASP API9: say who each server is for. Portico's API is public to its tenants.
  document.servers = (document.servers ?? []).map((server) => ({ ...server, 'x-internal': false }));
  return boundFormattedStrings(completeResponses(withImpliedSpacePaths(openRecords(document))));
}

/**
 * A record carries its collection's fields beside the system ones. Declared open, a
 * generated client can read `record.status`; the per-space document types each field.
 */
function openRecords(document: OpenAPIObject): OpenAPIObject {
  const record = document.components?.schemas?.RecordDto;
  if (record && !('$ref' in record)) record.additionalProperties = true;
  return document;
}

/**
 * Record routes are served twice by one controller: under /api/spaces/{space_id}/…
 * and, for API keys, under /api/collections/… with the space implied. Swagger gives
 * both paths one shared operation (one operationId, path parameters of neither
 * exactly), so each path gets its own copy with exactly its path's parameters, and
 * the implied-space copy an operationId of its own (`…InKeySpace`).
 */
function withImpliedSpacePaths(document: OpenAPIObject): OpenAPIObject {
  for (const [path, item] of Object.entries(document.paths)) {
    const declared = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
    const implied = path.startsWith('/api/collections/{name}/records');
    for (const method of ['get', 'post', 'put', 'patch', 'delete'] as const) {
      const op = item[method];
      if (!op) continue;
      const others = (op.parameters ?? []).filter((p) => !('in' in p) || p.in !== 'path');
      const byName = new Map(
        (op.parameters ?? []).filter((p) => 'in' in p && p.in === 'path').map((p) => [(p as { name: string }).name, p]),
      );
      const pathParams = declared.map((name) => ({
        ...(byName.get(name) ?? {}),
        in: 'path' as const,
        name,
        required: true,
        schema: pathParamSchema(name),
      }));
      item[method] = {
        ...op,
        operationId: implied ? `${op.operationId}InKeySpace` : op.operationId,
        parameters: [...pathParams, ...others],
      };
    }
  }
  return document;
}

/** Path parameters are ids (UUIDs) or collection names; the routes refuse anything else. */
function pathParamSchema(name: string) {
  return name === 'id' || name.endsWith('_id') ? { type: 'string', format: 'uuid' } : { ...IDENTIFIER_SCHEMA };
}

export function mountSwaggerUi(app: INestApplication, document: OpenAPIObject): void {
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs/openapi.json',
    yamlDocumentUrl: 'docs/openapi.yaml',
    customSiteTitle: 'Portico API',
    swaggerOptions: {
      persistAuthorization: true,
      displayOperationId: true,
      // Authorize → oauth2 signs in through /oauth/authorize with PKCE (a public client of the space).
      initOAuth: { usePkceWithAuthorizationCodeGrant: true },
    },
  });
}
