// Backups, as the operator makes and restores them: the CLI (`npm run kindred -- backup FILE` and
// `… restore FILE`) run as a child process against a real data folder or PostgreSQL database. Data is made
// through the API and the real socket, backed up, the database wiped (a fresh one), restored, and then
// everything must be back: every row of every table, sign-in, sessions, and chat going on from the next seq.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDb, migrate, schema, type DatabaseHandle } from '@kindred/db';
import { createPostgresDatabase } from '@kindred/db/testing';
import { getTableName, is, sql } from 'drizzle-orm';
import { PgTable } from 'drizzle-orm/pg-core';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAdminService } from '../src/admin/service.ts';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { runCli, STACK_FRAME } from './cli-process.ts';
import { call, ORIGIN, registerMember, type Member } from './helpers.ts';
import { connect, listen, type Frame, type TestSocket } from './sockets.ts';

// Each CLI run starts Node and the database afresh (PGlite: seconds to load a data folder).
vi.setConfig({ testTimeout: 300_000, hookTimeout: 120_000 });

const onPostgres = process.env.KINDRED_TEST_DB === 'postgres';
const where = onPostgres ? 'PostgreSQL' : 'the embedded database';

/** Runs the compiled CLI (cli-process.ts) with only the environment given (and PATH, unless given); 120 s. */
const cli = (args: string[], env: Record<string, string>) => runCli(args, env, 120_000);

/** A place Kindred keeps its data: a fresh data folder, or a fresh PostgreSQL database. */
interface Target {
  env: Record<string, string>;
  open(): Promise<DatabaseHandle>;
  drop(): Promise<void>;
}

const cleanUps: (() => Promise<unknown>)[] = [];
let scratch: string;

async function freshTarget(): Promise<Target> {
  if (onPostgres) {
    const { url, drop } = await createPostgresDatabase(process.env.TEST_DATABASE_URL!);
    cleanUps.push(drop);
    return { env: { DATABASE_URL: url }, open: () => createDb({ databaseUrl: url, poolSize: 4 }), drop };
  }
  // A data folder not made yet, as a new DATA_DIR is.
  const parent = await mkdtemp(join(tmpdir(), 'kindred-backup-'));
  const dir = join(parent, 'data');
  const drop = () => rm(parent, { recursive: true, force: true, maxRetries: 3 });
  cleanUps.push(drop);
  return { env: { DATA_DIR: dir }, open: () => createDb({ dataDir: dir }), drop };
}

/** Every row of every Kindred table, each table's rows in a stable order: what a restore must bring back. */
async function everyRow(database: DatabaseHandle): Promise<Record<string, string[]>> {
  const tables = (Object.values(schema) as unknown[]).filter((value): value is PgTable => is(value, PgTable));
  const all: Record<string, string[]> = {};
  for (const table of tables) {
    const result = (await database.db.execute(sql`SELECT * FROM ${table}`)) as unknown as {
      rows: Record<string, unknown>[];
    };
    all[getTableName(table)] = result.rows
      .map((row) => JSON.stringify(row, (_key, value: unknown) => (typeof value === 'bigint' ? `${value}n` : value)))
      .sort();
  }
  return all;
}

async function startApp(database: DatabaseHandle, heartbeatSeconds?: number): Promise<FastifyInstance> {
  const config = { ...loadConfig({}), logLevel: 'silent' as const, publicOrigin: ORIGIN };
  if (heartbeatSeconds) config.presenceHeartbeatSeconds = heartbeatSeconds;
  const app = await buildApp(config, { database });
  await app.ready();
  return app;
}

async function sendAndAck(socket: TestSocket, room: string, body: string): Promise<Frame> {
  const clientId = `c${randomBytes(6).toString('hex')}`;
  const from = socket.frames.length;
  socket.send({ type: 'send', room, clientId, body });
  const answer = await socket.next(
    (f) => (f.type === 'ack' || f.type === 'error') && (f.clientId ?? f.ref) === clientId,
    10_000,
    from,
  );
  if (answer.type !== 'ack') throw new Error(`message refused: ${JSON.stringify(answer)}`);
  return answer;
}

const ok = (status: number) => expect(status).toBeLessThan(300);

