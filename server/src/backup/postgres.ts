// Backups of PostgreSQL with PostgreSQL's own tools: pg_dump's custom format (a consistent snapshot, so
// safe while Kindred runs), restored by pg_restore's script run through psql in one transaction, so a
// restore that fails part-way leaves the database as it was.
import { spawn } from 'node:child_process';
import { rename, rm, stat } from 'node:fs/promises';
import { createDb, migrate, type DatabaseHandle } from '@kindred/db';
import { sql } from 'drizzle-orm';
import {
  appliedMigrations,
  BackupError,
  checkMigrations,
  describeContents,
  KEEP_IT_SAFE,
  NOTHING_CHANGED,
  sizeOf,
} from './common.ts';

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Where the password goes: in the environment of the tools (PGPASSWORD), never on a command line. */
function connection(databaseUrl: string): { url: string; env: NodeJS.ProcessEnv } {
  const url = new URL(databaseUrl);
  const password = decodeURIComponent(url.password);
  url.password = '';
  return { url: url.toString(), env: { ...process.env, ...(password ? { PGPASSWORD: password } : {}) } };
}

function run(tool: string, args: string[], env: NodeJS.ProcessEnv, input?: (stdin: NodeJS.WritableStream) => void) {
  return new Promise<Ran>((resolve, reject) => {
    const child = spawn(tool, args, { env, stdio: [input ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
    if (input) input(child.stdin!);
  });
}

/** The major version of a client tool, or a sentence saying what to install when it is not there. */
async function toolVersion(tool: string, serverMajor: number | undefined): Promise<number> {
  const install =
    `Backups of PostgreSQL use PostgreSQL's own pg_dump, pg_restore and psql, of the server's version or newer` +
    (serverMajor ? ` (${serverMajor})` : '') +
    `: on Debian or Ubuntu \`apt-get install postgresql-client${serverMajor ? `-${serverMajor}` : ''}\` ` +
    "(PostgreSQL's own apt repository has every version), on macOS `brew install libpq`. Then run this again.";
  let ran: Ran;
  try {
    ran = await run(tool, ['--version'], process.env);
  } catch {
    throw new BackupError(`${tool} was not found. ${install} ${NOTHING_CHANGED}`);
  }
  const major = Number(/(\d+)(?:\.\d+)?/.exec(ran.stdout)?.[1]);
  if (!major) throw new BackupError(`${tool} did not say its version. ${install} ${NOTHING_CHANGED}`);
  if (serverMajor && major < serverMajor) {
    throw new BackupError(
      `${tool} is version ${major}, older than the server (${serverMajor}). ${install} ${NOTHING_CHANGED}`,
    );
  }
  return major;
}

async function serverMajor(database: DatabaseHandle): Promise<number> {
  const result = (await database.db.execute(
    sql`SELECT current_setting('server_version_num')::int AS v`,
  )) as unknown as {
    rows: { v: number }[];
  };
  return Math.floor(result.rows[0]!.v / 10_000);
}

export async function backupPostgres(databaseUrl: string, file: string): Promise<string> {
  const database = await createDb({ databaseUrl, poolSize: 1 });
  let contents: string;
  let major: number;
  try {
    if ((await appliedMigrations(database)).length === 0) {
      throw new BackupError('The database at DATABASE_URL holds no Kindred database to back up.');
    }
    contents = await describeContents(database);
    major = await serverMajor(database);
  } finally {
    await database.close();
  }
  await toolVersion('pg_dump', major);
  const { url, env } = connection(databaseUrl);
  const partial = `${file}.partial`;
  const dumped = await run(
    'pg_dump',
    ['--format=custom', '--no-owner', '--no-privileges', `--file=${partial}`, `--dbname=${url}`],
    env,
  );
  if (dumped.code !== 0) {
    await rm(partial, { force: true });
    throw new BackupError(`pg_dump could not back up the database: ${dumped.stderr.trim()} ${NOTHING_CHANGED}`);
  }
  await rename(partial, file);
  return `Backed up PostgreSQL (${contents}) to ${file} (${sizeOf((await stat(file)).size)}).\n${KEEP_IT_SAFE}`;
}

/** The `created_at` of every migration in the archive's copy of drizzle's table, read without a database. */
async function archiveMigrations(file: string): Promise<number[]> {
  const listed = await run('pg_restore', ['--list', file], process.env);
  if (listed.code !== 0) {
    throw new BackupError(
      `${file} could not be read: it is damaged, or was made by a newer pg_dump than this pg_restore ` +
        `(${listed.stderr.trim()}). ${NOTHING_CHANGED}`,
    );
  }
  const data = await run(
    'pg_restore',
    ['--data-only', '--schema=drizzle', '--table=__drizzle_migrations', '--file=-', file],
    process.env,
  );
  if (data.code !== 0) {
    throw new BackupError(`${file} could not be read to the end: it is damaged or cut short. ${NOTHING_CHANGED}`);
  }
  const copy = /^COPY drizzle\.__drizzle_migrations \(id, hash, created_at\) FROM stdin;\n([\s\S]*?)^\\\.$/m.exec(
    data.stdout,
  );
  if (!copy) return [];
  return copy[1]!
    .split('\n')
    .filter(Boolean)
    .map((line) => Number(line.split('\t')[2]));
}

export async function restorePostgres(databaseUrl: string, file: string, force: boolean): Promise<string> {
  await toolVersion('pg_restore', undefined);
  checkMigrations(file, await archiveMigrations(file));

  const database = await createDb({ databaseUrl, poolSize: 1 });
  let holdsKindred: boolean;
  try {
    const major = await serverMajor(database);
    await toolVersion('psql', undefined);
    await toolVersion('pg_restore', major);
    const others = (await database.db.execute(
      sql`SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'`,
    )) as unknown as { rows: { n: number }[] };
    const connected = others.rows[0]!.n;
    if (connected > 0) {
      throw new BackupError(
        `${connected === 1 ? 'Another connection is' : `${connected} other connections are`} connected to this ` +
          'database. Stop every Kindred instance that uses it (and anything else connected), then restore. ' +
          NOTHING_CHANGED,
      );
    }
    const tables = (await database.db.execute(
      sql`SELECT count(*)::int AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname IN ('public', 'drizzle') AND c.relkind IN ('r', 'p')`,
    )) as unknown as { rows: { n: number }[] };
    holdsKindred = tables.rows[0]!.n > 0;
  } finally {
    await database.close();
  }
  if (holdsKindred && !force) {
    throw new BackupError(
      'The database at DATABASE_URL already holds a Kindred database. To replace it with the backup, run the same ' +
        `command with --force (everything in it is replaced; back it up first if you may want it). ${NOTHING_CHANGED}`,
    );
  }

  await replaceFrom(databaseUrl, file, holdsKindred);

  const restored = await createDb({ databaseUrl, poolSize: 1 });
  try {
    await migrate(restored);
    return `Restored ${file} into the PostgreSQL database at DATABASE_URL: ${await describeContents(restored)}.`;
  } finally {
    await restored.close();
  }
}

/**
 * pg_restore writes the archive as an SQL script, which psql runs inside one transaction we open and
 * commit ourselves: COMMIT is sent only once pg_restore has read the whole file, so a file cut short, or
 * any statement that fails, leaves the database as it was.
 */
async function replaceFrom(databaseUrl: string, file: string, clearFirst: boolean): Promise<void> {
  const { url, env } = connection(databaseUrl);
  const script = spawn('pg_restore', ['--no-owner', '--no-privileges', '--file=-', file], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  script.once('error', () => {});
  let scriptError = '';
  script.stderr.on('data', (chunk: Buffer) => (scriptError += chunk.toString()));
  const scriptDone = new Promise<number | null>((resolve) => script.once('close', resolve));
  const applied = run('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', `--dbname=${url}`], env, (stdin) => {
    stdin.write('BEGIN;\n');
    if (clearFirst) {
      stdin.write(
        'DROP SCHEMA IF EXISTS drizzle CASCADE;\nDROP SCHEMA IF EXISTS public CASCADE;\nCREATE SCHEMA public;\n',
      );
    }
    script.stdout.pipe(stdin, { end: false });
    void scriptDone.then((code) => {
      stdin.end(code === 0 ? 'COMMIT;\n' : 'ROLLBACK;\n');
    });
    stdin.on('error', () => {}); // psql stopped at an error: its exit code says so
  });
  const [code, psql] = await Promise.all([scriptDone, applied]);
  const cutShort = new BackupError(
    `${file} could not be read to the end: it is damaged or cut short (${scriptError.trim()}). ${NOTHING_CHANGED}`,
  );
  // pg_restore fails on its own (a damaged file), or because psql stopped reading (a failed statement).
  if (code !== 0 && !/broken pipe|could not write/i.test(scriptError)) throw cutShort;
  if (psql.code !== 0) {
    throw new BackupError(`The restore failed and was undone: ${psql.stderr.trim()} ${NOTHING_CHANGED}`);
  }
  if (code !== 0) throw cutShort;
}
