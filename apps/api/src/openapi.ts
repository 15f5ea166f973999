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
  return SwaggerModule.createDocument(app, config, {
    operationIdFactory: (_controller, method) => method,
  });
}

export function mountSwaggerUi(app: INestApplication, document: OpenAPIObject): void {
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs/openapi.json',
    yamlDocumentUrl: 'docs/openapi.yaml',
    customSiteTitle: 'Portico API',
    swaggerOptions: { persistAuthorization: true, displayOperationId: true },
  });
}