let source: Target;
let backupFile: string;
let members: { admin: Member; mother: Member; partner: Member };
let before: Record<string, string[]>;
let lastSeq: number;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'kindred-backup-files-'));
  cleanUps.push(() => rm(scratch, { recursive: true, force: true }));
  backupFile = join(scratch, 'kindred.backup');
  source = await freshTarget();

  // A running Kindred, with members, chat, a story and a reply, a journal, dates and moderation.
  const database = await source.open();
  await migrate(database);
  // Its presence heartbeat (every 15 s by default) would renew its row between reading `before` and the
  // backup on PostgreSQL, taken while it runs: on a busy machine it did, and every row check then failed.
  // Every 300 s (the most allowed) it renews once at start only, within this set-up.
  const app = await startApp(database, 300);
  const sockets: TestSocket[] = [];
  try {
    const admin = await registerMember(app, { username: 'harbour_keeper' });
    const mother = await registerMember(app, { username: 'willow_mother' });
    const partner = await registerMember(app, { username: 'quiet_partner' });
    members = { admin, mother, partner };
    await createAdminService({ db: database.db, now: () => new Date() }).grant('harbour_keeper', 'test@kindred');
    for (const member of [mother, partner]) {
      ok(
        (await call(app, 'POST', '/api/rooms/mothers/join', { cookie: member.cookie, body: { acceptRules: true } }))
          .statusCode,
      );
    }
    // Appointing a moderator writes the moderation log (an audit row).
    ok(
      (await call(app, 'PUT', `/api/rooms/mothers/moderators/${partner.user.id}`, { cookie: admin.cookie })).statusCode,
    );

    const base = await listen(app);
    const motherSocket = await connect(base, mother);
    const partnerSocket = await connect(base, partner);
    sockets.push(motherSocket, partnerSocket);
    for (const socket of [motherSocket, partnerSocket])
      expect((await socket.subscribe('mothers')).type).toBe('subscribed');
    for (let i = 1; i <= 4; i += 1) {
      await sendAndAck(i % 2 ? motherSocket : partnerSocket, 'mothers', `Thinking of you tonight, ${i}.`);
    }

    const story = await call(app, 'POST', '/api/stories', {
      cookie: mother.cookie,
      body: {
        title: 'Our little one',
        body: 'We waited *twelve* weeks.',
        tags: ['mothers_story'],
        contentWarnings: [],
        anonymous: false,
      },
    });
    expect(story.statusCode).toBe(201);
    const storyId = story.json().story.id as string;
    const approved = await call(app, 'POST', '/api/moderation/actions', {
      cookie: admin.cookie,
      body: { action: 'approve_story', target: { type: 'story', id: storyId }, reason: 'Welcome.' },
    });
    expect(approved.statusCode).toBe(201);
    ok(
      (
        await call(app, 'POST', `/api/stories/${storyId}/replies`, {
          cookie: partner.cookie,
          body: { body: 'Holding you both.' },
        })
      ).statusCode,
    );
    for (const words of ['The scan was so quiet.', 'Today I planted a tree.']) {
      ok((await call(app, 'POST', '/api/journal', { cookie: mother.cookie, body: { body: words } })).statusCode);
    }
    ok(
      (
        await call(app, 'POST', '/api/me/dates', {
          cookie: mother.cookie,
          body: { label: 'Due date', kind: 'due_date', month: 3, day: 14 },
        })
      ).statusCode,
    );

    const history = await call(app, 'GET', '/api/rooms/mothers/messages', { cookie: mother.cookie });
    lastSeq = history.json().lastSeq as number;
    if (onPostgres) {
      // On PostgreSQL the backup is taken while Kindred runs, members' sockets open: pg_dump reads one
      // snapshot. (What the running server still holds in memory, such as batched rate-limit counts, it
      // writes later: not in this backup, nor in `before`, read at the same quiet moment.)
      before = await everyRow(database);
      const run = await cli(['backup', backupFile], source.env);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
    }
  } finally {
    for (const socket of sockets) socket.close();
    await app.close();
    await database.close();
  }
  if (!onPostgres) {
    const closed = await source.open();
    try {
      before = await everyRow(closed);
    } finally {
      await closed.close();
    }
    const run = await cli(['backup', backupFile], source.env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  }
});

afterAll(async () => {
  for (const cleanUp of cleanUps.reverse()) await cleanUp().catch(() => {});
});

