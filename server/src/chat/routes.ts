// Room history over HTTP: pages of messages by seq, for first load, scrolling back and after a resync.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Database } from '@kindred/db';
import { ErrorBodySchema, HistoryQuerySchema, HistoryResponseSchema, RoomParamsSchema } from '@kindred/shared';
import { loadViewerFilter } from '../accounts/blocks.ts';
import { requireAuth } from '../auth/plugin.ts';
import { ApiError } from '../errors.ts';
import type { RoomService } from '../rooms/service.ts';
import { forViewer, historyPage, roomLastSeq } from './messages.ts';

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 100;

export const chatRoutes: FastifyPluginAsyncTypebox<{ db: Database; rooms: RoomService }> = async (
  app,
  { db, rooms },
) => {
  app.get(
    '/api/rooms/:slug/messages',
    {
      schema: {
        tags: ['chat'],
        summary: 'A page of the room’s messages in ascending seq (members only)',
        params: RoomParamsSchema,
        querystring: HistoryQuerySchema,
        response: {
          200: HistoryResponseSchema,
          400: ErrorBodySchema,
          401: ErrorBodySchema,
          403: ErrorBodySchema,
          404: ErrorBodySchema,
          429: ErrorBodySchema,
        },
      },
    },
    async (request) => {
      const { user } = requireAuth(request);
      const room = await rooms.findRoom(request.params.slug, user.id);
      const membership = await rooms.membership(room.id, user.id);
      if (!membership) throw new ApiError('not_a_member', 'Please join this room to read its conversation.');
      const { before, after } = request.query;
      const limit = Math.min(request.query.limit ?? DEFAULT_LIMIT, MAX_LIMIT);
      // Read lastSeq first: a client that subscribes with it misses nothing committed after this page.
      const lastSeq = await roomLastSeq(db, room.id);
      const page = await historyPage(db, room.id, { before, after, limit });
      const moderator = membership.role === 'moderator';
      const filter = await loadViewerFilter(db, user.id);
      return {
        messages: page.messages.map((view) => forViewer(view, user.id, moderator, filter)),
        hasMore: page.hasMore,
        lastSeq,
      };
    },
  );
};
