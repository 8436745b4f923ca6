// Builds the real app on a real database for one test file: PGlite or PostgreSQL, chosen by the
// Vitest project (KINDRED_TEST_DB). The clock is the test's to move.
import { openTestDatabase, type TestDatabase } from '@kindred/db/testing';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { inject } from 'vitest';
import { createAdminService } from '../src/admin/service.ts';
import { buildApp } from '../src/app.ts';
import { loadConfig, type Config } from '../src/config.ts';

export const ORIGIN = 'http://kindred.test';

export class TestClock {
  #now = Date.parse('2026-06-01T12:00:00Z');
  now = (): Date => new Date(this.#now);
  advance(ms: number): void {
    this.#now += ms;
  }
}

export interface TestApp {
  app: FastifyInstance;
  database: TestDatabase;
  clock: TestClock;
  config: Config;
  close(): Promise<void>;
}

export async function openDatabaseForTests(): Promise<TestDatabase> {
  if (process.env.KINDRED_TEST_DB === 'postgres') {
    const serverUrl = process.env.TEST_DATABASE_URL;
    if (!serverUrl) throw new Error('KINDRED_TEST_DB=postgres needs TEST_DATABASE_URL');
    return openTestDatabase({ kind: 'postgres', serverUrl });
  }
  return openTestDatabase({ kind: 'pglite', snapshotFile: inject('pgliteSnapshot') });
}

export async function createTestApp(
  overrides: Partial<Config> = {},
  logStream?: NodeJS.WritableStream,
): Promise<TestApp> {
  const database = await openDatabaseForTests();
  const clock = new TestClock();
  const config: Config = { ...loadConfig({}), logLevel: 'silent', publicOrigin: ORIGIN, ...overrides };
  const app = await buildApp(config, { database, now: clock.now, ...(logStream ? { logStream } : {}) });
  await app.ready();
  return {
    app,
    database,
    clock,
    config,
    close: async () => {
      await app.close();
      await database.close();
    },
  };
}

let addressCounter = 0;
/**
 * A distinct client address for each request (from the IPv6 documentation range, one /64 each), so the
 * per-address limits only bite in the tests that are about them.
 */
export function nextAddress(): string {
  addressCounter += 1;
  return `2001:db8:${(addressCounter >>> 16).toString(16)}:${(addressCounter & 0xffff).toString(16)}::1`;
}

/** A request as the web app sends it: JSON, from our own origin, with the given cookie. */
export function call(
  app: FastifyInstance,
  method: InjectOptions['method'],
  url: string,
  options: { body?: unknown; cookie?: string; headers?: Record<string, string>; remoteAddress?: string } = {},
): Promise<LightMyRequestResponse> {
  const headers: Record<string, string> = { origin: ORIGIN, ...options.headers };
  if (options.cookie) headers.cookie = options.cookie;
  return app.inject({
    method,
    url,
    headers,
    remoteAddress: options.remoteAddress ?? nextAddress(),
    ...(options.body === undefined ? {} : { payload: options.body as object }),
  });
}

let memberCounter = 0;

export interface Member {
  user: { id: string; username: string; displayName: string; isAdmin: boolean };
  username: string;
  password: string;
  token: string;
  cookie: string;
}

/** Registers a new member with a unique name; overrides pick the name or password. */
export async function registerMember(
  app: FastifyInstance,
  overrides: { username?: string; password?: string; displayName?: string } = {},
): Promise<Member> {
  memberCounter += 1;
  const username = overrides.username ?? `member_${process.pid}_${memberCounter}`;
  const password = overrides.password ?? `quiet evening river ${memberCounter}`;
  const body: Record<string, string> = { username, password };
  if (overrides.displayName) body.displayName = overrides.displayName;
  const res = await call(app, 'POST', '/api/auth/register', { body });
  if (res.statusCode !== 201) throw new Error(`register failed: ${res.statusCode} ${res.body}`);
  const token = sessionTokenOf(res);
  return { user: res.json().user, username, password, token, cookie: `kindred_session=${token}` };
}

/** Makes a member a platform admin the way an operator does: the CLI's admin service, on the database. */
export async function makeAdmin(t: TestApp, member: Member): Promise<void> {
  const result = await createAdminService({ db: t.database.db, now: t.clock.now }).grant(
    member.username,
    'test@kindred',
  );
  if (result === 'no_such_member') throw new Error(`no member named ${member.username}`);
  member.user.isAdmin = true;
}

export function sessionTokenOf(res: LightMyRequestResponse): string {
  const cookie = res.cookies.find((c) => c.name === 'kindred_session' || c.name === '__Host-kindred_session');
  if (!cookie?.value) throw new Error(`no session cookie in ${res.statusCode} answer`);
  return cookie.value;
}

export async function login(app: FastifyInstance, username: string, password: string): Promise<LightMyRequestResponse> {
  return call(app, 'POST', '/api/auth/login', { body: { username, password } });
}

let roomCounter = 0;
/** A new room made by `admin`, with a unique slug starting with `prefix`; overrides change any field. */
export async function createRoom(
  app: FastifyInstance,
  admin: Member,
  prefix: string,
  overrides: Record<string, unknown> = {},
): Promise<{ slug: string; id: string }> {
  roomCounter += 1;
  const slug = `${prefix}-${roomCounter}-${process.pid}`;
  const res = await call(app, 'POST', '/api/rooms', {
    cookie: admin.cookie,
    body: {
      slug,
      name: slug,
      description: `A ${prefix} test room`,
      audience: 'everyone',
      rules: 'Be kind.',
      ...overrides,
    },
  });
  if (res.statusCode !== 201) throw new Error(res.body);
  return { slug, id: res.json().room.id };
}

/** A new member who has joined the room (accepting its rules). */
export async function joinedMember(app: FastifyInstance, slug: string): Promise<Member> {
  const member = await registerMember(app);
  await call(app, 'POST', `/api/rooms/${slug}/join`, { cookie: member.cookie, body: { acceptRules: true } });
  return member;
}
