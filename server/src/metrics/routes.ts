// GET /api/metrics: the Prometheus text format, for the operator only. Off (404, as if there were no such
// route) unless METRICS_TOKEN is set; then only `Authorization: Bearer <token>` reads it (else 401),
// compared in constant time. It skips the general request limit, like the health probes (a scrape costs
// the database nothing), but is bounded here: at most one scrape is rendered at a time, and this instance
// answers at most SCRAPES_PER_MINUTE of them, wrong tokens included (then 429).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../errors.ts';
import { apiNotFound } from '../plugins/errors.ts';
import type { Metrics } from './metrics.ts';

const SCRAPES_PER_MINUTE = 60;

export function registerMetricsRoute(app: FastifyInstance, metrics: Metrics, token: string | undefined): void {
  // Every answer, by route pattern, once it is sent.
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpAnswered(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
    if (reply.statusCode === 429) metrics.rateLimited('http');
  });

  const expected = token === undefined ? undefined : digest(token);
  let windowStart = 0;
  let inWindow = 0;
  let rendering = false;
  app.get('/api/metrics', { schema: { hide: true }, config: { limit: 'none' } }, async (request, reply) => {
    if (!expected) return apiNotFound(reply);
    const now = Date.now();
    if (now - windowStart >= 60_000) {
      windowStart = now;
      inWindow = 0;
    }
    inWindow += 1;
    if (inWindow > SCRAPES_PER_MINUTE || rendering) {
      const wait = rendering ? 1 : Math.max(1, Math.ceil((windowStart + 60_000 - now) / 1000));
      throw new ApiError(
        'rate_limited',
        'Metrics are being read too often. Please scrape less often.',
        undefined,
        wait,
      );
    }
    const given = /^Bearer (.+)$/i.exec(request.headers.authorization ?? '')?.[1];
    if (!given || !timingSafeEqual(digest(given), expected)) {
      reply.header('www-authenticate', 'Bearer realm="kindred-metrics"');
      throw new ApiError('unauthenticated', 'Metrics need the operator’s token (METRICS_TOKEN).');
    }
    rendering = true;
    try {
      const text = await metrics.registry.metrics();
      return reply.type(metrics.registry.contentType).send(text);
    } finally {
      rendering = false;
    }
  });
}

/** Both sides hashed first, so the comparison takes the same time whatever the length given. */
function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
