/**
 * Builds the API server from its parts; nothing here reads the environment (see `api/command.ts`).
 *
 *   public      /healthz /readyz /metrics /docs, the web app's static files
 *   /api/v1     authenticate (every role), then three encapsulated groups:
 *     read      all roles; salon and incident ids checked against the caller's scope
 *     review    reviewer, admin
 *     admin     admin
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fastifyStatic from '@fastify/static';
import { Type } from '@fastify/type-provider-typebox';
import type { TokenVerifier } from './auth.js';
import { cachedSalonDirectory, type SalonDirectory } from './access.js';
import type { ApiContext } from './context.js';
import { API_ERRORS, installErrorHandlers } from './errors.js';
import { authenticate, decorateRequests, guardResources, requireRoles } from './guard.js';
import { registerMetrics } from './metrics.js';
import { Health } from './schemas.js';
import type { ApiStore } from './store.js';
import { incidentReadRoutes, reviewRoutes } from './routes/incidents.js';
import { rankingRoutes } from './routes/rankings.js';
import { salonRoutes } from './routes/salons.js';
import { standardsReadRoutes, standardsWriteRoutes } from './routes/standards.js';

export const WEB_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'web');
/** Review comments and standards overrides are small; anything bigger is a mistake or an attack. */
export const BODY_LIMIT_BYTES = 64 * 1024;

export interface ServerOptions {
  readonly store: ApiStore;
  readonly verifier: TokenVerifier;
  readonly evidenceDir: string;
  readonly directory?: SalonDirectory;
  readonly now?: () => Date;
  readonly logger?: FastifyServerOptions['logger'];
}

export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: BODY_LIMIT_BYTES,
    // Ids in paths are at most 128 characters; a longer path is refused before routing.
    routerOptions: { maxParamLength: 200 },
  });
  // Path and query values arrive as text and are coerced to their schema types; a JSON body is
  // already typed, so `"comment": 5` is refused rather than quietly turned into "5". Unknown keys
  // are refused everywhere, never silently dropped (the house rule for every message).
  const options_ = {
    removeAdditional: false,
    useDefaults: true,
    allErrors: false,
    strict: false,
  } as const;
  const coercing = new Ajv({ ...options_, coerceTypes: 'array' });
  const exact = new Ajv({ ...options_, coerceTypes: false });
  app.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === 'body' ? exact : coercing).compile(schema),
  );
  // JSON is the only body this API reads; anything else is 415, not a string to validate.
  app.removeContentTypeParser('text/plain');
  decorateRequests(app);
  installErrorHandlers(app);
  const metrics = registerMetrics(app);
  const { store } = options;
  const ctx: ApiContext = {
    store,
    directory: options.directory ?? cachedSalonDirectory(() => store.salons()),
    evidenceDir: options.evidenceDir,
    metrics,
    now: options.now ?? (() => new Date()),
  };

  app.addHook('onSend', async (_request, reply) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
  });

  await app.register(swagger, {
    openapi: {
      // 3.1: the schemas are JSON Schema 2020-12 (numeric exclusiveMinimum, null in unions).
      openapi: '3.1.0',
      info: {
        title: 'salonwatch API',
        version: '1',
        description: `Scores, rankings and incident review. Errors: ${Object.entries(API_ERRORS)
          .map(([code, { status, summary }]) => `${code} (${status}): ${summary}`)
          .join('; ')}.`,
      },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  app.get('/healthz', { schema: { hide: true, response: { 200: Health } } }, () => ({
    status: 'ok',
  }));
  app.get(
    '/readyz',
    {
      schema: {
        hide: true,
        response: {
          200: Health,
          503: Type.Object({ status: Type.String(), reason: Type.String() }),
        },
      },
    },
    async (request, reply) => {
      try {
        await store.ping();
        return { status: 'ready' };
      } catch (error) {
        request.log.warn({ err: error }, 'not ready');
        return reply
          .code(503)
          .send({ status: 'unavailable', reason: 'ClickHouse is not reachable' });
      }
    },
  );

  await app.register(fastifyStatic, {
    root: WEB_DIR,
    prefix: '/',
    index: 'index.html',
    cacheControl: false,
    setHeaders: (response) => {
      response.header(
        'content-security-policy',
        "default-src 'self'; img-src 'self' blob:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'",
      );
    },
  });

  await app.register(
    async (api) => {
      authenticate(api, options.verifier, ctx.directory);
      guardResources(api, store);
      await api.register((read, _options, done) => {
        salonRoutes(read, ctx);
        rankingRoutes(read, ctx);
        incidentReadRoutes(read, ctx);
        standardsReadRoutes(read, ctx);
        done();
      });
      await api.register((review, _options, done) => {
        requireRoles(review, ['reviewer', 'admin']);
        reviewRoutes(review, ctx);
        done();
      });
      await api.register((admin, _options, done) => {
        requireRoles(admin, ['admin']);
        standardsWriteRoutes(admin, ctx);
        done();
      });
    },
    { prefix: '/api/v1' },
  );
  return app;
}
