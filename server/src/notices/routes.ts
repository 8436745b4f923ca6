// The notice centre over HTTP: my notices (paged), marking one read, which kinds I receive, and the members
// of a room a mention may name (for the composer's picker: members of the room only, to its members only).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { schema, type Database } from '@kindred/db';
import {
  ErrorBodySchema,
  MentionableQuerySchema,
  MentionableSchema,
  NoticeParamsSchema,
  NoticeSettingsBodySchema,
  NoticeSettingsSchema,
  NoticesQuerySchema,
  NoticesResponseSchema,
  RoomParamsSchema,
} from '@kindred/shared';
import { and, asc, eq, ilike, isNull, ne, or } from 'drizzle-orm';
import { Type } from 'typebox';
import { requireAuth } from '../auth/plugin.ts';
import { ApiError } from '../errors.ts';
import { roomBySlug } from '../moderation/authority.ts';
import type { NoticeCentre } from './centre.ts';

const { blocks, memberships, users } = schema;

const errors = {
  400: ErrorBodySchema,
  401: ErrorBodySchema,
  403: ErrorBodySchema,
  404: ErrorBodySchema,
  429: ErrorBodySchema,
};
/** The most members the picker lists at once: it narrows as the member types. */
const MENTIONABLE_AT_ONCE = 20;

export interface NoticeRoutesOptions {
  db: Database;
  centre: NoticeCentre;
  /** A member read a notice: their unread count is told again on every instance. */
  onNoticesRead: (userId: string) => void;
}

export const noticeRoutes: FastifyPluginAsyncTypebox<NoticeRoutesOptions> = async (app, options) => {
  const { db, centre, onNoticesRead } = options;
  const tags = ['notices'];

  app.get(
    '/api/me/notices',
    {
      schema: {
        tags,
        summary:
          'My notices, newest first: replies, support, mentions, moderators’ notes, the hard-day note (before= for older)',
        querystring: NoticesQuerySchema,
        response: { 200: NoticesResponseSchema, ...errors },
      },
    },
    async (request) => ({ notices: await centre.list(requireAuth(request).user.id, request.query) }),
  );

  app.post(
    '/api/me/notices/:id/read',
    {
      schema: {
        tags,
        summary: 'Mark a notice read',
        params: NoticeParamsSchema,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      const { user } = requireAuth(request);
      await centre.markRead(user.id, request.params.id);
      onNoticesRead(user.id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/me/notice-settings',
    {
      schema: { tags, summary: 'Which kinds of notice I receive', response: { 200: NoticeSettingsSchema, ...errors } },
      config: { limit: 'noticeCentre' },
    },
    async (request) => centre.settings(requireAuth(request).user.id),
  );

  app.put(
    '/api/me/notice-settings',
    {
      schema: {
        tags,
        summary: 'Turn kinds of notice on or off (those not named stay as they are)',
        body: NoticeSettingsBodySchema,
        response: { 200: NoticeSettingsSchema, ...errors },
      },
      config: { limit: 'noticeCentre' },
    },
    async (request) => {
      const { user } = requireAuth(request);
      const settings = await centre.changeSettings(user.id, request.body.kinds);
      onNoticesRead(user.id); // a kind turned off leaves the count
      return settings;
    },
  );

  app.get(
    '/api/rooms/:slug/mentionable',
    {
      schema: {
        tags,
        summary: 'Members of this room I may mention (for the composer’s picker; members only)',
        params: RoomParamsSchema,
        querystring: MentionableQuerySchema,
        response: { 200: MentionableSchema, ...errors },
      },
      config: { limit: 'noticeCentre' },
    },
    async (request) => {
      const { user } = requireAuth(request);
      const room = await roomBySlug(db, request.params.slug);
      const [mine] = await db
        .select({ userId: memberships.userId })
        .from(memberships)
        .where(and(eq(memberships.roomId, room.id), eq(memberships.userId, user.id)));
      if (!mine) throw new ApiError('not_a_member', 'Join this room to mention its members.');
      const q = request.query.q
        ?.trim()
        .replace(/^@/, '')
        .replace(/[\\%_]/g, (c) => `\\${c}`);
      const rows = await db
        .select({ id: users.id, username: users.username, displayName: users.displayName })
        .from(memberships)
        .innerJoin(users, eq(users.id, memberships.userId))
        .where(
          and(
            eq(memberships.roomId, room.id),
            ne(users.id, user.id),
            isNull(users.bannedAt),
            q ? or(ilike(users.username, `${q}%`), ilike(users.displayName, `%${q}%`)) : undefined,
          ),
        )
        .orderBy(asc(users.displayName))
        .limit(MENTIONABLE_AT_ONCE * 2);
      const blocked = await db
        .select({ blockerId: blocks.blockerId, blockedId: blocks.blockedId })
        .from(blocks)
        .where(or(eq(blocks.blockerId, user.id), eq(blocks.blockedId, user.id)));
      const apart = new Set(blocked.map((row) => (row.blockerId === user.id ? row.blockedId : row.blockerId)));
      return {
        members: rows
          .filter((row) => !apart.has(row.id))
          .slice(0, MENTIONABLE_AT_ONCE)
          .map(({ username, displayName }) => ({ username, displayName })),
      };
    },
  );
};
