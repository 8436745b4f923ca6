// Stories over HTTP: reading is open to members; writing, replying and reacting need a session; the
// author alone edits, publishes a draft or deletes. Personal filters live here too, since stories began them.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Database } from '@kindred/db';
import { schema } from '@kindred/db';
import {
  CreateReplyBodySchema,
  CreateStoryBodySchema,
  ErrorBodySchema,
  FiltersSchema,
  ReplyResponseSchema,
  StoryListQuerySchema,
  StoryListResponseSchema,
  StoryModeratorParamsSchema,
  StoryParamsSchema,
  StoryReactionBodySchema,
  StoryReactionsResponseSchema,
  StoryResponseSchema,
  StoryWithRepliesSchema,
  UpdateStoryBodySchema,
  type Filters,
} from '@kindred/shared';
import { eq } from 'drizzle-orm';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { loadViewerFilter } from '../accounts/blocks.ts';
import { requireAdmin, requireAuth } from '../auth/plugin.ts';
import type { AppointmentService } from '../members/appointments.ts';
import type { StoryService, StoryViewer } from './service.ts';

const { users } = schema;

const errors = {
  400: ErrorBodySchema,
  401: ErrorBodySchema,
  403: ErrorBodySchema,
  404: ErrorBodySchema,
  429: ErrorBodySchema,
};

export const storyRoutes: FastifyPluginAsyncTypebox<{
  stories: StoryService;
  db: Database;
  /** The member changed their personal filter: their open sockets reload it. */
  onFilterChanged: (userId: string) => void;
  appointments: AppointmentService;
}> = async (app, { stories, db, onFilterChanged, appointments }) => {
  const tags = ['stories'];
  const viewerOf = async (request: FastifyRequest): Promise<StoryViewer> => {
    const user = request.auth?.user;
    if (!user) return { id: undefined, steward: false, hiddenWarnings: [], blocked: new Set() };
    return {
      id: user.id,
      steward: user.isAdmin || user.storyModerator,
      ...(await loadViewerFilter(db, user.id)),
    };
  };
  const authorOf = async (request: FastifyRequest) => {
    requireAuth(request);
    return (await viewerOf(request)) as StoryViewer & { id: string };
  };

  app.get(
    '/api/stories',
    {
      schema: {
        tags,
        summary: 'Published stories, newest first; by tag, by words (full-text), or my own (any status)',
        querystring: StoryListQuerySchema,
        response: { 200: StoryListResponseSchema, ...errors },
      },
    },
    async (request) => stories.list(await viewerOf(request), request.query),
  );

  app.post(
    '/api/stories',
    {
      schema: {
        tags,
        summary: 'Write a story: published, pending a moderator, or kept as a draft',
        body: CreateStoryBodySchema,
        response: { 201: StoryResponseSchema, ...errors },
      },
      config: { limit: 'stories' },
    },
    async (request, reply) =>
      reply.status(201).send({ story: await stories.create(await authorOf(request), request.body) }),
  );

  app.get(
    '/api/stories/:id',
    {
      schema: {
        tags,
        summary: 'A story and its replies',
        params: StoryParamsSchema,
        response: { 200: StoryWithRepliesSchema, ...errors },
      },
    },
    async (request) => stories.get(request.params.id, await viewerOf(request)),
  );

  app.patch(
    '/api/stories/:id',
    {
      schema: {
        tags,
        summary: 'Change my story (drafts are saved this way while writing)',
        params: StoryParamsSchema,
        body: UpdateStoryBodySchema,
        response: { 200: StoryResponseSchema, ...errors },
      },
    },
    async (request) => ({ story: await stories.update(request.params.id, await authorOf(request), request.body) }),
  );

  app.post(
    '/api/stories/:id/publish',
    {
      schema: {
        tags,
        summary: 'Share a draft',
        params: StoryParamsSchema,
        response: { 200: StoryResponseSchema, ...errors },
      },
    },
    async (request) => ({ story: await stories.publishDraft(request.params.id, await authorOf(request)) }),
  );

  app.delete(
    '/api/stories/:id',
    {
      schema: {
        tags,
        summary: 'Delete my story',
        params: StoryParamsSchema,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      await stories.remove(request.params.id, await authorOf(request));
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/stories/:id/replies',
    {
      schema: {
        tags,
        summary: 'Reply under a story',
        params: StoryParamsSchema,
        body: CreateReplyBodySchema,
        response: { 201: ReplyResponseSchema, ...errors },
      },
      config: { limit: 'replies' },
    },
    async (request, reply) =>
      reply.status(201).send({ reply: await stories.reply(request.params.id, await authorOf(request), request.body) }),
  );

  app.post(
    '/api/stories/:id/reactions',
    {
      schema: {
        tags,
        summary: 'Send a support reaction (counts only, never a ranking)',
        params: StoryParamsSchema,
        body: StoryReactionBodySchema,
        response: { 200: StoryReactionsResponseSchema, ...errors },
      },
      config: { limit: 'reactions' },
    },
    async (request) =>
      stories.react(request.params.id, await authorOf(request), request.body.kind, request.body.on ?? true),
  );

  app.get(
    '/api/me/filters',
    {
      schema: {
        tags,
        summary: 'The warnings I never want to see unasked',
        response: { 200: FiltersSchema, ...errors },
      },
    },
    async (request) => ({ hiddenWarnings: requireAuth(request).user.hiddenWarnings as Filters['hiddenWarnings'] }),
  );

  app.put(
    '/api/me/filters',
    {
      schema: {
        tags,
        summary: 'Choose the warnings I never want to see unasked',
        body: FiltersSchema,
        response: { 200: FiltersSchema, ...errors },
      },
    },
    async (request) => {
      const { user } = requireAuth(request);
      const [row] = await db
        .update(users)
        .set({ hiddenWarnings: request.body.hiddenWarnings })
        .where(eq(users.id, user.id))
        .returning({ hiddenWarnings: users.hiddenWarnings });
      onFilterChanged(user.id);
      return { hiddenWarnings: row!.hiddenWarnings as Filters['hiddenWarnings'] };
    },
  );

  for (const method of ['put', 'delete'] as const) {
    app[method](
      '/api/stories/moderators/:userId',
      {
        schema: {
          tags,
          summary:
            method === 'put' ? 'Name a member a story moderator (admins)' : 'Stop a member moderating stories (admins)',
          params: StoryModeratorParamsSchema,
          response: { 204: Type.Null(), ...errors },
        },
      },
      async (request, reply) => {
        const { user } = requireAdmin(request);
        await appointments.storyModerator(user.id, request.params.userId, method === 'put');
        return reply.status(204).send(null);
      },
    );
  }
};
