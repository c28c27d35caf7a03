import { Logger, LoggerService, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { ApiConfig } from './api-config';
import { AppModule } from './app.module';
import { installRequestGate } from './auth/request-gate';
import { SessionsService } from './auth/sessions.service';
import { ResponseSerializers } from './common/response-serializer';
import { replyWithError, RestExceptionFilter } from './common/rest-exception.filter';
import { uploadLimitBytes, uploadTypes } from './common/upload';
import { createValidationPipe } from './common/validation';

/**
 * Nest installs its Fastify error handler after registering the routes, where Fastify no
 * longer applies it (a route keeps the handler in force when it was added), and only to
 * rethrow. The API installs its own before the routes instead; this keeps it the only one.
 */
class SextantFastifyAdapter extends FastifyAdapter {
  override setErrorHandler(): ReturnType<FastifyAdapter['setErrorHandler']> {
    return this.getInstance();
  }
}

/** Builds the API application (REST under /api, OpenAPI at /api/docs, GraphQL at /graphql). */
export async function createApiApp(
  config: ApiConfig,
  logger: LogLevel[] | LoggerService = ['log', 'warn', 'error'],
): Promise<NestFastifyApplication> {
  const hops = config.trustProxyHops;
  // X-Forwarded-For is believed only as far as the configured proxies (TRUST_PROXY_HOPS):
  // beyond them, anyone could write it.
  const adapter = new SextantFastifyAdapter({
    bodyLimit: 1024 * 1024,
    trustProxy: hops > 0 ? hops : false,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    logger,
    bufferLogs: false,
  });
  app.setGlobalPrefix('api', { exclude: ['graphql'] });
  // Uploaded files (light curves, POST /api/lightcurves; CSV and text files, POST
  // /api/imports/...): raw bytes, larger than JSON bodies. Only routes marked @Upload() take
  // them, and only from a known caller: the request gate refuses them elsewhere (415) and
  // from anonymous callers (401) before the body is read.
  const fastify = app.getHttpAdapter().getInstance();
  fastify.removeContentTypeParser('text/plain');
  fastify.addContentTypeParser(
    [...uploadTypes],
    { parseAs: 'buffer', bodyLimit: uploadLimitBytes },
    (_request, body, done) => done(null, body),
  );
  installRequestGate(fastify, app.get(SessionsService), config);
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new RestExceptionFilter());
  // Errors raised by Fastify before a handler runs: bad JSON, body too large, and GraphQL
  // syntax and validation errors (mercurius's own handler is off).
  app
    .getHttpAdapter()
    .getInstance()
    .setErrorHandler((error, request, reply) => {
      void replyWithError(request, reply, error);
    });
  app.enableCors({ origin: config.corsOrigins.length ? config.corsOrigins : false });
  app.enableShutdownHooks();

  const document = buildOpenApiDocument(app);
  // Responses whose documented schema is closed are written by compiled serialisers.
  // (Fastify registers the routes when the app initialises, after this.)
  new ResponseSerializers(document, config.responseCheck).install(fastify);
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs/openapi.json' });
  Logger.log('API application created', 'Api');
  return app;
}

/** The OpenAPI document of the REST API (also written to apps/api/openapi.json). */
export function buildOpenApiDocument(app: NestFastifyApplication): OpenAPIObject {
  return SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Sextant API')
      .setDescription(
        'Nodes, resources, paths, items and movements of the Sextant monitoring platform.',
      )
      .setVersion('0.1.0')
      // Personal API tokens (Authorization: Bearer sxp_…), or the portal's session cookie with
      // its CSRF token in x-csrf-token on changes. See docs/security.md.
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'A personal API token.' })
      .addCookieAuth('sextant_session')
      .addSecurityRequirements('bearer')
      .addSecurityRequirements('cookie')
      .build(),
  );
}
