// Opens the database: node-postgres when a URL is given, else an embedded PGlite in a data folder.
// Everything above this module sees one drizzle type and never asks which engine it runs on.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import pg from 'pg';
import { sqlState } from './errors.ts';
import * as schema from './schema.ts';

/**
 * PostgreSQL settings for the embedded database, sized for a small server (a 1 GiB virtual machine). PGlite
 * keeps the settings initdb chose for a big one: shared_buffers 128MB (and wal_buffers 4MB from it) and
 * room for 100 connections, all inside its WebAssembly heap, which never gives memory back. One process
 * is the only client here, and the data folder's files sit in the operating system's page cache as well,
 * so 32MB of buffers holds the hot part of the chat tables (recent messages, members, rooms).
 * Given on every start, so they hold for a data folder made before them too (they win over its
 * postgresql.conf).
 */
export const PGLITE_SETTINGS: Readonly<Record<string, string>> = { shared_buffers: '32MB', max_connections: '10' };
const pgliteStartParams = [
  ...PGlite.defaultStartParams,
  ...Object.entries(PGLITE_SETTINGS).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
];

const execFileAsync = promisify(execFile);

export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface DatabaseHandle {
  db: Database;
  kind: 'postgres' | 'pglite';
  /** The PGlite instance, for in-process LISTEN/NOTIFY; undefined on PostgreSQL. */
  pglite?: PGlite;
  /** The pool, for LISTEN/NOTIFY clients of its own; undefined on PGlite. */
  pool?: pg.Pool;
  /**
   * For chat's hot statements (the writer's, and reading what another instance committed), which are
   * prepared once and kept. On PostgreSQL these are three connections of their own on which the planner never picks a sequential scan where an index serves: a
   * plan cached while `messages` was nearly empty (a new platform, a new database) would otherwise keep
   * scanning the whole table on every batch as it grows, until the next automatic ANALYZE replans it.
   * They always use the generic plan, planned once.
   * On PGlite, the one connection there is.
   */
  writerDb: Database;
  close(): Promise<void>;
}

export type DatabaseOptions = { databaseUrl: string; poolSize?: number } | { dataDir: string } | { pglite: PGlite };

export async function createDb(options: DatabaseOptions): Promise<DatabaseHandle> {
  if ('databaseUrl' in options) return openPostgres(options.databaseUrl, options.poolSize ?? 10);
  if ('pglite' in options) return wrapPglite(options.pglite, async () => {});
  return openPgliteDir(options.dataDir);
}

async function openPostgres(databaseUrl: string, poolSize: number): Promise<DatabaseHandle> {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: poolSize,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  });
  // A connection that loses its server emits 'error': on the pool while idle, and on the client itself
  // while checked out (pg-pool removes its own listener then). Unhandled, either would end the process;
  // the query in flight still fails, and pg-pool throws the broken connection away.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  // Fail now, with the driver's reason, rather than on the first request.
  const client = await pool.connect().catch(async (error: unknown) => {
    await pool.end().catch(() => {});
    throw error;
  });
  client.release();
  const db = drizzlePg({ client: pool, schema, casing: 'snake_case' });
  const writerPool = new pg.Pool({
    connectionString: databaseUrl,
    max: 3,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    // The writer's statements are written for one generic plan (per-key probes over array parameters);
    // left to choose, PostgreSQL replanned the facts read on every batch (as long as it ran).
    options: '-c enable_seqscan=off -c plan_cache_mode=force_generic_plan',
  });
  writerPool.on('error', () => {});
  writerPool.on('connect', (client) => client.on('error', () => {}));
  const writerDb = drizzlePg({ client: writerPool, schema, casing: 'snake_case' });
  db.transaction = (async (run, config) => {
    // drizzle 0.45 sends BEGIN before its own try, so a BEGIN that fails on a dead connection never gives
    // the connection back: a few database restarts would drain the pool for good. Here every path returns
    // the connection, and one that failed without an SQL error (a broken socket) is thrown away.
    const connection = await pool.connect();
    let broken: Error | undefined;
    try {
      return await drizzlePg({ client: connection, schema, casing: 'snake_case' }).transaction(run, config);
    } catch (error) {
      if (!sqlState(error)) broken = error as Error;
      throw error;
    } finally {
      connection.release(broken);
    }
  }) as typeof db.transaction;
  return {
    db,
    writerDb,
    kind: 'postgres',
    pool,
    close: async () => {
      await Promise.all([pool.end(), writerPool.end()]);
    },
  };
}

