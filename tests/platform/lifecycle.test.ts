// The platform as an operator meets it: it starts, keeps what it was given across a restart (on the
// embedded database and on PostgreSQL), and refuses bad configuration with one plain sentence.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPostgresDatabase } from '@kindred/db/testing';
import { afterAll, describe, expect, it } from 'vitest';
import {
  repoRoot,
  SERVER_CLI,
  SERVER_MAIN,
  SERVER_NODE_FLAGS,
  startPlatform,
  stopAll,
  type Platform,
} from '../support/platform.ts';
import { copyOfReadyDataDir } from '../support/data-template.ts';

afterAll(() => stopAll());

async function post(platform: Platform, path: string, body: unknown): Promise<Response> {
  return fetch(`${platform.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: platform.url },
    body: JSON.stringify(body),
  });
}

async function expectDataSurvivesRestart(env: Record<string, string>, dataDir?: string): Promise<void> {
  const account = { username: `restart_${Date.now().toString(36)}`, password: 'steady through the night' };
  const first = await startPlatform({ env, ...(dataDir ? { dataDir } : {}) });
  expect((await post(first, '/api/auth/register', account)).status).toBe(201);
  await first.stop();

  const second = await startPlatform({ env, ...(dataDir ? { dataDir } : {}) });
  try {
    const res = await post(second, '/api/auth/login', account);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { user: { username: string } }).user.username).toBe(account.username);
  } finally {
    await second.stop();
  }
}

/** Runs a compiled Kindred entry point (the server by default) and returns how it ended. Bounded: 30 s. */
function runUntilExit(
  env: Record<string, string>,
  args: string[] = [SERVER_MAIN],
): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, ...args], {
      cwd: repoRoot,
      env: { ...process.env, LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the server did not exit within 30 s\n${stdout}${stderr}`));
    }, 30_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, stdout });
    });
  });
}

describe('restart', () => {
  it('keeps data on the embedded database', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'kindred-restart-'));
    try {
      await expectDataSurvivesRestart({}, dataDir);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it.skipIf(!process.env.TEST_DATABASE_URL)('keeps data on PostgreSQL', async () => {
    const database = await createPostgresDatabase(process.env.TEST_DATABASE_URL!);
    try {
      await expectDataSurvivesRestart({ DATABASE_URL: database.url });
    } finally {
      await database.drop();
    }
  });
});

describe('bad configuration', () => {
  it.each<[string, Record<string, string>, RegExp]>([
    ['a bad PORT', { PORT: 'eighty' }, /PORT must be a whole number/],
    [
      'an unreachable DATABASE_URL',
      { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/kindred' },
      /DATABASE_URL could not be reached/,
    ],
    [
      'a DATABASE_URL that is not postgres',
      { DATABASE_URL: 'mysql://root@127.0.0.1/kindred' },
      /DATABASE_URL must start with/,
    ],
    [
      'a PUBLIC_ORIGIN with a path',
      { PUBLIC_ORIGIN: 'https://kindred.example/app' },
      /PUBLIC_ORIGIN must be a bare origin/,
    ],
    [
      'a HELPLINES_FILE that is not there',
      { HELPLINES_FILE: '/nonexistent/helplines.json' },
      /HELPLINES_FILE must name/,
    ],
    ['a HELPLINES_FILE that is not a helplines list', { HELPLINES_FILE: 'package.json' }, /HELPLINES_FILE names/],
  ])('ends start-up on %s with one clear sentence', async (_case, env, sentence) => {
    const dataDir = await mkdtemp(join(tmpdir(), 'kindred-bad-'));
    try {
      const { code, stderr } = await runUntilExit({ DATA_DIR: dataDir, PORT: '0', ...env });
      expect(code).toBe(1);
      const lines = stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^Kindred could not start: /);
      expect(lines[0]).toMatch(sentence);
      expect(stderr).not.toMatch(/\n\s+at /);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses a second server on the same embedded data folder', async () => {
    // Not a first start: a copy of the run's ready data folder (first starts are tested above).
    const dataDir = await copyOfReadyDataDir('kindred-second-');
    const first = await startPlatform({ dataDir });
    try {
      const { code, stderr } = await runUntilExit({ DATA_DIR: first.dataDir, PORT: '0' });
      expect(code).toBe(1);
      expect(stderr.trim()).toMatch(/^Kindred could not start: The data folder .* is already in use/);
      expect((await fetch(`${first.url}/api/ready`)).status).toBe(200);
    } finally {
      await first.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('admin command line', () => {
  it('grants and revokes admin rights on the embedded database while the server is stopped', async () => {
    // A copy of the run's ready data folder: this test is about the command line, not a first start.
    const dataDir = await copyOfReadyDataDir('kindred-cli-');
    const account = { username: 'steward_of_rooms', password: 'keeping the rooms kind' };
    try {
      const first = await startPlatform({ dataDir });
      expect((await post(first, '/api/auth/register', account)).status).toBe(201);
      await first.stop();

      const cli = (...args: string[]) => runUntilExit({ DATA_DIR: dataDir }, [SERVER_CLI, 'admin', ...args]);
      expect(await cli('grant', 'Steward_Of_Rooms')).toMatchObject({
        code: 0,
        stdout: expect.stringMatching(/now an admin/),
      });
      expect(await cli('grant', 'nobody_by_that_name')).toMatchObject({
        code: 1,
        stderr: expect.stringMatching(/no member/),
      });
      expect(await cli('shout')).toMatchObject({ code: 2, stderr: expect.stringMatching(/Usage/) });

      const second = await startPlatform({ dataDir });
      const res = await post(second, '/api/auth/login', account);
      expect(((await res.json()) as { user: { isAdmin: boolean } }).user.isAdmin).toBe(true);
      await second.stop();

      expect((await cli('revoke', 'steward_of_rooms')).code).toBe(0);
      const third = await startPlatform({ dataDir });
      const again = await post(third, '/api/auth/login', account);
      expect(((await again.json()) as { user: { isAdmin: boolean } }).user.isAdmin).toBe(false);
      await third.stop();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 180_000);
});
