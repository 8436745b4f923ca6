// Applies the committed migrations at start-up, on either engine. On PostgreSQL an advisory lock makes
// instances that start together take turns, so only one of them runs each migration.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { sql } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgliteDatabase } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import type { DatabaseHandle } from './client.ts';
import * as schema from './schema.ts';

/**
 * db/migrations, found through the package rather than this file's place: the server's production build
 * (server/dist, one bundle) carries this module's code but not the SQL files beside it.
 */
export const migrationsFolder = join(
  dirname(createRequire(import.meta.url).resolve('@kindred/db/package.json')),
  'migrations',
);

const MIGRATION_LOCK = 7_311_746_001; // any constant; names "kindred migrations" among advisory locks

export async function migrate(handle: DatabaseHandle): Promise<void> {
  if (handle.kind === 'pglite') {
    await migratePglite(handle.db as unknown as PgliteDatabase<typeof schema>, { migrationsFolder });
    return;
  }
  const client = await handle.pool!.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await migratePg(drizzlePg({ client, schema, casing: 'snake_case' }), { migrationsFolder });
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {});
    client.release();
  }
}

/** How many committed migrations exist, and how many the database has applied. */
export async function migrationStatus(handle: DatabaseHandle): Promise<{ applied: number; expected: number }> {
  const journal = JSON.parse(readFileSync(`${migrationsFolder}/meta/_journal.json`, 'utf8')) as {
    entries: unknown[];
  };
  const rows = await handle.db.execute<{ count: number }>(
    sql`SELECT count(*)::int AS count FROM drizzle.__drizzle_migrations`,
  );
  const applied = Number((rows as unknown as { rows: { count: number }[] }).rows[0]?.count ?? 0);
  return { applied, expected: journal.entries.length };
}

/** When each committed migration was made (drizzle records this as `created_at` of an applied one). */
export function knownMigrationTimes(): number[] {
  const journal = JSON.parse(readFileSync(`${migrationsFolder}/meta/_journal.json`, 'utf8')) as {
    entries: { when: number }[];
  };
  return journal.entries.map((entry) => entry.when);
}