async function openPgliteDir(dataDir: string): Promise<DatabaseHandle> {
  const dir = path.resolve(dataDir);
  mkdirSync(dir, { recursive: true });
  const releaseLock = lockDataDir(dir);
  try {
    const at = pgliteDir(dir);
    await initialiseInChild(at);
    const pglite = await PGlite.create(at, { startParams: pgliteStartParams });
    return wrapPglite(pglite, async () => releaseLock());
  } catch (error) {
    releaseLock();
    throw error;
  }
}

/**
 * Opens the embedded database in the folder `at` (made from the tarball `load`, a `dumpDataDir` of
 * another), without the data folder's lock: for a restore, which holds that lock itself.
 */
export async function openPgliteFrom(at: string, load: Blob): Promise<DatabaseHandle> {
  const pglite = await PGlite.create(at, { loadDataDir: load, startParams: pgliteStartParams });
  return wrapPglite(pglite, async () => {});
}

/**
 * A new data folder is made (initdb) in a short-lived process of its own. PGlite runs initdb in a second
 * PGlite instance with a copy of its heap, and this process kept ~500 MiB of it for good after (measured:
 * ~860 MiB resident after a first start against ~360 MiB after a restart; tests/bench/README.md).
 * The folder is made under another name and renamed when complete, so an initdb stopped half-way is
 * never taken for a database.
 */
async function initialiseInChild(folder: string): Promise<void> {
  if (existsSync(path.join(folder, 'PG_VERSION'))) return;
  const making = `${folder}.initdb`;
  rmSync(making, { recursive: true, force: true });
  const pgliteModule = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  // initdb writes the small-server settings into postgresql.conf too, and runs with them: its peak was 744
  // MiB resident with them against 843 without (one run each, /usr/bin/time, load average 12).
  const settings = Object.entries(PGLITE_SETTINGS);
  const options = {
    initDbStartParams: settings.flatMap(([name, value]) => ['--set', `${name}=${value}`]),
    startParams: pgliteStartParams,
  };
  const script =
    'const { PGlite } = require(process.argv[1]);' +
    'PGlite.create(process.argv[2], JSON.parse(process.argv[3])).then((pg) => pg.close())' +
    '.catch((e) => { console.error(e); process.exit(1); });';
  await execFileAsync(process.execPath, ['-e', script, pgliteModule, making, JSON.stringify(options)], {
    maxBuffer: 1 << 20,
  }).catch((error: { stderr?: string; message: string }) => {
    throw new Error(`Making the embedded database in ${folder} failed: ${error.stderr || error.message}`);
  });
  rmSync(folder, { recursive: true, force: true });
  renameSync(making, folder);
}

function wrapPglite(pglite: PGlite, afterClose: () => Promise<void>): DatabaseHandle {
  const db = drizzlePglite({ client: pglite, schema, casing: 'snake_case' }) as unknown as Database;
  return {
    db,
    writerDb: db,
    kind: 'pglite',
    pglite,
    close: async () => {
      await pglite.close();
      await afterClose();
    },
  };
}

/** Where in a data folder the embedded database keeps its files. */
export function pgliteDir(dataDir: string): string {
  return path.join(path.resolve(dataDir), 'pglite');
}

/**
 * PGlite is a single-process database: two processes writing one data folder would corrupt it.
 * A pid file refuses the second one, and a file left by a process that no longer runs is taken over.
 * Exported for work on the folder itself (a restore); returns the release.
 */
export function lockDataDir(dir: string): () => void {
  const lockFile = path.join(dir, 'kindred.pid');
  try {
    writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
  } catch {
    const holder = Number(readFileSync(lockFile, 'utf8'));
    if (Number.isInteger(holder) && holder !== process.pid && isRunning(holder)) {
      throw new DataDirInUseError(dir, holder);
    }
    writeFileSync(lockFile, String(process.pid));
  }
  return () => rmSync(lockFile, { force: true });
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class DataDirInUseError extends Error {
  constructor(
    readonly dir: string,
    readonly pid: number,
  ) {
    super(`The data folder ${dir} is already in use by another Kindred process (pid ${pid}).`);
  }
}