describe(`a backup of ${where}, restored into a fresh one`, () => {
  let restored: Target;

  it('holds what was made: members, messages, a story and its reply, journal, dates, the logs, sessions', () => {
    expect(before.users).toHaveLength(3);
    expect(before.sessions!.length).toBeGreaterThanOrEqual(3);
    expect(before.messages).toHaveLength(4);
    expect(lastSeq).toBeGreaterThanOrEqual(4);
    expect(before.stories).toHaveLength(1);
    expect(before.story_replies).toHaveLength(1);
    expect(before.journal_entries).toHaveLength(2);
    expect(before.hard_dates).toHaveLength(1);
    expect(before.moderation_actions!.length).toBeGreaterThanOrEqual(2);
    expect(before.admin_changes).toHaveLength(1);
  });

  it('is a file apart from the database, and the backup said where it is and what to do with it', async () => {
    expect((await stat(backupFile)).size).toBeGreaterThan(1000);
    const head = (await readFile(backupFile)).subarray(0, 5);
    // PostgreSQL: pg_dump's custom format; embedded: PGlite's data folder as a gzipped tarball.
    expect(onPostgres ? head.toString('latin1') : head.subarray(0, 2).toString('hex')).toBe(
      onPostgres ? 'PGDMP' : '1f8b',
    );
    expect(await readdir(scratch)).toEqual(['kindred.backup']);
  });

  it('restores every row of every table into a fresh database', async () => {
    restored = await freshTarget();
    const run = await cli(['restore', backupFile], restored.env);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^Restored .*kindred\.backup.*: 3 members, 4 messages/);
    expect(run.code).toBe(0);
    const database = await restored.open();
    try {
      expect(await everyRow(database)).toEqual(before);
    } finally {
      await database.close();
    }
  });

  it('lets members in again, with their passwords and their sessions, and chat goes on from the next seq', async () => {
    const database = await restored.open();
    const app = await startApp(database);
    try {
      const signIn = await call(app, 'POST', '/api/auth/login', {
        body: { username: members.mother.username, password: members.mother.password },
      });
      expect(signIn.statusCode).toBe(200);
      const me = await call(app, 'GET', '/api/me', { cookie: members.partner.cookie });
      expect(me.statusCode).toBe(200);
      expect(me.json().user.id).toBe(members.partner.user.id);
      const journal = await call(app, 'GET', '/api/journal', { cookie: members.mother.cookie });
      expect(
        journal
          .json()
          .entries.map((e: { body: string }) => e.body)
          .sort(),
      ).toEqual(['The scan was so quiet.', 'Today I planted a tree.']);

      const base = await listen(app);
      const socket = await connect(base, members.mother);
      const listener = await connect(base, members.partner);
      try {
        const subscribed = await socket.subscribe('mothers', lastSeq);
        expect(subscribed).toMatchObject({ type: 'subscribed', lastSeq });
        expect((await listener.subscribe('mothers', lastSeq)).type).toBe('subscribed');
        const ack = await sendAndAck(socket, 'mothers', 'Still here, after the move.');
        expect((ack.message as { seq: number }).seq).toBe(lastSeq + 1);
        const seen = await listener.next((f) => f.type === 'event' && f.kind === 'created');
        expect(seen).toMatchObject({ seq: lastSeq + 1, message: { body: 'Still here, after the move.' } });
      } finally {
        socket.close();
        listener.close();
      }
      const history = await call(app, 'GET', '/api/rooms/mothers/messages', { cookie: members.mother.cookie });
      expect(history.json().messages.map((m: { seq: number }) => m.seq)).toEqual(
        before
          .messages!.map((row) => Number((JSON.parse(row) as { seq: number | string }).seq))
          .sort((a, b) => a - b)
          .concat(lastSeq + 1),
      );
    } finally {
      await app.close();
      await database.close();
    }
  });

  it('refuses to restore over a database that holds Kindred already, unless told to, and changes nothing', async () => {
    const database = await restored.open();
    const now = await everyRow(database);
    await database.close();
    expect(now.messages).toHaveLength(5);
    const run = await cli(['restore', backupFile], restored.env);
    expect(run.stderr).toMatch(/already holds a Kindred database\..* --force/);
    expect(run.stderr).not.toMatch(STACK_FRAME);
    expect(run.code).toBe(1);
    const after = await restored.open();
    try {
      expect(await everyRow(after)).toEqual(now);
    } finally {
      await after.close();
    }
  });

  it('with --force, replaces what is there with the backup', async () => {
    const run = await cli(['restore', '--force', backupFile], restored.env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    if (!onPostgres) expect(run.stdout).toMatch(/The data it replaced is kept in .*pglite\.replaced-/);
    const database = await restored.open();
    try {
      expect(await everyRow(database)).toEqual(before);
    } finally {
      await database.close();
    }
  });

  it.each<[string, () => Promise<Buffer>, RegExp]>([
    [
      'a backup cut short',
      async () => {
        const whole = await readFile(backupFile);
        return whole.subarray(0, Math.floor(whole.length / 2));
      },
      /could not be read to the end|is damaged|is not a Kindred backup/,
    ],
    [
      'a file that is not a backup',
      async () => Buffer.from('these are not the droids\n'.repeat(40)),
      /is not a Kindred backup/,
    ],
    [
      onPostgres ? 'a backup of the embedded database' : 'a backup of a PostgreSQL database',
      async () =>
        onPostgres
          ? Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00]), randomBytes(2000)])
          : Buffer.concat([Buffer.from('PGDMP'), randomBytes(2000)]),
      onPostgres ? /backup of the embedded database/ : /backup of a PostgreSQL database .*DATABASE_URL/,
    ],
  ])('refuses %s with a sentence', async (_case, contents, sentence) => {
    const file = join(scratch, `bad-${randomBytes(4).toString('hex')}`);
    await writeFile(file, await contents());
    const run = await cli(['restore', '--force', file], restored.env);
    expect(run.stderr).toMatch(sentence);
    expect(run.stderr).toMatch(/Nothing was changed/);
    expect(run.stderr).not.toMatch(STACK_FRAME);
    expect(run.code).toBe(1);
    await rm(file);
  });

  // Once for the three refusals above, not after each (opening the database is the slow part). The one file
  // that holds any Kindred data, the backup cut short, is tried first: what it might have lost, no later one
  // could put back (they hold none), so a loss in any of them still shows here.
  it('after those refusals, every row is as the backup left it', async () => {
    const database = await restored.open();
    try {
      expect(await everyRow(database)).toEqual(before);
    } finally {
      await database.close();
    }
  });

  it('refuses a backup made by a newer Kindred (a migration this one does not know), and loses nothing', async () => {
    const database = await restored.open();
    const future = Date.now() + 10 * 365 * 24 * 3600 * 1000;
    await database.db.execute(
      sql`INSERT INTO drizzle.__drizzle_migrations (hash, created_at) VALUES ('from-the-future', ${future})`,
    );
    await database.close();
    const newer = join(scratch, 'newer.backup');
    expect(await cli(['backup', newer], restored.env)).toMatchObject({ code: 0, stderr: '' });
    const target = await freshTarget();
    const run = await cli(['restore', newer], target.env);
    expect(run.stderr).toMatch(/made by a newer version of Kindred/);
    expect(run.stderr).toMatch(/Nothing was changed/);
    expect(run.code).toBe(1);
    // The fresh target stayed empty: no data folder made, or no tables in the database.
    if (onPostgres) {
      const check = await target.open();
      const tables = (await check.db.execute(
        sql`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema IN ('public', 'drizzle')`,
      )) as unknown as { rows: { n: number }[] };
      await check.close();
      expect(tables.rows[0]!.n).toBe(0);
    } else {
      expect(existsSync(join(target.env.DATA_DIR!, 'pglite'))).toBe(false);
    }
    await target.drop();
  });
});

