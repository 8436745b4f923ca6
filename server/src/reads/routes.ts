// Read positions over HTTP: PUT /api/rooms/:slug/read moves the member's place forward and tells their
// other screens (the `read` frame, on every instance). `liveRooms` adds to the rooms a member has joined what
// is theirs and live: read position, unread, here now, a moderator on duty (and, for one room, names).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorBodySchema, ReadBodySchema, ReadResponseSchema, RoomParamsSchema, type Room } from '@kindred/shared';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { requireAuth } from '../auth/plugin.ts';
import type { ControlMessage } from '../chat/bus.ts';
import { ApiError } from '../errors.ts';
import type { RoomService } from '../rooms/service.ts';
import type { Presence } from './presence.ts';
import type { ReadService } from './service.ts';

/** The routes that put a moderator on or off duty: presence frames say whether one is on duty now. */
const DUTY_ROUTES = new Set(['/api/rooms/:slug/duty', '/api/rooms/:slug/duty/step-away']);

export interface ReadRoutesOptions {
  reads: ReadService;
  rooms: RoomService;
  presence: Presence;
  publish: (message: ControlMessage) => void;
}

/** Adds the member's own live fields to the rooms they joined; `names` for one room's page. */
export function liveRooms(reads: ReadService, presence: Presence) {
  return async (request: FastifyRequest, list: Room[], names: boolean): Promise<Room[]> => {
    const userId = request.auth?.user.id;
    const joined = list.filter((room) => room.joined).map((room) => room.id);
    if (!userId || joined.length === 0) return list;
    const [positions, here] = await Promise.all([reads.positions(userId, joined), presence.of(joined)]);
    return list.map((room) => {
      const position = positions.get(room.id);
      const live = here.get(room.id);
      if (!room.joined || !position || !live) return room;
      return {
        ...room,
        readSeq: position.readSeq,
        unread: position.unread,
        hereNow: live.hereNow,
        moderatorOnDuty: live.moderatorOnDuty,
        ...(names ? { hereNames: live.hereNames } : {}),
      };
    });
  };
}

export const readRoutes: FastifyPluginAsyncTypebox<ReadRoutesOptions> = async (app, { reads, rooms, publish }) => {
  app.put(
    '/api/rooms/:slug/read',
    {
      schema: {
        tags: ['rooms'],
        summary: 'Keep my place in a room: the last seq I have read (only moves forward)',
        params: RoomParamsSchema,
        body: ReadBodySchema,
        response: {
          200: ReadResponseSchema,
          400: ErrorBodySchema,
          401: ErrorBodySchema,
          403: ErrorBodySchema,
          404: ErrorBodySchema,
          429: ErrorBodySchema,
        },
      },
      config: { limit: 'readPositions' },
    },
    async (request) => {
      const { user } = requireAuth(request);
      const room = await rooms.findRoom(request.params.slug, user.id);
      if (!(await rooms.membership(room.id, user.id))) {
        throw new ApiError('not_a_member', 'Please join this room first.');
      }
      const { moved, ...position } = await reads.markRead(user.id, room.id, request.body.seq);
      if (moved) {
        publish({ type: 'member-frame', userId: user.id, frame: { type: 'read', room: room.slug, ...position } });
      }
      return position;
    },
  );
};

/**
 * Going on or off duty changes what each room's presence says: on the root app, since those routes are the
 * moderators' (moderation/routes.ts, carers/routes.ts).
 */
export function tellDutyChanges(app: FastifyInstance, rooms: RoomService, publish: (message: ControlMessage) => void) {
  app.addHook('onResponse', async (request, reply) => {
    if (reply.statusCode >= 300 || !DUTY_ROUTES.has(request.routeOptions.url ?? '')) return;
    const { slug } = request.params as { slug?: string };
    if (!slug) return;
    try {
      const room = await rooms.findRoom(slug);
      publish({ type: 'presence-changed', roomIds: [room.id] });
    } catch {
      // The room went meanwhile: nothing to tell.
    }
  });
}
