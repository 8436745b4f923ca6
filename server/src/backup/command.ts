// `npm run kindred -- backup FILE` and `… restore [--force] FILE`, on whichever database Kindred uses:
// PostgreSQL when DATABASE_URL is set, else the embedded database in DATA_DIR.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.ts';
import { BackupError, kindOf, NOTHING_CHANGED, notABackup } from './common.ts';
import { backupEmbedded, restoreEmbedded } from './embedded.ts';
import { backupPostgres, restorePostgres } from './postgres.ts';

export const BACKUP_USAGE = `  npm run kindred -- backup <file>             a backup of the whole database into a new file (PostgreSQL:
                                               safe while Kindred runs; embedded: stop Kindred first)
  npm run kindred -- restore [--force] <file>  restore a backup into an empty database; --force replaces the
                                               Kindred database there (stop Kindred first)`;

/** Parses the arguments after `backup` or `restore`; undefined when they are not ones it takes. */
export function parseBackupArgs(command: 'backup' | 'restore', args: string[]) {
  const force = command === 'restore' && args[0] === '--force';
  const rest = force ? args.slice(1) : args;
  if (rest.length !== 1 || rest[0]!.startsWith('-')) return undefined;
  return { file: path.resolve(rest[0]!), force };
}

export async function backup(config: Config, file: string): Promise<string> {
  if (existsSync(file)) {
    throw new BackupError(`${file} already exists: choose a new name, so an older backup is never written over.`);
  }
  if (!existsSync(path.dirname(file))) throw new BackupError(`There is no folder ${path.dirname(file)} to write into.`);
  return config.databaseUrl ? backupPostgres(config.databaseUrl, file) : backupEmbedded(config.dataDir, file);
}

export async function restore(config: Config, file: string, force: boolean): Promise<string> {
  const kind = await kindOf(file);
  if (kind === 'unknown') throw notABackup(file);
  if (config.databaseUrl) {
    if (kind === 'embedded') {
      throw new BackupError(
        `${file} is a backup of the embedded database. Restore it without DATABASE_URL (into DATA_DIR); moving ` +
          `from the embedded database to PostgreSQL is not something restore does. ${NOTHING_CHANGED}`,
      );
    }
    return restorePostgres(config.databaseUrl, file, force);
  }
  if (kind === 'postgres') {
    throw new BackupError(
      `${file} is a backup of a PostgreSQL database (pg_dump's custom format). Restore it with DATABASE_URL set ` +
        `to the PostgreSQL database to restore into. ${NOTHING_CHANGED}`,
    );
  }
  return restoreEmbedded(config.dataDir, file, force);
}
