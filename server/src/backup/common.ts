// What both kinds of backup share: the refusal the operator reads, how a file is recognised, the check
// that a backup's database is one this Kindred knows (its migrations), and the counts a summary names.
import { existsSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { knownMigrationTimes, type DatabaseHandle } from '@kindred/db';
import { sql } from 'drizzle-orm';

/** A sentence for the operator; the CLI prints it and exits with 1. */
export class BackupError extends Error {}

export const NOTHING_CHANGED = 'Nothing was changed.';

/** `embedded`: PGlite's data folder as a gzipped tarball; `postgres`: pg_dump's custom format. */
export type BackupKind = 'embedded' | 'postgres' | 'unknown';

export async function kindOf(file: string): Promise<BackupKind> {
  if (!existsSync(file)) throw new BackupError(`There is no file ${file}. ${NOTHING_CHANGED}`);
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(5);
    const { bytesRead } = await handle.read(head, 0, 5, 0);
    if (bytesRead >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'embedded';
    if (bytesRead === 5 && head.toString('latin1') === 'PGDMP') return 'postgres';
    return 'unknown';
  } finally {
    await handle.close();
  }
}

export function notABackup(file: string): BackupError {
  return new BackupError(
    `${file} is not a Kindred backup: it is neither a backup of the embedded database nor one of PostgreSQL ` +
      `(pg_dump's custom format), as \`npm run kindred -- backup\` makes them. ${NOTHING_CHANGED}`,
  );
}

/**
 * A backup's database must be one this Kindred can run: every migration it has applied must be one this
 * Kindred has (an older backup is fine: its missing migrations are applied after the restore).
 */
export function checkMigrations(file: string, applied: number[]): void {
  if (applied.length === 0) throw notABackup(file);
  const known = new Set(knownMigrationTimes());
  if (applied.some((when) => !known.has(when))) {
    throw new BackupError(
      `${file} was made by a newer version of Kindred (its database has changes this version does not know). ` +
        `Update Kindred to the version that made it, or a later one, and restore again. ${NOTHING_CHANGED}`,
    );
  }
}

/** When each migration a database has applied was made, or [] when it has none (not a Kindred database). */
export async function appliedMigrations(database: DatabaseHandle): Promise<number[]> {
  const exists = await rows<{ present: boolean }>(
    database,
    sql`SELECT to_regclass('drizzle.__drizzle_migrations') IS NOT NULL AS present`,
  );
  if (!exists[0]?.present) return [];
  const applied = await rows<{ created_at: string | number }>(
    database,
    sql`SELECT created_at FROM drizzle.__drizzle_migrations ORDER BY created_at`,
  );
  return applied.map((row) => Number(row.created_at));
}

/** "3 members, 4 messages, 1 story, 2 journal entries": what a backup holds, in the operator's words. */
export async function describeContents(database: DatabaseHandle): Promise<string> {
  const [counts] = await rows<Record<string, number>>(
    database,
    sql`SELECT (SELECT count(*)::int FROM users) AS members, (SELECT count(*)::int FROM messages) AS messages,
               (SELECT count(*)::int FROM stories) AS stories,
               (SELECT count(*)::int FROM journal_entries) AS entries`,
  );
  const { members = 0, messages = 0, stories = 0, entries = 0 } = counts ?? {};
  return [
    plural(members, 'member', 'members'),
    plural(messages, 'message', 'messages'),
    plural(stories, 'story', 'stories'),
    plural(entries, 'journal entry', 'journal entries'),
  ].join(', ');
}

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

export function sizeOf(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : `${Math.ceil(bytes / 1024)} KiB`;
}

async function rows<T>(database: DatabaseHandle, query: ReturnType<typeof sql>): Promise<T[]> {
  const result = (await database.db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

/** What to do with a backup once made: said after every backup, and in the README. */
export const KEEP_IT_SAFE =
  'Copy it off this machine, encrypted (it holds everything members wrote, journals included), and try a ' +
  'restore now and then: README.md, "Backups".';
