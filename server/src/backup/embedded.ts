// Backups of the embedded database: PGlite's own dump of its data folder (`dumpDataDir`, a gzipped
// tarball), restored with `loadDataDir`. PGlite serves one process, so both commands take the data folder's
// lock: while Kindred runs they refuse and say to stop it (the CLI's sentence for DataDirInUseError).
import { createReadStream, existsSync, mkdirSync } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { createDb, lockDataDir, migrate, openPgliteFrom, pgliteDir } from '@kindred/db';
import {
  appliedMigrations,
  BackupError,
  checkMigrations,
  describeContents,
  KEEP_IT_SAFE,
  NOTHING_CHANGED,
  notABackup,
  sizeOf,
} from './common.ts';

/** Reads the whole file through gunzip, keeping none of it: a file cut short or damaged fails here. */
async function readsToTheEnd(file: string): Promise<void> {
  await pipeline(createReadStream(file), createGunzip(), new Writable({ write: (_chunk, _encoding, done) => done() }));
}

const hasDatabase = (dataDir: string) => existsSync(path.join(pgliteDir(dataDir), 'PG_VERSION'));

export async function backupEmbedded(dataDir: string, file: string): Promise<string> {
  if (!hasDatabase(dataDir)) {
    throw new BackupError(`There is no Kindred database in the data folder ${path.resolve(dataDir)} to back up.`);
  }
  const database = await createDb({ dataDir });
  try {
    if ((await appliedMigrations(database)).length === 0) {
      throw new BackupError(`The data folder ${path.resolve(dataDir)} holds no Kindred database to back up.`);
    }
    const contents = await describeContents(database);
    const tarball = Buffer.from(await (await database.pglite!.dumpDataDir('gzip')).arrayBuffer());
    // Written whole under another name first, so FILE is never half a backup.
    const partial = `${file}.partial`;
    await writeFile(partial, tarball, { mode: 0o600 });
    await rename(partial, file);
    return `Backed up the embedded database (${contents}) to ${file} (${sizeOf(tarball.length)}).\n${KEEP_IT_SAFE}`;
  } finally {
    await database.close();
  }
}

/**
 * Loads the backup into a folder beside the database, checks it there (a Kindred database this version
 * knows, brought up to date by the migrations), and only then puts it in place; what it replaces is kept
 * beside it, renamed. A file that fails any step leaves the data folder as it was.
 */
export async function restoreEmbedded(dataDir: string, file: string, force: boolean): Promise<string> {
  const dir = path.resolve(dataDir);
  mkdirSync(dir, { recursive: true });
  const release = lockDataDir(dir);
  const loading = `${pgliteDir(dir)}.restoring`;
  try {
    const existing = hasDatabase(dir);
    if (existing && !force) {
      throw new BackupError(
        `The data folder ${dir} already holds a Kindred database. To replace it with the backup, run the same ` +
          `command with --force (what it replaces is kept beside it, renamed). ${NOTHING_CHANGED}`,
      );
    }
    await rm(loading, { recursive: true, force: true });
    let database;
    try {
      // Read to the end first: PGlite's own reading of a tarball cut short fails where nothing can catch it.
      await readsToTheEnd(file);
      database = await openPgliteFrom(loading, new Blob([await readFile(file)]));
    } catch {
      await rm(loading, { recursive: true, force: true });
      throw new BackupError(`${file} could not be read to the end: it is damaged or cut short. ${NOTHING_CHANGED}`);
    }
    let contents: string;
    try {
      checkMigrations(file, await appliedMigrations(database));
      await migrate(database);
      contents = await describeContents(database);
    } finally {
      await database.close();
    }
    let kept = '';
    if (existing) {
      const aside = `${pgliteDir(dir)}.replaced-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      await rename(pgliteDir(dir), aside);
      kept = `\nThe data it replaced is kept in ${aside}: delete that folder once you are sure you need it no more.`;
    }
    await rename(loading, pgliteDir(dir));
    return `Restored ${file} into the data folder ${dir}: ${contents}.${kept}`;
  } catch (error) {
    await rm(loading, { recursive: true, force: true });
    if (error instanceof BackupError) throw error;
    throw notABackupOr(file, error);
  } finally {
    release();
  }
}

function notABackupOr(file: string, error: unknown): Error {
  // A tarball that PGlite opened but that holds no Kindred tables.
  const message = (error as Error).message ?? '';
  return /relation .* does not exist/.test(message) ? notABackup(file) : (error as Error);
}
