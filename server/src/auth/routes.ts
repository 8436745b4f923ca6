// Register, sign in, sign out. Every answer that signs someone in carries a brand-new session token.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Database } from '@kindred/db';
import {
  ErrorBodySchema,
  LoginBodySchema,
  RegisterBodySchema,
  RegisterResponseSchema,
  UserResponseSchema,
} from '@kindred/shared';
import { Type } from 'typebox';
import { clearSessionCookie, setSessionCookie, type SessionCookie } from './cookie.ts';
import type { AuthService } from './service.ts';
import { invalidateSession, sessionExpiry } from './sessions.ts';
import { toUser } from './users.ts';

export interface AuthRoutesOptions {
  db: Database;
  auth: AuthService;
  cookie: SessionCookie;
  now: () => Date;
  /** Ends a member's live connections when their session ends (the chat gateway plugs in here). */
  onSessionsEnded: (sessionIds: string[]) => void;
  /** A new member's recovery codes, shown in the register answer and never again. */
  newRecoveryCodes: (userId: string) => Promise<string[]>;
}

const errors = {
  400: ErrorBodySchema,
  401: ErrorBodySchema,
  403: ErrorBodySchema,
  409: ErrorBodySchema,
  429: ErrorBodySchema,
};

export const authRoutes: FastifyPluginAsyncTypebox<AuthRoutesOptions> = async (app, options) => {
  const { auth, cookie, now } = options;

  app.post(
    '/api/auth/register',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Create an account and sign in; its recovery codes are in this answer, and only this one',
        body: RegisterBodySchema,
        response: { 201: RegisterResponseSchema, ...errors },
      },
      config: { limit: 'register' },
    },
    async (request, reply) => {
      const { user, session, token } = await auth.register(request.body);
      const recoveryCodes = await options.newRecoveryCodes(user.id);
      setSessionCookie(reply, cookie, token, sessionExpiry(session), now());
      return reply.status(201).send({ user: toUser(user), recoveryCodes });
    },
  );

  app.post(
    '/api/auth/login',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Sign in',
        body: LoginBodySchema,
        response: { 200: UserResponseSchema, ...errors },
      },
      // Per address here, then per username in the auth service.
      config: { limit: 'signIn' },
    },
    async (request, reply) => {
      const { user, session, token } = await auth.login(request.body);
      // A session from before this sign-in (say, on a shared computer) ends rather than lingering unseen,
      // and so do its live connections, as on sign-out.
      if (request.auth) {
        await invalidateSession(options.db, request.auth.session.id);
        options.onSessionsEnded([request.auth.session.id]);
      }
      setSessionCookie(reply, cookie, token, sessionExpiry(session), now());
      return { user: toUser(user) };
    },
  );

  app.post(
    '/api/auth/logout',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Sign out: this session ends, and so do its live connections',
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      if (request.auth) {
        await invalidateSession(options.db, request.auth.session.id);
        options.onSessionsEnded([request.auth.session.id]);
      }
      clearSessionCookie(reply, cookie);
      return reply.status(204).send(null);
    },
  );
};
