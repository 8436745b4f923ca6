// The signed-in member's own account: /api/me and below. Every route here needs a session.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  BlockParamsSchema,
  BlocksResponseSchema,
  ChangePasswordBodySchema,
  DeleteAccountBodySchema,
  ErrorBodySchema,
  ExportSchema,
  SessionParamsSchema,
  SessionsResponseSchema,
  SessionStateSchema,
  UpdateMeBodySchema,
  UserResponseSchema,
} from '@kindred/shared';
import { Type } from 'typebox';
import { clearSessionCookie, type SessionCookie } from '../auth/cookie.ts';
import { requireAuth } from '../auth/plugin.ts';
import type { AuthService } from '../auth/service.ts';
import { toUser } from '../auth/users.ts';
import type { BlockService } from './blocks.ts';
import type { AccountService } from './service.ts';

export interface AccountRoutesOptions {
  accounts: AccountService;
  auth: AuthService;
  cookie: SessionCookie;
  onSessionsEnded: (sessionIds: string[]) => void;
  blocks: BlockService;
  /** The member's filter or blocks changed: their open sockets reload them. */
  onFilterChanged: (userId: string) => void;
}

const errors = { 400: ErrorBodySchema, 401: ErrorBodySchema, 404: ErrorBodySchema, 429: ErrorBodySchema };
const noContent = { 204: Type.Null(), ...errors };

export const accountRoutes: FastifyPluginAsyncTypebox<AccountRoutesOptions> = async (app, options) => {
  const { accounts, auth, cookie, onSessionsEnded, blocks, onFilterChanged } = options;
  const tags = ['accounts'];

  app.get(
    '/api/me',
    { schema: { tags, summary: 'Who is signed in', response: { 200: UserResponseSchema, ...errors } } },
    async (request) => ({ user: toUser(requireAuth(request).user) }),
  );

  app.get(
    '/api/session',
    {
      schema: {
        tags,
        summary: 'Who is signed in: the member, or null (never an error)',
        response: { 200: SessionStateSchema, ...errors },
      },
    },
    async (request) => {
      if (!request.auth) return { user: null, moderates: false, moderatesStories: false };
      const user = toUser(request.auth.user);
      return {
        user,
        moderates: user.isAdmin || (await accounts.moderates(request.auth.user)),
        moderatesStories: user.isAdmin || request.auth.user.storyModerator,
      };
    },
  );

  app.patch(
    '/api/me',
    {
      schema: {
        tags,
        summary: 'Change display name, or who I am here as',
        body: UpdateMeBodySchema,
        response: { 200: UserResponseSchema, ...errors },
      },
    },
    async (request) => {
      const { user } = requireAuth(request);
      return { user: toUser(await accounts.update(user.id, request.body)) };
    },
  );

  app.put(
    '/api/me/password',
    {
      schema: {
        tags,
        summary: 'Change password; every other session ends',
        body: ChangePasswordBodySchema,
        response: noContent,
      },
    },
    async (request, reply) => {
      const current = requireAuth(request);
      onSessionsEnded(await auth.changePassword(current.user, current.session.id, request.body));
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/me/sessions',
    { schema: { tags, summary: 'My sessions', response: { 200: SessionsResponseSchema, ...errors } } },
    async (request) => ({ sessions: await accounts.listSessions(requireAuth(request)) }),
  );

  app.delete(
    '/api/me/sessions',
    { schema: { tags, summary: 'Sign out everywhere else', response: noContent } },
    async (request, reply) => {
      onSessionsEnded(await accounts.revokeOtherSessions(requireAuth(request)));
      return reply.status(204).send(null);
    },
  );

  app.delete(
    '/api/me/sessions/:id',
    { schema: { tags, summary: 'End one of my sessions', params: SessionParamsSchema, response: noContent } },
    async (request, reply) => {
      const current = requireAuth(request);
      await accounts.revokeSession(current.user.id, request.params.id);
      onSessionsEnded([request.params.id]);
      if (request.params.id === current.session.id) clearSessionCookie(reply, cookie);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/me/export',
    {
      schema: {
        tags,
        summary: 'Everything that is mine, as one JSON object keyed by kind',
        response: { 200: ExportSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { user } = requireAuth(request);
      reply.header('content-disposition', 'attachment; filename="kindred-my-data.json"');
      return accounts.exportData(user.id);
    },
  );

  app.delete(
    '/api/me',
    {
      schema: {
        tags,
        summary: 'Delete my account and what is only mine',
        body: DeleteAccountBodySchema,
        response: noContent,
      },
    },
    async (request, reply) => {
      const ended = await accounts.deleteAccount(requireAuth(request), request.body.password);
      onSessionsEnded(ended);
      clearSessionCookie(reply, cookie);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/me/blocks',
    { schema: { tags, summary: 'Members I blocked', response: { 200: BlocksResponseSchema, ...errors } } },
    async (request) => ({ blocks: await blocks.list(requireAuth(request).user.id) }),
  );

  app.put(
    '/api/me/blocks/:userId',
    {
      schema: {
        tags,
        summary: 'Block a member: their words are folded away for me, and they can’t reply to or react to mine',
        params: BlockParamsSchema,
        response: noContent,
      },
    },
    async (request, reply) => {
      const { user } = requireAuth(request);
      await blocks.block(user.id, request.params.userId);
      onFilterChanged(user.id);
      return reply.status(204).send(null);
    },
  );

  app.delete(
    '/api/me/blocks/:userId',
    { schema: { tags, summary: 'Unblock a member', params: BlockParamsSchema, response: noContent } },
    async (request, reply) => {
      const { user } = requireAuth(request);
      await blocks.unblock(user.id, request.params.userId);
      onFilterChanged(user.id);
      return reply.status(204).send(null);
    },
  );
};
