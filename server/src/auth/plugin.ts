// Finds who is asking: on every /api request the session cookie is validated once, and the result is
// `request.auth` for every route after it. A stale or forged cookie is simply cleared.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Database } from '@kindred/db';
import { ApiError } from '../errors.ts';
import { clearSessionCookie, readSessionToken, setSessionCookie, type SessionCookie } from './cookie.ts';
import { validateSessionToken, type ValidSession } from './sessions.ts';

declare module 'fastify' {
  interface FastifyRequest {
    auth: ValidSession | null;
  }
}

export interface AuthPluginOptions {
  db: Database;
  cookie: SessionCookie;
  now: () => Date;
}

export const authPlugin = fp<AuthPluginOptions>(
  async (app: FastifyInstance, { db, cookie, now }) => {
    app.decorateRequest('auth', null);
    app.addHook('onRequest', async (request, reply) => {
      if (!request.url.startsWith('/api')) return;
      const token = readSessionToken(request, cookie);
      if (!token) return;
      const at = now();
      const auth = await validateSessionToken(db, token, at);
      if (!auth) {
        clearSessionCookie(reply, cookie);
        return;
      }
      request.auth = auth;
      if (auth.refreshed) setSessionCookie(reply, cookie, token, auth.expiresAt, at);
    });
  },
  { name: 'kindred-auth' },
);

/** The signed-in member, or a 401 for everyone else. */
export function requireAuth(request: FastifyRequest): ValidSession {
  if (!request.auth) throw new ApiError('unauthenticated', 'Please sign in to do that.');
  return request.auth;
}

/** A platform admin, or 401 for the signed-out and 403 for everyone else. */
export function requireAdmin(request: FastifyRequest): ValidSession {
  const auth = requireAuth(request);
  if (!auth.user.isAdmin) throw new ApiError('forbidden', 'Only a Kindred admin can do that.');
  return auth;
}
