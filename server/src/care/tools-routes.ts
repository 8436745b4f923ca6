// The gentle tools over HTTP. The journal and hard dates answer to their owner only: there is no route,
// for admins or anyone, that reads another member's entries or dates.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  CandleResponseSchema,
  CandlesSchema,
  CareIdParamsSchema,
  CreateHardDateBodySchema,
  CreateJournalEntryBodySchema,
  ErrorBodySchema,
  HardDateResponseSchema,
  HardDatesSchema,
  JournalEntryResponseSchema,
  JournalListSchema,
  LightCandleBodySchema,
  PromptsSchema,
  StoryResponseSchema,
  TodaySchema,
  UpdateJournalEntryBodySchema,
} from '@kindred/shared';
import type { Database } from '@kindred/db';
import { Type } from 'typebox';
import { loadViewerFilter, noFilter } from '../accounts/blocks.ts';
import { requireAuth } from '../auth/plugin.ts';
import type { StoryService } from '../stories/service.ts';
import type { CareService } from './service.ts';

const errors = {
  400: ErrorBodySchema,
  401: ErrorBodySchema,
  403: ErrorBodySchema,
  404: ErrorBodySchema,
  429: ErrorBodySchema,
};
const noContent = { 204: Type.Null(), ...errors };

export const careToolRoutes: FastifyPluginAsyncTypebox<{
  care: CareService;
  stories: StoryService;
  db: Database;
}> = async (app, { care, stories, db }) => {
  const tags = ['care'];

  app.get(
    '/api/care/today',
    {
      schema: {
        tags,
        summary: 'Today’s mantra, and my hard dates that fall today',
        response: { 200: TodaySchema, ...errors },
      },
    },
    async (request) => care.today(request.auth?.user),
  );

  app.get(
    '/api/journal/prompts',
    { schema: { tags, summary: 'Journal prompts, and today’s', response: { 200: PromptsSchema, ...errors } } },
    async (request) => care.prompts(request.auth?.user.timeZone ?? null),
  );

  app.get(
    '/api/journal',
    { schema: { tags, summary: 'My journal (mine only, always)', response: { 200: JournalListSchema, ...errors } } },
    async (request) => ({ entries: await care.journal(requireAuth(request).user.id) }),
  );

  app.post(
    '/api/journal',
    {
      schema: {
        tags,
        summary: 'Write a journal entry',
        body: CreateJournalEntryBodySchema,
        response: { 201: JournalEntryResponseSchema, ...errors },
      },
      config: { limit: 'journal' },
    },
    async (request, reply) =>
      reply.status(201).send({
        entry: await care.write(requireAuth(request).user.id, request.body.body, request.body.prompt),
      }),
  );

  app.patch(
    '/api/journal/:id',
    {
      schema: {
        tags,
        summary: 'Change a journal entry',
        params: CareIdParamsSchema,
        body: UpdateJournalEntryBodySchema,
        response: { 200: JournalEntryResponseSchema, ...errors },
      },
    },
    async (request) => ({
      entry: await care.rewrite(requireAuth(request).user.id, request.params.id, request.body.body),
    }),
  );

  app.delete(
    '/api/journal/:id',
    { schema: { tags, summary: 'Delete a journal entry', params: CareIdParamsSchema, response: noContent } },
    async (request, reply) => {
      await care.erase(requireAuth(request).user.id, request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/journal/:id/story',
    {
      schema: {
        tags,
        summary: 'Turn a journal entry into a draft story (private until I share it)',
        params: CareIdParamsSchema,
        response: { 201: StoryResponseSchema, ...errors },
      },
      config: { limit: 'stories' },
    },
    async (request, reply) => {
      const { user } = requireAuth(request);
      const entry = await care.ownEntry(user.id, request.params.id);
      const firstLine =
        entry.body
          .split('\n')
          .find((line) => line.trim())
          ?.trim() ?? 'From my journal';
      const title = [...(entry.prompt ?? firstLine)].slice(0, 140).join('');
      const story = await stories.create(
        { id: user.id, steward: false, hiddenWarnings: user.hiddenWarnings, blocked: new Set() },
        { title, body: entry.body, tags: [], contentWarnings: [], anonymous: false, draft: true },
      );
      return reply.status(201).send({ story });
    },
  );

  app.get(
    '/api/me/dates',
    { schema: { tags, summary: 'My hard dates (mine only)', response: { 200: HardDatesSchema, ...errors } } },
    async (request) => ({ dates: await care.dates(requireAuth(request).user.id) }),
  );

  app.post(
    '/api/me/dates',
    {
      schema: {
        tags,
        summary: 'Keep a date that matters to me',
        body: CreateHardDateBodySchema,
        response: { 201: HardDateResponseSchema, ...errors },
      },
      config: { limit: 'dates' },
    },
    async (request, reply) =>
      reply.status(201).send({ date: await care.addDate(requireAuth(request).user.id, request.body) }),
  );

  app.delete(
    '/api/me/dates/:id',
    { schema: { tags, summary: 'Forget a date', params: CareIdParamsSchema, response: noContent } },
    async (request, reply) => {
      await care.removeDate(requireAuth(request).user.id, request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/remembrance',
    { schema: { tags, summary: 'The remembrance wall', response: { 200: CandlesSchema, ...errors } } },
    async (request) => {
      const user = request.auth?.user;
      const steward = user ? user.isAdmin || user.storyModerator : false;
      return care.candles(user?.id, steward, user ? await loadViewerFilter(db, user.id) : noFilter);
    },
  );

  app.post(
    '/api/remembrance',
    {
      schema: {
        tags,
        summary: 'Light a candle, with a name or a few words if I want',
        body: LightCandleBodySchema,
        response: { 201: CandleResponseSchema, ...errors },
      },
      config: { limit: 'candles' },
    },
    async (request, reply) =>
      reply.status(201).send({ candle: await care.light(requireAuth(request).user, request.body) }),
  );
};
