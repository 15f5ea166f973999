import { NestFactory } from '@nestjs/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { DestinationStream } from 'pino';
import {
  badRequest,
  createAccessLogger,
  createLogger,
  createValidationPipe,
  findUnstorable,
  Metrics,
  traceIdOf,
  traceResponse,
  PinoNestLogger,
  RequestLogController,
  requestIdFor,
  sendProblem,
  stdoutDestination,
  serializeReply,
} from '@app/common';
import { withRequestMeta } from '@app/audit';
import { UsageMeter } from '@app/usage';
import { AppModule, AppModuleOptions } from './app.module';
import { buildOpenApiDocument, mountSwaggerUi } from './openapi';
import { securityHeadersByProtocol } from './security-headers';
import { installMetrics } from './metrics/http-metrics';
import { mountConsole } from './console/serve-console';
import { clientErrorHandler, drainGate, frameworkErrors } from './framework-errors';
import { checkDeploymentSecrets } from './secrets-check';

export interface CreateAppOptions extends AppModuleOptions {
  /** Where JSON logs go (stdout when unset); tests capture them here. */
  logDestination?: DestinationStream;
}

const routes = new WeakMap<NestFastifyApplication, { method: string; url: string }[]>();

/** Every route the app serves (the route-security test walks them all). */
export const listRoutes = (app: NestFastifyApplication) => routes.get(app) ?? [];

/** Builds the whole HTTP application, configured exactly as in production; used by main and tests. */
export async function createApp(options: CreateAppOptions): Promise<NestFastifyApplication> {
  const { config } = options;
  await checkDeploymentSecrets(options.databaseUrl, options.secrets);
  const destination = options.logDestination ?? stdoutDestination();
  const logger = createLogger(config.log.level, destination);
  const security = securityHeadersByProtocol();
  const adapter = new FastifyAdapter({
    loggerInstance: logger,
    logController: new RequestLogController(createAccessLogger(config.log.level, destination)),
    genReqId: requestIdFor,
    bodyLimit: config.http.bodyLimit,
    // Fastify also takes a hop count here; its types omit it.
    trustProxy: config.http.trustProxy as boolean | string[],
    // Our drain gate answers 503 as a problem body instead (see framework-errors.ts).
    return503OnClosing: false,
    frameworkErrors: frameworkErrors(security),
    clientErrorHandler,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(options), adapter, {
    logger: new PinoNestLogger(logger),
    abortOnError: false,
  });
  const fastify = app.getHttpAdapter().getInstance();
  // Bodies are JSON (and form-encoded for /oauth/token): text is refused with 415 before
  // any route sees it, rather than reaching a handler as a string.
  fastify.removeContentTypeParser('text/plain');
  // Bodies Postgres already printed as JSON (JsonText) go out as they are.
  fastify.setReplySerializer(serializeReply);
  const observe = installMetrics(fastify, {
    registry: app.get(Metrics).registry,
    token: config.http.metricsToken,
    // The pg pool under MikroORM's connection; PGlite's socket server has one too.
    pool: () => app.get(EntityManager).getConnection().getNativeClient(),
  });
  // One hook for what is counted per request: the operator's metrics, and usage per
  // space and key (in memory, written in batches).
  const usage = app.get(UsageMeter);
  fastify.addHook('onResponse', (request, reply, done) => {
    observe(request, reply);
    usage.record(request, reply);
    done();
  });
  fastify.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.get(app)!.push({ method, url: route.url });
  });
  routes.set(app, []);
  // One synchronous hook for what every request needs: the headers every response
  // carries, and the request meta the audit writer reads (the rest of the request
  // runs inside it).
  const draining = drainGate(fastify);
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.headers(security(request));
    reply.header('x-request-id', request.id);
    // A caller's W3C trace: its id goes in the log line and back in `traceresponse`.
    const traceId = traceIdOf(request.headers.traceparent);
    if (traceId) {
      request.traceId = traceId;
      reply.header('traceresponse', traceResponse(traceId));
    }
    if (draining(request, reply)) return;
    withRequestMeta(request, done);
  });
  // Text Postgres cannot store (NUL, lone surrogates) and absurd nesting are refused
  // here, once for every route, before validation or SQL could fail on them with a 500.
  fastify.addHook('preValidation', (request, reply, done) => {
    const bad =
      findUnstorable(request.params, '') ?? findUnstorable(request.query, '') ?? findUnstorable(request.body, '');
    if (!bad) return done();
    sendProblem(badRequest('One or more fields are invalid.', [bad], 'validation-error'), request, reply);
  });
  mountConsole(fastify);
  const origins = config.http.corsOrigins;
  app.enableCors({
    origin: origins === '*' ? '*' : origins.length > 0 ? origins : false,
    exposedHeaders: [
      'X-Request-Id',
      'X-RateLimit-Limit',
      'X-RateLimit-Remaining',
      'X-RateLimit-Reset',
      'Retry-After',
      'RateLimit',
      'RateLimit-Policy',
    ],
    maxAge: 600,
  });
  app.useGlobalPipes(createValidationPipe());
  mountSwaggerUi(app, buildOpenApiDocument(app));
  await app.init();
  return app;
}
