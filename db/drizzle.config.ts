import { defineConfig } from 'drizzle-kit';

// `npm run db:generate` writes a new migration into db/migrations after a change to src/schema.ts.
// Migrations are committed and never edited by hand; a test fails when the schema drifts from them.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/schema.ts',
  out: './migrations',
  casing: 'snake_case',
});
