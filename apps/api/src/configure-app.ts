import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import helmet from '@fastify/helmet';
import type { DestinationStream } from 'pino';
import { createLogger, createValidationPipe, PinoNestLogger, RequestLogController, requestIdFor } from '@app/common';
import { AppModule, AppModuleOptions } from './app.module';
import { buildOpenApiDocument, mountSwaggerUi } from './openapi';

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
  const logger = createLogger(config.log.level, options.logDestination);
  const adapter = new FastifyAdapter({
    loggerInstance: logger,
    logController: new RequestLogController(),
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
  fastify.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  await app.register(helmet, {
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
