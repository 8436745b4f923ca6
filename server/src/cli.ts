// The operator's command line: `npm run kindred -- <command>`. It opens the same database the server
// would (DATABASE_URL, or PGlite in DATA_DIR), applies the migrations first, so it works on a fresh data
// folder or database too, and refuses an embedded data folder that a running server holds.
import { hostname, userInfo } from 'node:os';
import { createInterface } from 'node:readline/promises';
import { Writable } from 'node:stream';
import { createDb, DataDirInUseError, migrate } from '@kindred/db';
import { createAdminService, type AdminService, type AdminSetResult } from './admin/service.ts';
import { BackupError } from './backup/common.ts';
import { BACKUP_USAGE, backup, parseBackupArgs, restore } from './backup/command.ts';
import { createRecoveryService } from './auth/recovery.ts';
import { LimitCounters } from './limits/counters.ts';
import { limitTable } from './limits/table.ts';
import { syncStaffRoom } from './rooms/staff-room.ts';
import { adminPasswordFromEnv, ConfigError, loadConfig } from './config.ts';
import { ApiError } from './errors.ts';
import { describeStartupError } from './startup-errors.ts';

const USAGE = `Usage:
  npm run kindred -- admin create <username>   a new account that is a platform admin (password from
                                               KINDRED_ADMIN_PASSWORD, or asked for)
  npm run kindred -- admin grant <username>    make an existing member a platform admin
  npm run kindred -- admin revoke <username>   take admin rights away
  npm run kindred -- admin list                who is an admin, and every change made here
  npm run kindred -- reset-link <username>     a one-time link (24 hours) for a member to choose a new
                                               password, for one who lost their password and recovery codes
${BACKUP_USAGE}`;

/** A sentence for the operator, and the exit code that goes with it. */
class CliError extends Error {
  constructor(
    message: string,
    readonly code = 1,
  ) {
    super(message);
  }
}

async function run(args: string[]): Promise<number> {
  if (args[0] === 'reset-link') return resetLink(args.slice(1));
  if (args[0] === 'backup' || args[0] === 'restore') return backupOrRestore(args[0], args.slice(1));
  const [area, action, username, ...rest] = args;
  const needsName = action === 'create' || action === 'grant' || action === 'revoke';
  if (area !== 'admin' || !(needsName || action === 'list') || (needsName && !username) || rest.length > 0) {
    throw new CliError(USAGE, 2);
  }
  const config = loadConfig();
  for (const warning of config.startupWarnings) console.error(warning);
  // Asked before the database opens, so a prompt never holds the embedded database.
  const password = action === 'create' ? await newAdminPassword() : undefined;
  const database = await openDatabase(config);
  try {
    await migrate(database);
    const admin = createAdminService({ db: database.db, now: () => new Date() });
    const operator = whoRuns();
    switch (action) {
      case 'create': {
        const user = await admin.create({ username: username!, password: password! }, operator);
        await syncStaffRoom(database.db, new Date());
        console.log(`${user.username} is a new account and an admin. They can sign in now.`);
        return 0;
      }
      case 'grant':
      case 'revoke': {
        const result = await admin[action](username!, operator);
        // The moderators' room follows at once (a running server's open sockets: at its hourly sweep).
        await syncStaffRoom(database.db, new Date());
        return report(username!, action, result);
      }
      default:
        await list(admin);
        return 0;
    }
  } finally {
    await database.close();
  }
}

/** `reset-link <username>`: the link is printed once; the moderation log records that it was issued, and by whom. */
async function resetLink(args: string[]): Promise<number> {
  const [username, ...rest] = args;
  if (!username || rest.length > 0) throw new CliError(USAGE, 2);
  const config = loadConfig();
  for (const warning of config.startupWarnings) console.error(warning);
  const database = await openDatabase(config);
  try {
    await migrate(database);
    const limits = new LimitCounters(database.db, () => {});
    const recovery = createRecoveryService({
      db: database.db,
      now: () => new Date(),
      limits,
      recoveryLimit: limitTable(config).recovery,
      publicOrigin: config.publicOrigin,
    });
    const issued = await recovery.issueByUsername(username, whoRuns());
    if (!issued) {
      console.error(`There is no member named "${username}". Nothing was changed.`);
      return 1;
    }
    console.log(
      `A one-time link for ${issued.username} to choose a new password (it is not kept, so copy it now):\n` +
        `  ${issued.url}\n` +
        `It works once, until ${issued.expiresAt}; using it ends all their sessions. An older link stops working.`,
    );
    return 0;
  } finally {
    await database.close();
  }
}

