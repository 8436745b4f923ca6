// Care resources anyone may read, signed in or not: crisis lines by country, from the shipped list or the
// one an admin named in HELPLINES_FILE.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  CountriesResponseSchema,
  CrisisQuerySchema,
  CrisisResourcesSchema,
  ErrorBodySchema,
  ResourcesResponseSchema,
} from '@kindred/shared';
import type { Helplines } from '../moderation/helplines.ts';

export const careRoutes: FastifyPluginAsyncTypebox<{ helplines: Helplines }> = async (app, { helplines }) => {
  app.get(
    '/api/resources',
    {
      schema: {
        tags: ['care'],
        summary: 'Every country’s crisis lines, and the international ones, for the resources page',
        response: { 200: ResourcesResponseSchema, 429: ErrorBodySchema },
      },
    },
    async () => helplines.directory(),
  );

  app.get(
    '/api/resources/crisis',
    {
      schema: {
        tags: ['care'],
        summary:
          'Crisis lines for a country (the signed-in member’s own by default), or the international list (`only=international`)',
        querystring: CrisisQuerySchema,
        response: { 200: CrisisResourcesSchema, 400: ErrorBodySchema, 429: ErrorBodySchema },
      },
    },
    async (request) =>
      helplines.crisisResources(
        request.query.only === 'international' ? null : (request.query.country ?? request.auth?.user.country),
      ),
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
    async () => ({ countries: helplines.supportedCountries() }),
  );
};
