// The member directory over HTTP, for admins and room moderators (directory.ts says who sees whom). Both
// reads count against one per-member limit, so the directory serves a screen, not a scraper.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  ErrorBodySchema,
  MemberDetailResponseSchema,
  MemberParamsSchema,
  MemberSearchQuerySchema,
  MemberSearchResponseSchema,
} from '@kindred/shared';
import type { FastifyRequest } from 'fastify';
import { requireAuth } from '../auth/plugin.ts';
import type { DirectoryService } from './directory.ts';

const errors = {
  400: ErrorBodySchema,
  401: ErrorBodySchema,
  403: ErrorBodySchema,
  404: ErrorBodySchema,
  429: ErrorBodySchema,
};

export const memberRoutes: FastifyPluginAsyncTypebox<{ directory: DirectoryService }> = async (app, { directory }) => {
  const tags = ['members'];
  const viewerOf = (request: FastifyRequest) => {
    const { user } = requireAuth(request);
    return { id: user.id, isAdmin: user.isAdmin };
  };

  app.get(
    '/api/members',
    {
      schema: {
        tags,
        summary: 'Find members by username or display name (admins; room moderators within their rooms)',
        querystring: MemberSearchQuerySchema,
        response: { 200: MemberSearchResponseSchema, ...errors },
      },
      config: { limit: 'directoryReads' },
    },
    async (request) => directory.search(viewerOf(request), request.query),
  );

  app.get(
    '/api/members/:username',
    {
      schema: {
        tags,
        summary: 'A member’s rooms, roles, joined date and sanctions in force (admins; room moderators)',
        params: MemberParamsSchema,
        response: { 200: MemberDetailResponseSchema, ...errors },
      },
      config: { limit: 'directoryReads' },
    },
    async (request) => ({ member: await directory.detail(viewerOf(request), request.params.username) }),
  );
};