/** `backup <file>` and `restore [--force] <file>`: see backup/command.ts. */
async function backupOrRestore(command: 'backup' | 'restore', args: string[]): Promise<number> {
  const parsed = parseBackupArgs(command, args);
  if (!parsed) throw new CliError(USAGE, 2);
  const config = loadConfig();
  for (const warning of config.startupWarnings) console.error(warning);
  try {
    console.log(
      command === 'backup' ? await backup(config, parsed.file) : await restore(config, parsed.file, parsed.force),
    );
    return 0;
  } catch (error) {
    if (error instanceof BackupError) throw new CliError(error.message);
    if (error instanceof DataDirInUseError) throw inUse(error);
    throw error;
  }
}

async function openDatabase(config: ReturnType<typeof loadConfig>) {
  try {
    return await createDb(config.databaseUrl ? { databaseUrl: config.databaseUrl } : { dataDir: config.dataDir });
  } catch (error) {
    if (error instanceof DataDirInUseError) throw inUse(error);
    throw error;
  }
}

function inUse(error: DataDirInUseError): CliError {
  return new CliError(
    `Kindred is running on the data folder ${error.dir} (pid ${error.pid}), and the embedded database ` +
      'serves one process at a time. Stop Kindred (Ctrl+C, or SIGTERM), run this command again, then start ' +
      'Kindred again. With PostgreSQL (DATABASE_URL) this works while Kindred runs.',
  );
}

function report(username: string, action: 'grant' | 'revoke', result: AdminSetResult): number {
  if (result === 'no_such_member') {
    console.error(`There is no member named "${username}". Nothing was changed.`);
    return 1;
  }
  const now = action === 'grant' ? 'an admin' : 'not an admin';
  console.log(result === 'changed' ? `${username} is now ${now}.` : `${username} was already ${now}; nothing changed.`);
  return 0;
}

async function list(admin: AdminService): Promise<void> {
  const admins = await admin.admins();
  console.log(admins.length ? `Admins:\n${admins.map((name) => `  ${name}`).join('\n')}` : 'There are no admins yet.');
  const changes = await admin.changes();
  if (changes.length === 0) return;
  console.log('\nChanges, oldest first:');
  for (const change of changes) {
    console.log(`  ${change.at.toISOString()}  ${change.change.padEnd(7)}  ${change.username}  by ${change.operator}`);
  }
}

/** Who ran the command, for the record: the operating-system user and host. */
function whoRuns(): string {
  let user: string;
  try {
    user = userInfo().username;
  } catch {
    // A container user with no entry in /etc/passwd has no name.
    user = `uid ${process.getuid?.() ?? 'unknown'}`;
  }
  return `${user}@${hostname()}`;
}

async function newAdminPassword(): Promise<string> {
  const fromEnv = adminPasswordFromEnv();
  if (fromEnv) return fromEnv;
  if (!process.stdin.isTTY) {
    throw new CliError(
      'admin create needs a password for the new account: set KINDRED_ADMIN_PASSWORD, or run it in a ' +
        'terminal to be asked for one.',
    );
  }
  const first = await askHidden('Password for the new admin (8 to 128 characters; not shown): ');
  const again = await askHidden('The same password again: ');
  if (first !== again) throw new CliError('The two passwords were not the same. Nothing was changed.');
  return first;
}

/** Asks on the terminal without echoing what is typed: readline writes its echo to a stream that drops it. */
async function askHidden(question: string): Promise<string> {
  process.stdout.write(question);
  const silent = new Writable({ write: (_chunk, _encoding, done) => done() });
  const terminal = createInterface({ input: process.stdin, output: silent, terminal: true });
  try {
    return await terminal.question('');
  } finally {
    terminal.close();
    process.stdout.write('\n');
  }
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof CliError) {
      console.error(error.message);
      process.exit(error.code);
    }
    if (error instanceof ApiError) {
      console.error(`${error.message} Nothing was changed.`);
      process.exit(1);
    }
    console.error(error instanceof ConfigError ? error.message : describeStartupError(error));
    process.exit(1);
  },
);
