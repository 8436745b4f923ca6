// Rooms over HTTP: anyone may read what a room is for; members join after accepting its rules;
// admins create, edit and archive rooms and appoint its volunteer moderators.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  CreateRoomBodySchema,
  ErrorBodySchema,
  JoinRoomBodySchema,
  RoomParamsSchema,
  RoomResponseSchema,
  RoomsResponseSchema,
  RoomUserParamsSchema,
  UpdateRoomBodySchema,
  type Room,
} from '@kindred/shared';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { requireAdmin, requireAuth } from '../auth/plugin.ts';
import type { AppointmentService } from '../members/appointments.ts';
import type { RoomService, Viewer } from './service.ts';

export interface RoomRoutesOptions {
  rooms: RoomService;
  appointments: AppointmentService;
  /** Live connections of this member stop receiving the room. */
  onMembershipEnded: (roomId: string, userId: string) => void;
  /** Adds what is the member's own and live to rooms they joined (reads/routes.ts); `names` for one room. */
  live?: (request: FastifyRequest, rooms: Room[], names: boolean) => Promise<Room[]>;
}

const errors = {
  400: ErrorBodySchema,
  401: ErrorBodySchema,
  403: ErrorBodySchema,
  404: ErrorBodySchema,
  409: ErrorBodySchema,
  429: ErrorBodySchema,
};

export const roomRoutes: FastifyPluginAsyncTypebox<RoomRoutesOptions> = async (
  app,
  { rooms, appointments, onMembershipEnded, live = async (_request, list) => list },
) => {
  const tags = ['rooms'];
  const withLive = async (request: FastifyRequest, room: Room) => (await live(request, [room], true))[0]!;
  const viewerOf = (request: FastifyRequest): Viewer => ({
    userId: request.auth?.user.id,
    isAdmin: request.auth ? request.auth.user.isAdmin : false,
  });
  const memberOf = (request: FastifyRequest) => {
    const { user } = requireAuth(request);
    return { userId: user.id, isAdmin: user.isAdmin };
  };
  const adminOf = (request: FastifyRequest) => {
    requireAdmin(request);
    return memberOf(request);
  };

  app.get(
    '/api/rooms',
    { schema: { tags, summary: 'Every room the caller may see', response: { 200: RoomsResponseSchema, ...errors } } },
    async (request) => ({ rooms: await live(request, await rooms.list(viewerOf(request)), false) }),
  );

  app.post(
    '/api/rooms',
    {
      schema: {
        tags,
        summary: 'Create a room (admins)',
        body: CreateRoomBodySchema,
        response: { 201: RoomResponseSchema, ...errors },
      },
      config: { limit: 'rooms' },
    },
    async (request, reply) => {
      const viewer = adminOf(request);
      return reply.status(201).send({ room: await withLive(request, await rooms.create(request.body, viewer)) });
    },
  );

  app.get(
    '/api/rooms/:slug',
    {
      schema: {
        tags,
        summary: 'One room: what it is for, its rules, members count and moderators',
        params: RoomParamsSchema,
        response: { 200: RoomResponseSchema, ...errors },
      },
    },
    async (request) => ({ room: await withLive(request, await rooms.view(request.params.slug, viewerOf(request))) }),
  );

  app.patch(
    '/api/rooms/:slug',
    {
      schema: {
        tags,
        summary: 'Edit or archive a room (admins)',
        params: RoomParamsSchema,
        body: UpdateRoomBodySchema,
        response: { 200: RoomResponseSchema, ...errors },
      },
    },
    async (request) => {
      const viewer = adminOf(request);
      return { room: await withLive(request, await rooms.update(request.params.slug, request.body, viewer)) };
    },
  );

  app.post(
    '/api/rooms/:slug/join',
    {
      schema: {
        tags,
        summary: 'Join after accepting the rules',
        params: RoomParamsSchema,
        body: JoinRoomBodySchema,
        response: { 200: RoomResponseSchema, ...errors },
      },
    },
    async (request) => ({
      room: await withLive(request, await rooms.join(request.params.slug, memberOf(request), request.body.acceptRules)),
    }),
  );

  app.post(
    '/api/rooms/:slug/leave',
    {
      schema: { tags, summary: 'Leave a room', params: RoomParamsSchema, response: { 204: Type.Null(), ...errors } },
    },
    async (request, reply) => {
      const { userId } = memberOf(request);
      onMembershipEnded(await rooms.leave(request.params.slug, userId), userId);
      return reply.status(204).send(null);
    },
  );

  app.put(
    '/api/rooms/:slug/moderators/:userId',
    {
      schema: {
        tags,
        summary: 'Make a member a volunteer moderator of the room (admins)',
        params: RoomUserParamsSchema,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      const { userId } = adminOf(request);
      await appointments.roomModerator(userId, request.params.slug, request.params.userId, true);
      return reply.status(204).send(null);
    },
  );

  app.delete(
    '/api/rooms/:slug/moderators/:userId',
    {
      schema: {
        tags,
        summary: 'Stop a member moderating the room (admins)',
        params: RoomUserParamsSchema,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      const { userId } = adminOf(request);
      await appointments.roomModerator(userId, request.params.slug, request.params.userId, false);
      return reply.status(204).send(null);
    },
  );
};
