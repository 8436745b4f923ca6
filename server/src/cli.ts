// The operator's command line: `npm run kindred -- <command>`. It opens the same database the server
// would (DATABASE_URL, or PGlite in DATA_DIR: stop the server first, PGlite allows one process).
import { createDb, migrate } from '@kindred/db';
import { listAdmins, setAdmin } from './admin/service.ts';
import { ConfigError, loadConfig } from './config.ts';
import { describeStartupError } from './startup-errors.ts';

const USAGE = `Usage:
  npm run kindred -- admin grant <username>    make a member a platform admin
  npm run kindred -- admin revoke <username>   take admin rights away
  npm run kindred -- admin list                list admins granted here (ADMIN_USERNAMES adds more)`;

async function run(args: string[]): Promise<number> {
  const [area, action, username] = args;
  if (area !== 'admin' || !['grant', 'revoke', 'list'].includes(action ?? '') || (action !== 'list' && !username)) {
    console.error(USAGE);
    return 2;
  }
  const config = loadConfig();
  const database = await createDb(
    config.databaseUrl ? { databaseUrl: config.databaseUrl } : { dataDir: config.dataDir },
  );
  try {
    await migrate(database);
    if (action === 'list') {
      const admins = await listAdmins(database.db);
      console.log(admins.length ? admins.join('\n') : 'No admins granted here yet.');
      return 0;
    }
    const found = await setAdmin(database.db, username!, action === 'grant');
    if (!found) {
      console.error(`There is no member named "${username}".`);
      return 1;
    }
    console.log(action === 'grant' ? `${username} is now an admin.` : `${username} is no longer an admin.`);
    return 0;
  } finally {
    await database.close();
  }
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof ConfigError ? error.message : describeStartupError(error));
    process.exit(1);
  },
);
