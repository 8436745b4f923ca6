// One Vitest run for every tier but the web app's unit tests (see below): unit tests beside the code,
// integration tests that build the app on a real database (PGlite always; PostgreSQL too when
// TEST_DATABASE_URL is set), and browser journeys last.
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';

const integration = (name: string, env: Record<string, string>): TestProjectInlineConfiguration => ({
  test: {
    name,
    root: 'server',
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    env,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});

const postgresUrl = process.env.TEST_DATABASE_URL;

export default defineConfig({
  test: {
    reporters: ['default', './tests/reporters/summary.ts'],
    maxWorkers: 2,
    projects: [
      'shared/vitest.config.ts',
      'db/vitest.config.ts',
      { test: { name: 'server-unit', root: 'server', include: ['src/**/*.test.ts'] } },
      integration('integration-pglite', { KINDRED_TEST_DB: 'pglite' }),
      ...(postgresUrl ? [integration('integration-postgres', { KINDRED_TEST_DB: 'postgres' })] : []),
      // Not the web app's unit tests: SvelteKit's Vite plugin takes the working directory for its root and
      // its svelte.config.js, so here it found none of them. They run from web/ (`npm run test -w web`),
      // before this run in `npm test`.
      'tests/vitest.config.ts',
    ],
  },
});
