// Getting back in without email: a member's recovery codes (/api/me/recovery-codes), "Forgot your
// password?" (/api/auth/recover), reset links an admin issues (/api/admin/members/:id/reset-link) and their
// use (/api/auth/reset/:token). Every answer that signs someone in carries a brand-new session token.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  ErrorBodySchema,
  IssuedResetLinkSchema,
  MemberIdParamsSchema,
  NewRecoveryCodesBodySchema,
  NewRecoveryCodesResponseSchema,
  RecoverBodySchema,
  RecoveryCodesStateSchema,
  ResetLinkInfoSchema,
  ResetLinkStatusSchema,
  ResetTokenParamsSchema,
  UseResetLinkBodySchema,
  UserResponseSchema,
} from '@kindred/shared';
import type { Database } from '@kindred/db';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { setSessionCookie, type SessionCookie } from './cookie.ts';
import { requireAdmin, requireAuth } from './plugin.ts';
import type { Recovered, RecoveryService } from './recovery.ts';
import type { AuthService } from './service.ts';
import { invalidateSession, sessionExpiry } from './sessions.ts';
import { toUser } from './users.ts';

export interface RecoveryRoutesOptions {
  db: Database;
  recovery: RecoveryService;
  auth: AuthService;
  cookie: SessionCookie;
  now: () => Date;
  onSessionsEnded: (sessionIds: string[]) => void;
}

const errors = {
  400: ErrorBodySchema,
  401: ErrorBodySchema,
  403: ErrorBodySchema,
  404: ErrorBodySchema,
  429: ErrorBodySchema,
};

export const recoveryRoutes: FastifyPluginAsyncTypebox<RecoveryRoutesOptions> = async (app, options) => {
  const { recovery, auth, cookie, now, onSessionsEnded } = options;

  /** Signs the member in afresh after their sessions ended, and ends any other session this browser held. */
  async function signInAfresh(request: FastifyRequest, reply: FastifyReply, recovered: Recovered) {
    const ended = [...recovered.endedSessions];
    if (request.auth && !ended.includes(request.auth.session.id)) {
      await invalidateSession(options.db, request.auth.session.id);
      ended.push(request.auth.session.id);
    }
    onSessionsEnded(ended);
    setSessionCookie(reply, cookie, recovered.token, sessionExpiry(recovered.session), now());
    return { user: toUser(recovered.user) };
  }

  app.get(
    '/api/me/recovery-codes',
    {
      schema: {
        tags: ['accounts'],
        summary: 'How many recovery codes I have left, and when they were made (never the codes)',
        response: { 200: RecoveryCodesStateSchema, ...errors },
      },
    },
    async (request) => recovery.codesState(requireAuth(request).user.id),
  );

  app.post(
    '/api/me/recovery-codes',
    {
      schema: {
        tags: ['accounts'],
        summary: 'New recovery codes, shown this once; the old ones stop working. Asks for the password.',
        body: NewRecoveryCodesBodySchema,
        response: { 201: NewRecoveryCodesResponseSchema, ...errors },
      },
      config: { limit: 'recoveryCodes' },
    },
    async (request, reply) => {
      const { user } = requireAuth(request);
      await auth.confirmPassword(user, request.body.password);
      return reply.status(201).send({ recoveryCodes: await recovery.newCodes(user.id) });
    },
  );

  app.post(
    '/api/auth/recover',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Forgot your password: a username, one recovery code and a new password; every session ends',
        body: RecoverBodySchema,
        response: { 200: UserResponseSchema, ...errors },
      },
      // Per address here, then per username in the recovery service.
      config: { limit: 'recoverAddress' },
    },
    async (request, reply) => signInAfresh(request, reply, await recovery.recover(request.body)),
  );

  app.get(
    '/api/auth/reset/:token',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Whose reset link this is and until when it works; 404 once used or expired',
        params: ResetTokenParamsSchema,
        response: { 200: ResetLinkInfoSchema, ...errors },
      },
      config: { limit: 'recoverAddress' },
    },
    async (request) => recovery.linkInfo(request.params.token),
  );

  app.post(
    '/api/auth/reset/:token',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Choose a new password with a reset link: it is spent, every session ends, and you are signed in',
        params: ResetTokenParamsSchema,
        body: UseResetLinkBodySchema,
        response: { 200: UserResponseSchema, ...errors },
      },
      config: { limit: 'recoverAddress' },
    },
    async (request, reply) =>
      signInAfresh(request, reply, await recovery.useLink(request.params.token, request.body.newPassword)),
  );

  app.post(
    '/api/admin/members/:id/reset-link',
    {
      schema: {
        tags: ['admin'],
        summary:
          'Issue a one-time reset link for a member (24 hours); shown this once. Admins only, not for themselves',
        params: MemberIdParamsSchema,
        response: { 201: IssuedResetLinkSchema, ...errors },
      },
      config: { limit: 'resetLinks' },
    },
    async (request, reply) => {
      const { user } = requireAdmin(request);
      return reply.status(201).send({ link: await recovery.issueForMember(user.id, request.params.id) });
    },
  );

  app.get(
    '/api/admin/members/:id/reset-link',
    {
      schema: {
        tags: ['admin'],
        summary: 'Whether a reset link was issued for a member, and used (never the link). Admins only',
        params: MemberIdParamsSchema,
        response: { 200: ResetLinkStatusSchema, ...errors },
      },
    },
    async (request) => {
      requireAdmin(request);
      return recovery.linkStatus(request.params.id);
    },
  );
};
