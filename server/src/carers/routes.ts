// Care for the carers over HTTP: the moderators' room, handover notes, one's duty (with the nudge), stepping
// away, and one's own month. Rules live in the modules beside this one.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { schema, type Database } from '@kindred/db';
import {
  DutyStateSchema,
  ErrorBodySchema,
  HandoverNoteBodySchema,
  HandoverNoteParamsSchema,
  HandoverNoteResponseSchema,
  HandoverNotesResponseSchema,
  MyMonthResponseSchema,
  RoomParamsSchema,
  RoomResponseSchema,
  StepAwayResponseSchema,
} from '@kindred/shared';
import { and, eq } from 'drizzle-orm';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { requireAuth } from '../auth/plugin.ts';
import { ApiError } from '../errors.ts';
import type { Moderator } from '../moderation/authority.ts';
import type { RoomService } from '../rooms/service.ts';
import { staffRoomId } from '../rooms/staff-room.ts';
import type { DutyCare } from './duty.ts';
import { myMonth } from './month.ts';
import type { HandoverNotes } from './notes.ts';

const { memberships, rooms: roomsTable } = schema;

export interface CarerRoutesOptions {
  db: Database;
  now: () => Date;
  rooms: RoomService;
  notes: HandoverNotes;
  duty: DutyCare;
  /** An urgent item handed to someone: told to them live as an `urgent_item` notice. */
  onHandedOver: (userId: string, roomId: string, itemId: string) => void;
}

const errors = {
  400: ErrorBodySchema,
  401: ErrorBodySchema,
  403: ErrorBodySchema,
  404: ErrorBodySchema,
  429: ErrorBodySchema,
};

export const carerRoutes: FastifyPluginAsyncTypebox<CarerRoutesOptions> = async (app, options) => {
  const { db, now, rooms, notes, duty, onHandedOver } = options;
  const tags = ['moderation'];
  const moderatorOf = (request: FastifyRequest): Moderator => {
    const { user } = requireAuth(request);
    return { id: user.id, isAdmin: user.isAdmin, storyModerator: user.storyModerator };
  };
  const limit = { limit: 'moderatorCare' as const };

  app.get(
    '/api/moderation/staff-room',
    {
      config: limit,
      schema: {
        tags,
        summary: 'The private moderators’ room (room moderators, story moderators and admins; 404 for anyone else)',
        response: { 200: RoomResponseSchema, ...errors },
      },
    },
    async (request) => {
      const { user } = requireAuth(request);
      const roomId = await staffRoomId(db);
      const [row] = roomId
        ? await db
            .select({ slug: roomsTable.slug })
            .from(memberships)
            .innerJoin(roomsTable, eq(roomsTable.id, memberships.roomId))
            .where(and(eq(memberships.roomId, roomId), eq(memberships.userId, user.id)))
        : [];
      if (!row) throw new ApiError('not_found', 'There is nothing at this address.');
      return { room: await rooms.view(row.slug, { userId: user.id, isAdmin: user.isAdmin }) };
    },
  );

  app.get(
    '/api/rooms/:slug/handover',
    {
      config: limit,
      schema: {
        tags,
        summary: 'The room’s handover notes, newest first (its moderators and admins)',
        params: RoomParamsSchema,
        response: { 200: HandoverNotesResponseSchema, ...errors },
      },
    },
    async (request) => ({ notes: await notes.list(moderatorOf(request), request.params.slug) }),
  );

  app.post(
    '/api/rooms/:slug/handover',
    {
      config: { limit: 'handoverNotes' },
      schema: {
        tags,
        summary: 'Leave a handover note for the room’s other moderators',
        params: RoomParamsSchema,
        body: HandoverNoteBodySchema,
        response: { 201: HandoverNoteResponseSchema, ...errors },
      },
    },
    async (request, reply) => {
      const note = await notes.create(moderatorOf(request), request.params.slug, request.body.body);
      return reply.status(201).send({ note });
    },
  );

  app.patch(
    '/api/rooms/:slug/handover/:id',
    {
      config: limit,
      schema: {
        tags,
        summary: 'Change one’s own handover note',
        params: HandoverNoteParamsSchema,
        body: HandoverNoteBodySchema,
        response: { 200: HandoverNoteResponseSchema, ...errors },
      },
    },
    async (request) => ({
      note: await notes.update(moderatorOf(request), request.params.slug, request.params.id, request.body.body),
    }),
  );

  app.delete(
    '/api/rooms/:slug/handover/:id',
    {
      config: limit,
      schema: {
        tags,
        summary: 'Delete one’s own handover note',
        params: HandoverNoteParamsSchema,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      await notes.remove(moderatorOf(request), request.params.slug, request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/rooms/:slug/duty',
    {
      config: limit,
      schema: {
        tags,
        summary: 'My stretch on duty in a room: since when, and when a gentle nudge to rest is due',
        params: RoomParamsSchema,
        response: { 200: DutyStateSchema, ...errors },
      },
    },
    async (request) => duty.state(moderatorOf(request), request.params.slug),
  );

  app.post(
    '/api/rooms/:slug/duty/step-away',
    {
      config: limit,
      schema: {
        tags,
        summary: 'Go off duty, handing the room’s urgent items to the moderators still on duty (else admins)',
        params: RoomParamsSchema,
        response: { 200: StepAwayResponseSchema, ...errors },
      },
    },
    async (request) => {
      const { notices, ...result } = await duty.stepAway(moderatorOf(request), request.params.slug);
      for (const { userId, roomId, itemId } of notices) onHandedOver(userId, roomId, itemId);
      return result;
    },
  );

  app.get(
    '/api/moderation/me/month',
    {
      config: limit,
      schema: {
        tags,
        summary: 'What I handled this month, as counts (anyone who moderates)',
        response: { 200: MyMonthResponseSchema, ...errors },
      },
    },
    async (request) => {
      const moderator = moderatorOf(request);
      if (!moderator.isAdmin && !moderator.storyModerator) {
        const [room] = await db
          .select({ roomId: memberships.roomId })
          .from(memberships)
          .innerJoin(roomsTable, eq(roomsTable.id, memberships.roomId))
          .where(
            and(
              eq(memberships.userId, moderator.id),
              eq(memberships.role, 'moderator'),
              eq(roomsTable.kind, 'community'),
            ),
          )
          .limit(1);
        if (!room) throw new ApiError('forbidden', 'This page is for the people who look after Kindred.');
      }
      return myMonth(db, moderator.id, now());
    },
  );
};
