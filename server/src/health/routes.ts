// Liveness and readiness, for load balancers, compose healthchecks and people: /api/health answers while
// the process runs; /api/ready only once the database answers and every committed migration is applied.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { migrationStatus, type DatabaseHandle } from '@kindred/db';
import { ErrorBodySchema, HealthSchema, ReadySchema } from '@kindred/shared';
import { ApiError } from '../errors.ts';

export const healthRoutes: FastifyPluginAsyncTypebox<{ database: DatabaseHandle }> = async (app, { database }) => {
  app.get(
    '/api/health',
    {
      schema: { tags: ['health'], summary: 'The process is up', response: { 200: HealthSchema } },
      // Probes answer whatever the database does: counting them there would make liveness depend on it.
      config: { limit: 'none' },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/api/ready',
    {
      schema: {
        tags: ['health'],
        summary: 'The database is reachable and migrated',
        response: { 200: ReadySchema, 503: ErrorBodySchema },
      },
      config: { limit: 'none' },
    },
    async (request) => {
      const status = await migrationStatus(database).catch((error: unknown) => {
        request.log.warn({ err: error }, 'readiness check could not reach the database');
        return undefined;
      });
      if (!status || status.applied < status.expected) {
        throw new ApiError('unavailable', 'Kindred is not ready yet: its database is not reachable or not migrated.');
      }
      return { status: 'ready' as const, database: database.kind, migrations: status.applied };
    },
  );
};