describe('the backup and restore commands', () => {
  it.each<[string, string[], RegExp, number]>([
    ['backup with no file', ['backup'], /^Usage:/, 2],
    ['restore with no file', ['restore'], /^Usage:/, 2],
    ['an option it does not know', ['restore', '--overwrite', 'x.backup'], /^Usage:/, 2],
  ])('%s: says how to use them', async (_case, args, sentence, code) => {
    const run = await cli(args, source.env);
    expect(run.stderr).toMatch(sentence);
    expect(run.code).toBe(code);
  });

  it('restore of a file that is not there says so', async () => {
    const run = await cli(['restore', join(scratch, 'nowhere.backup')], source.env);
    expect(run.stderr).toMatch(/There is no file .*nowhere\.backup/);
    expect(run.code).toBe(1);
  });

  it('backup never writes over a file that is there (an older backup)', async () => {
    const run = await cli(['backup', backupFile], source.env);
    expect(run.stderr).toMatch(/already exists/);
    expect(run.code).toBe(1);
  });

  it.runIf(onPostgres)('without pg_dump, says what to install, and writes no file', async () => {
    const file = join(scratch, 'no-tools.backup');
    // PATH with node alone: no PostgreSQL client tools.
    const bin = join(scratch, 'bin');
    await mkdir(bin);
    await symlink(process.execPath, join(bin, 'node'));
    const run = await cli(['backup', file], { ...source.env, PATH: bin });
    expect(run.stderr).toMatch(/pg_dump .*not found.*postgresql-client/s);
    expect(run.code).toBe(1);
    expect(existsSync(file)).toBe(false);
  });

  it.runIf(onPostgres)(
    'restore refuses while something else is connected to the database (stop Kindred first)',
    async () => {
      const database = await source.open();
      const app = await startApp(database);
      try {
        const run = await cli(['restore', '--force', backupFile], source.env);
        expect(run.stderr).toMatch(/connected to this database.*Stop every Kindred instance/s);
        expect(run.stderr).toMatch(/Nothing was changed/);
        expect(run.code).toBe(1);
      } finally {
        await app.close();
        await database.close();
      }
    },
  );

  it.skipIf(onPostgres)('on the embedded database, backup refuses while a server holds the data folder', async () => {
    const file = join(scratch, 'while-running.backup');
    const database = await source.open();
    const app = await startApp(database);
    try {
      const run = await cli(['backup', file], source.env);
      expect(run.stderr).toMatch(/^Kindred is running on the data folder .* Stop Kindred/);
      expect(run.code).toBe(1);
      expect(existsSync(file)).toBe(false);
    } finally {
      await app.close();
      await database.close();
    }
  });
});
