// Takes the limits before a route runs: the route's own limit, which it names in `config.limit`
// (`{ config: { limit: 'candles' } }`), then the general ceiling on every API request. The route's comes
// first so a refusal says what it is about, and a request it refuses is not counted twice. Both run after
// the session is known and the body is validated, so malformed requests cost nothing, and a member's count
// follows them from device to device. Both are counted in the database, so they hold across instances:
// a route's limit on every hit (counters.ts), the ceiling in batches (batched.ts).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { addressSubject } from './address.ts';
import { BatchedLimit } from './batched.ts';
import type { LimitCounters } from './counters.ts';
import type { KeptLimit, LimitName, LimitTable } from './table.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The limit a route counts before its handler, from the table in limits/table.ts; 'none' for a route
     * that must answer even when the database does not (health probes), which skips the ceiling too.
     */
    limit?: LimitName | 'none';
  }
}

export interface LimitHookOptions {
  limits: LimitCounters;
  table: LimitTable;
  now: () => Date;
}

export function registerLimits(app: FastifyInstance, { limits, table, now }: LimitHookOptions): void {
  const ceiling = new BatchedLimit(limits, table.requests);
  app.addHook('preHandler', async (request) => {
    // The web app's files are not counted: they cost the database nothing, and a page load fetches many.
    if (!request.url.startsWith('/api')) return;
    const at = now();
    const name = request.routeOptions.config.limit;
    if (name === 'none') return;
    if (name) {
      const limit = table[name];
      const subject = subjectOf(limit, request);
      // Signed out: the route answers 401 itself; the ceiling below counts the request.
      if (subject) await limits.take(limit, subject, at);
    }
    await ceiling.take(subjectOf(table.requests, request)!, at);
  });
}

function subjectOf(limit: KeptLimit, request: FastifyRequest): string | undefined {
  // Under injectWS there is no socket, so no address (STACK.md).
  const address = addressSubject(request.ip ?? 'no-ip');
  switch (limit.per) {
    case 'member':
      return request.auth?.user.id;
    case 'session':
      return request.auth ? `session:${request.auth.session.id}` : `address:${address}`;
    case 'address':
      return address;
    case 'username':
      throw new Error(`${limit.name} is counted by the auth service, not by a route`);
  }
}
