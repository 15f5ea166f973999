import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { DestinationStream } from 'pino';
import { createAccessLogger, createLogger, createValidationPipe, PinoNestLogger, RequestLogController, requestIdFor, stdoutDestination } from '@app/common';
import { withRequestMeta } from '@app/audit';
import { AppModule, AppModuleOptions } from './app.module';
import { buildOpenApiDocument, mountSwaggerUi } from './openapi';
import { securityHeaders } from './security-headers';

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
  const destination = options.logDestination ?? stdoutDestination();
  const logger = createLogger(config.log.level, destination);
  const adapter = new FastifyAdapter({
    loggerInstance: logger,
    logController: new RequestLogController(createAccessLogger(config.log.level, destination)),
    genReqId: requestIdFor,
    bodyLimit: config.http.bodyLimit,
    // Fastify also takes a hop count here; its types omit it.
    trustProxy: config.http.trustProxy as boolean | string[],
    return503OnClosing: true,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(options), adapter, {
    logger: new PinoNestLogger(logger),
    abortOnError: false,
  });
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.get(app)!.push({ method, url: route.url });
  });
  routes.set(app, []);
  const security = securityHeaders({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'validator.swagger.io'],
        connectSrc: ["'self'"],
      },
    },
  });
  // One synchronous hook for what every request needs: the headers every response
  // carries, and the request meta the audit writer reads (the rest of the request
  // runs inside it).
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.headers(security);
    reply.header('x-request-id', request.id);
    withRequestMeta(request, done);
  });
  const origins = config.http.corsOrigins;
  app.enableCors({
    origin: origins === '*' ? '*' : origins.length > 0 ? origins : false,
    exposedHeaders: ['X-Request-Id', 'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset', 'Retry-After', 'RateLimit', 'RateLimit-Policy'],
    maxAge: 600,
  });
  app.useGlobalPipes(createValidationPipe());
  mountSwaggerUi(app, buildOpenApiDocument(app));
  await app.init();
  return app;
}
