// Care resources anyone may read, signed in or not: crisis lines by country from the shipped data file.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { CountriesResponseSchema, CrisisQuerySchema, CrisisResourcesSchema, ErrorBodySchema } from '@kindred/shared';
import { crisisResources, supportedCountries } from '../moderation/helplines.ts';

export const careRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/api/resources/crisis',
    {
      schema: {
        tags: ['care'],
        summary: 'Crisis lines for a country (the signed-in member’s own by default), or the international list',
        querystring: CrisisQuerySchema,
        response: { 200: CrisisResourcesSchema, 400: ErrorBodySchema, 429: ErrorBodySchema },
      },
    },
    async (request) => crisisResources(request.query.country ?? request.auth?.user.country),
  );

  app.get(
    '/api/resources/countries',
    {
      schema: {
        tags: ['care'],
        summary: 'Countries with their own crisis lines',
        response: { 200: CountriesResponseSchema, 429: ErrorBodySchema },
      },
    },
    async () => ({ countries: supportedCountries() }),
  );
};
