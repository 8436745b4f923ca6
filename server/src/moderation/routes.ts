// Moderation over HTTP: members report; moderators and admins read the queue and the log and act.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  ActionResponseSchema,
  AddWarningsBodySchema,
  AddWarningsResponseSchema,
  BansResponseSchema,
  CreateActionBodySchema,
  CreateReportBodySchema,
  DutyBodySchema,
  ErrorBodySchema,
  LogQuerySchema,
  LogResponseSchema,
  QueueResponseSchema,
  ReportResponseSchema,
  RoomParamsSchema,
  RoomSanctionsResponseSchema,
  WarningTargetParamsSchema,
} from '@kindred/shared';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { requireAuth } from '../auth/plugin.ts';
import type { DutyCare } from '../carers/duty.ts';
import type { SanctionService } from './sanctions.ts';
import type { LiveEffects, ModerationService } from './service.ts';

export interface ModerationRoutesOptions {
  moderation: ModerationService;
  /** Going off duty keeps the stretch for the moderator's own month (carers/duty.ts). */
  duty: Pick<DutyCare, 'goOffDuty'>;
  sanctions: SanctionService;
  applyEffects: (effects: LiveEffects) => void;
}

const errors = {
  400: ErrorBodySchema,
  401: ErrorBodySchema,
  403: ErrorBodySchema,
  404: ErrorBodySchema,
  429: ErrorBodySchema,
};

export const moderationRoutes: FastifyPluginAsyncTypebox<ModerationRoutesOptions> = async (app, options) => {
  const { moderation, sanctions, applyEffects, duty } = options;
  const tags = ['moderation'];
  const moderatorOf = (request: FastifyRequest) => {
    const { user } = requireAuth(request);
    return { id: user.id, isAdmin: user.isAdmin, storyModerator: user.storyModerator };
  };

  app.post(
    '/api/reports',
    {
      schema: {
        tags,
        summary: 'Report a message or a member; reporting the same thing twice makes one item',
        body: CreateReportBodySchema,
        response: { 201: ReportResponseSchema, ...errors },
      },
      config: { limit: 'reports' },
    },
    async (request, reply) => {
      const { user } = requireAuth(request);
      const { report, effects } = await moderation.report(user.id, request.body);
      applyEffects(effects);
      return reply.status(201).send({ report });
    },
  );

  app.get(
    '/api/moderation/queue',
    {
      schema: {
        tags,
        summary: 'Open items the caller may act on, urgent first, with their context',
        response: { 200: QueueResponseSchema, ...errors },
      },
    },
    async (request) => ({ items: await moderation.queue(moderatorOf(request)) }),
  );

  app.post(
    '/api/moderation/actions',
    {
      schema: {
        tags,
        summary: 'Act on a message, member, room or report; recorded in the audit log',
        body: CreateActionBodySchema,
        response: { 201: ActionResponseSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { entry, effects } = await moderation.act(moderatorOf(request), request.body);
      applyEffects(effects);
      return reply.status(201).send({ action: entry });
    },
  );

  app.put(
    '/api/moderation/:kind/:id/warnings',
    {
      schema: {
        tags,
        summary:
          'Add content warnings to a message, story, reply or candle (never removes any); recorded in the audit log',
        params: WarningTargetParamsSchema,
        body: AddWarningsBodySchema,
        response: { 200: AddWarningsResponseSchema, ...errors },
      },
    },
    async (request) => {
      const { contentWarnings, entry, effects } = await moderation.addWarnings(
        moderatorOf(request),
        request.params.kind,
        request.params.id,
        request.body,
      );
      applyEffects(effects);
      return { contentWarnings, action: entry };
    },
  );

  app.get(
    '/api/moderation/log',
    {
      schema: {
        tags,
        summary: 'The audit log the caller may see',
        querystring: LogQuerySchema,
        response: { 200: LogResponseSchema, ...errors },
      },
    },
    async (request) => ({ actions: await moderation.log(moderatorOf(request), request.query.room) }),
  );

  app.get(
    '/api/moderation/rooms/:slug/sanctions',
    {
      config: { limit: 'sanctionReads' },
      schema: {
        tags,
        summary: 'The mutes and removals in force in a room, so they can be lifted (its moderators and admins)',
        params: RoomParamsSchema,
        response: { 200: RoomSanctionsResponseSchema, ...errors },
      },
    },
    async (request) => sanctions.inRoom(moderatorOf(request), request.params.slug),
  );

  app.get(
    '/api/moderation/bans',
    {
      config: { limit: 'sanctionReads' },
      schema: {
        tags,
        summary: 'Members banned from Kindred now, so a ban can be lifted (admins)',
        response: { 200: BansResponseSchema, ...errors },
      },
    },
    async (request) => sanctions.bans(moderatorOf(request)),
  );

  app.put(
    '/api/rooms/:slug/duty',
    {
      schema: {
        tags,
        summary: 'Go on duty in a room I moderate',
        params: RoomParamsSchema,
        body: DutyBodySchema,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      await moderation.setDuty(moderatorOf(request), request.params.slug, true, request.body.showName ?? false);
      return reply.status(204).send(null);
    },
  );

  app.delete(
    '/api/rooms/:slug/duty',
    {
      schema: { tags, summary: 'Go off duty', params: RoomParamsSchema, response: { 204: Type.Null(), ...errors } },
    },
    async (request, reply) => {
      await duty.goOffDuty(moderatorOf(request), request.params.slug);
      return reply.status(204).send(null);
    },
  );
};
