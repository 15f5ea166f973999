import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { SECURITY_SCHEMES } from '@app/common';


export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Portico API')
    .setDescription(
      'Multi-tenant data API: spaces, collections, records, API keys, audit. Errors are RFC 9457 problem details ' +
        '(`application/problem+json`). Authenticate with one of the three schemes below.',
    )
    .setVersion('1.0.0')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'x-undb-api-token', description: 'A space API key (undb style).' }, SECURITY_SCHEMES.undbToken)
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-Api-Key', description: 'A space API key (Jelou style).' }, SECURITY_SCHEMES.apiKey)
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'A user access JWT, a key-derived JWT, or a raw API key.' },
      SECURITY_SCHEMES.bearer,
    )
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    operationIdFactory: (_controller, method) => method,
  });
  return withImpliedSpacePaths(document);
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
      const byName = new Map((op.parameters ?? []).filter((p) => 'in' in p && p.in === 'path').map((p) => [(p as { name: string }).name, p]));
      const pathParams = declared.map(
        (name) => byName.get(name) ?? { in: 'path' as const, name, required: true, schema: { type: 'string', ...(name.endsWith('id') ? { format: 'uuid' } : {}) } },
      );
      item[method] = { ...op, operationId: implied ? `${op.operationId}InKeySpace` : op.operationId, parameters: [...pathParams, ...others] };
    }
  }
  return document;
}

export function mountSwaggerUi(app: INestApplication, document: OpenAPIObject): void {
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs/openapi.json',
    yamlDocumentUrl: 'docs/openapi.yaml',
    customSiteTitle: 'Portico API',
    swaggerOptions: { persistAuthorization: true, displayOperationId: true },
  });
}
