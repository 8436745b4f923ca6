// The operator's CLI, run as the operator runs it (a child process of the compiled CLI, as `npm run kindred`
// runs it: cli-process.ts), on a fresh embedded data folder or a fresh PostgreSQL database, which it
// migrates itself.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDb, migrationStatus, schema } from '@kindred/db';
import { eq } from 'drizzle-orm';
import { createPostgresDatabase } from '@kindred/db/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { runCli, STACK_FRAME } from './cli-process.ts';

// Each run starts Node and the database driver afresh: a second or more apiece on a busy machine.
vi.setConfig({ testTimeout: 180_000 });

const onPostgres = process.env.KINDRED_TEST_DB === 'postgres';

/** Runs the compiled CLI (cli-process.ts) with the environment given and nothing else of Kindred's; 60 s. */
const cli = (args: string[], env: Record<string, string>) => runCli(args, env, 60_000);

let target: Record<string, string>;
let cleanUp: () => Promise<void>;
beforeAll(async () => {
  if (onPostgres) {
    const { url, drop } = await createPostgresDatabase(process.env.TEST_DATABASE_URL!);
    target = { DATABASE_URL: url };
    cleanUp = drop;
  } else {
    const dir = await mkdtemp(join(tmpdir(), 'kindred-cli-'));
    target = { DATA_DIR: dir };
    cleanUp = () => rm(dir, { recursive: true, force: true, maxRetries: 3 });
  }
}, 60_000);
afterAll(() => cleanUp());

const password = { KINDRED_ADMIN_PASSWORD: 'lanterns along the harbour' };

describe(`admin commands on a fresh ${onPostgres ? 'PostgreSQL database' : 'data folder'}`, () => {
  it('creates an admin account on an empty database, migrating it first', async () => {
    const run = await cli(['admin', 'create', 'Harbour_Keeper'], { ...target, ...password });
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('harbour_keeper is a new account and an admin');
    expect(run.code).toBe(0);
    const database = await createDb(onPostgres ? { databaseUrl: target.DATABASE_URL! } : { dataDir: target.DATA_DIR! });
    try {
      const status = await migrationStatus(database);
      expect(status.applied).toBe(status.expected);
    } finally {
      await database.close();
    }
  });

  it('revokes, grants, and lists the admins with every change, who ran it and when', async () => {
    const created = await cli(['admin', 'create', 'second_keeper'], { ...target, ...password });
    expect(created).toMatchObject({ code: 0, stderr: '' });
    const revoked = await cli(['admin', 'revoke', 'Harbour_Keeper'], target);
    expect(revoked).toMatchObject({ code: 0, stdout: 'Harbour_Keeper is now not an admin.\n' });
    const granted = await cli(['admin', 'grant', 'harbour_keeper'], target);
    expect(granted).toMatchObject({ code: 0, stdout: 'harbour_keeper is now an admin.\n' });
    const list = await cli(['admin', 'list'], target);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^Admins:\n {2}harbour_keeper\n {2}second_keeper\n\nChanges, oldest first:\n/);
    const changes = list.stdout.split('Changes, oldest first:\n')[1]!.trim().split('\n');
    expect(changes).toHaveLength(4);
    expect(changes[0]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z {2}created {2}harbour_keeper {2}by \S+@\S+$/);
    expect(changes[1]).toMatch(/created {2}second_keeper {2}by/);
    expect(changes[2]).toMatch(/revoked {2}harbour_keeper {2}by/);
    expect(changes[3]).toMatch(/granted {2}harbour_keeper {2}by/);
  });

  it('issues a one-time reset link for a member, shown once, and records it in the moderation log', async () => {
    const run = await cli(['reset-link', 'Harbour_Keeper'], { ...target, PUBLIC_ORIGIN: 'https://kindred.example' });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^A one-time link for harbour_keeper to choose a new password/);
    expect(run.stdout).toMatch(/\n {2}https:\/\/kindred\.example\/reset\/[a-z2-7]{32}\n/);
    expect(run.stdout).toMatch(/works once, until \d{4}-\d\d-\d\dT[\d:.]+Z/);
    const database = await createDb(onPostgres ? { databaseUrl: target.DATABASE_URL! } : { dataDir: target.DATA_DIR! });
    try {
      const rows = await database.db
        .select()
        .from(schema.moderationActions)
        .where(eq(schema.moderationActions.action, 'issue_reset_link'));
      expect(rows).toHaveLength(1);
      expect(rows[0]!.reason).toMatch(/issued at the command line by \S+@\S+\.$/);
    } finally {
      await database.close();
    }
    const nobody = await cli(['reset-link', 'nobody_at_all'], target);
    expect(nobody.stderr).toMatch(/^There is no member named "nobody_at_all"/);
    expect(nobody.code).toBe(1);
  });

  it.each<[string, string[], Record<string, string>, RegExp, number]>([
    ['a grant to nobody', ['admin', 'grant', 'nobody_at_all'], {}, /^There is no member named "nobody_at_all"/, 1],
    ['a common password', ['admin', 'create', 'third_keeper'], { KINDRED_ADMIN_PASSWORD: 'password1' }, /common/, 1],
    ['no password and no terminal', ['admin', 'create', 'third_keeper'], {}, /set KINDRED_ADMIN_PASSWORD/, 1],
    ['a command it does not know', ['admin', 'promote', 'x'], {}, /^Usage:/, 2],
  ])('refuses %s with a sentence and a non-zero exit', async (_case, args, env, sentence, code) => {
    const run = await cli(args, { ...target, ...env });
    expect(run.stderr).toMatch(sentence);
    expect(run.stderr).not.toMatch(STACK_FRAME);
    expect(run.code).toBe(code);
  });

  it('says once that ADMIN_USERNAMES is retired, and grants nothing because of it', async () => {
    const run = await cli(['admin', 'list'], { ...target, ADMIN_USERNAMES: 'third_keeper' });
    expect(run.code).toBe(0);
    expect(run.stderr.match(/ADMIN_USERNAMES is retired/g)).toHaveLength(1);
    expect(run.stdout).not.toContain('third_keeper');
  });
});

describe.skipIf(onPostgres)('admin commands while a server holds the embedded database', () => {
  it('stop with a sentence that says what to do, and change nothing', async () => {
    const app = await buildApp({ ...loadConfig({}), dataDir: target.DATA_DIR!, logLevel: 'silent' });
    try {
      const run = await cli(['admin', 'grant', 'harbour_keeper'], target);
      expect(run.stderr).toMatch(/^Kindred is running on the data folder .* \(pid \d+\).* Stop Kindred/);
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
    } finally {
      await app.close();
    }
  });
});
