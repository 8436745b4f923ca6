// Builds the whole Kindred app as one Fastify instance: the JSON API under /api, its OpenAPI document,
// and the built web app for every other path. main.ts only listens; tests build this same app.
import { randomUUID } from 'node:crypto';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { createDb, migrate, type DatabaseHandle } from '@kindred/db';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Config } from './config.ts';
import { healthRoutes } from './health/routes.ts';
import { apiNotFound, registerErrorHandlers } from './plugins/errors.ts';
import { openApiInfo } from './plugins/openapi.ts';
import { registerSecurity } from './plugins/security.ts';
import { installValidators } from './plugins/validation.ts';
import { loadWebApp, registerWebApp, sendIndexHtml, type WebApp } from './plugins/web.ts';

export interface AppDependencies {
  /** An open, migrated database. Without one, the app opens (and later closes) the configured one. */
  database?: DatabaseHandle;
  /** The clock every rule about time reads; tests pass one they control. */
  now?: () => Date;
}

export async function buildApp(config: Config, deps: AppDependencies = {}): Promise<FastifyInstance> {
  const web: WebApp | undefined = config.webDir ? loadWebApp(config.webDir) : undefined;
  const ownsDatabase = !deps.database;
  const database = deps.database ?? (await openDatabase(config));

  const app = Fastify({
    logger: {
      level: config.logLevel,
      // Never a password, a token or what someone wrote: those are all in headers or bodies,
      // which Fastify's serializers leave out; the cookie paths are redacted in case a log asks for them.
      redact: ['req.headers.cookie', 'req.headers.authorization', 'res.headers["set-cookie"]'],
    },
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    trustProxy: config.trustProxy,
    bodyLimit: 256 * 1024,
    forceCloseConnections: 'idle',
    return503OnClosing: true,
  }).withTypeProvider<TypeBoxTypeProvider>();

  if (ownsDatabase) app.addHook('onClose', () => database.close());
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  installValidators(app);
  registerErrorHandlers(app);
  await registerSecurity(app, { publicOrigin: config.publicOrigin, scriptHashes: web?.scriptHashes ?? [] });
  await app.register(swagger, { openapi: openApiInfo(config) });

  await app.register(healthRoutes, { database });
  app.get('/api/docs', { schema: { hide: true } }, async () => app.swagger());

  if (web) await registerWebApp(app, web);
  app.setNotFoundHandler((request, reply) => {
    const isPage = (request.method === 'GET' || request.method === 'HEAD') && !request.url.startsWith('/api');
    if (web && isPage) return sendIndexHtml(reply, web);
    return apiNotFound(reply);
  });

  return app;
}

async function openDatabase(config: Config): Promise<DatabaseHandle> {
  const database = await createDb(
    config.databaseUrl ? { databaseUrl: config.databaseUrl } : { dataDir: config.dataDir },
  );
  try {
    await migrate(database);
  } catch (error) {
    await database.close();
    throw error;
  }
  return database;
}
