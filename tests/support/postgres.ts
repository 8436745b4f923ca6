// A private PostgreSQL 15 server for fault tests that must stop and start the database under a running
// Kindred (the machine's shared server must never be restarted). It lives in a temporary folder on a spare
// port, runs as the `postgres` user (PostgreSQL refuses root), and is stopped and removed by `remove()`,
// or at the latest when the test process exits. Every command is bounded in time.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { findFreePort } from './platform.ts';

const run = promisify(execFile);

export const postgresBin = '/usr/lib/postgresql/15/bin';
/** Whether this machine can start a private PostgreSQL 15 at all. */
export const privatePostgresAvailable = existsSync(join(postgresBin, 'initdb'));

const commandTimeoutMs = 60_000;

export interface PrivatePostgres {
  port: number;
  /** A connection URL for `database` as the trusted `postgres` user. */
  url(database?: string): string;
  /** Runs one statement in the `postgres` database (e.g. CREATE DATABASE). */
  adminQuery(statement: string): Promise<void>;
  /** `pg_ctl stop`; `immediate` is a crash as far as clients can tell: no goodbye, recovery on start. */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  start(): Promise<void>;
  /** The server's log, to explain a failure. */
  log(): Promise<string>;
  /** Stops the server (immediately) and deletes its folder. Safe to call twice. */
  remove(): Promise<void>;
}

const removers = new Set<() => void>();

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const asRoot = process.getuid?.() === 0;
  // As root, hand the commands to the postgres user; as anyone else, run them as ourselves.
  const command = (binary: string, args: string[]): [string, string[]] =>
    asRoot
      ? ['runuser', ['-u', 'postgres', '--', join(postgresBin, binary), ...args]]
      : [join(postgresBin, binary), args];
  const exec = async (binary: string, args: string[]) => {
    const [file, argv] = command(binary, args);
    try {
      await run(file, argv, { timeout: commandTimeoutMs });
    } catch (error) {
      const { stdout, stderr } = error as { stdout?: string; stderr?: string };
      throw new Error(`${binary} ${args.join(' ')} failed: ${stderr ?? ''}${stdout ?? ''}`, { cause: error });
    }
  };

  const dir = await mkdtemp(join(tmpdir(), 'kindred-pg-'));
  const dataDir = join(dir, 'data');
  const logFile = join(dir, 'postgres.log');
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    await chown(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  const port = await findFreePort();
  const serverOptions = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=100`;
  const pgCtl = (args: string[]) => exec('pg_ctl', ['-D', dataDir, '-w', '-t', '30', ...args]);

  let removed = false;
  const stopNow = () => {
    // For process exit: synchronous, best effort.
    const [file, argv] = command('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', '-t', '10', 'stop']);
    try {
      execFileSync(file, argv, { stdio: 'ignore', timeout: 15_000 });
    } catch {
      // not running
    }
  };
  removers.add(stopNow);

  const instance: PrivatePostgres = {
    port,
    url: (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`,
    adminQuery: async (statement) => {
      const client = new pg.Client({ connectionString: instance.url(), connectionTimeoutMillis: 5_000 });
      await client.connect();
      try {
        await client.query(statement);
      } finally {
        await client.end();
      }
    },
    stop: (mode = 'fast') => pgCtl(['-m', mode, 'stop']),
    start: () => pgCtl(['-o', serverOptions, '-l', logFile, 'start']),
    log: () => readFile(logFile, 'utf8').catch(() => ''),
    remove: async () => {
      if (removed) return;
      removed = true;
      removers.delete(stopNow);
      await pgCtl(['-m', 'immediate', 'stop']).catch(() => {});
      await rm(dir, { recursive: true, force: true, maxRetries: 3 });
    },
  };

  try {
    await exec('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
    await instance.start();
  } catch (error) {
    await instance.remove();
    throw error;
  }
  return instance;
}

// If a test run dies without its afterAll, do not leave a PostgreSQL server behind.
process.once('exit', () => {
  for (const stop of removers) stop();
});
