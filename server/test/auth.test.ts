// Registering, signing in and out, sessions and their ends, CSRF and rate limits, on a real database.
import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { keyOf } from '../src/limits/counters.ts';
import { deleteEndedSessions, SESSION_ABSOLUTE_MS, SESSION_IDLE_MS, SESSION_REFRESH_MS } from '../src/auth/sessions.ts';
import {
  call,
  createTestApp,
  login,
  nextAddress,
  ORIGIN,
  registerMember,
  sessionTokenOf,
  type TestApp,
} from './helpers.ts';
import { connect, listen } from './sockets.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const HOUR = 60 * 60 * 1000;

let base: string | undefined;
/** The app listening on a real port, once for the file, for the tests that open sockets. */
async function wsBase(): Promise<string> {
  base ??= await listen(t.app);
  return base;
}

async function me(cookie: string) {
  return call(t.app, 'GET', '/api/me', { cookie });
}

describe('register', () => {
  it('creates a pseudonymous account, signs in, and sets a careful cookie', async () => {
    const res = await call(t.app, 'POST', '/api/auth/register', {
      body: { username: 'Quiet_Willow', password: 'a long walk by the sea', displayName: '  Willow  ' },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().user).toEqual({
      id: expect.any(String),
      username: 'quiet_willow',
      displayName: 'Willow',
      isAdmin: false,
      identity: null,
      country: null,
      timeZone: null,
      markColour: null,
      showPresence: false,
      createdAt: expect.any(String),
    });
    const cookie = res.cookies.find((c) => c.name === 'kindred_session')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(cookie.secure).toBeFalsy();
    expect(cookie.maxAge).toBe(SESSION_IDLE_MS / 1000);
    expect((await me(`kindred_session=${cookie.value}`)).json().user.username).toBe('quiet_willow');
  });

  it('refuses a username that differs only in case with 409 username_taken', async () => {
    await registerMember(t.app, { username: 'river_stone' });
    const res = await call(t.app, 'POST', '/api/auth/register', {
      body: { username: 'River_Stone', password: 'another long phrase here' },
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toMatchObject({ code: 'username_taken', field: 'username' });
  });

  it.each(['password', 'password123', 'iloveyou', 'qwertyuiop', 'sunshine1', '12345678'])(
    'refuses the common password %s with 400 validation',
    async (password) => {
      const res = await call(t.app, 'POST', '/api/auth/register', { body: { username: 'common_pw_test', password } });
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toMatchObject({ code: 'validation', field: 'password' });
    },
  );

  const valid = { username: 'bad_input_case', password: 'gentle morning light' };
  it.each<[string, unknown, string | undefined]>([
    ['missing username', { password: valid.password }, 'username'],
    ['missing password', { username: valid.username }, 'password'],
    ['username of the wrong type', { ...valid, username: 12345 }, 'username'],
    ['password of the wrong type', { ...valid, password: ['gentle morning light'] }, 'password'],
    ['too short a username', { ...valid, username: 'ab' }, 'username'],
    ['too long a username', { ...valid, username: 'a'.repeat(33) }, 'username'],
    ['a username with spaces', { ...valid, username: 'quiet willow' }, 'username'],
    ['a username with other letters', { ...valid, username: 'zoë_h' }, 'username'],
    ['too short a password', { ...valid, password: 'seven77' }, 'password'],
    ['too long a password', { ...valid, password: 'x'.repeat(129) }, 'password'],
    ['too long a display name', { ...valid, displayName: 'n'.repeat(49) }, 'displayName'],
    ['a blank display name', { ...valid, displayName: '   ' }, 'displayName'],
    ['an unknown field', { ...valid, email: 'a@b.c' }, 'email'],
    ['a role it may not choose', { ...valid, isAdmin: true }, 'isAdmin'],
    ['a list instead of an object', [valid], undefined],
    ['null', null, undefined],
  ])('answers %s with 400 validation', async (_case, body, field) => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/auth/register',
      headers: { origin: ORIGIN, 'content-type': 'application/json' },
      payload: JSON.stringify(body),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('validation');
    if (field) expect(res.json().error.field).toBe(field);
  });

  it('counts a password in Unicode code points, not bytes or UTF-16 units', async () => {
    const res = await call(t.app, 'POST', '/api/auth/register', {
      body: { username: 'emoji_pw', password: '🌙🌙🌙🌙🌙🌙🌙🌙' },
    });
    expect(res.statusCode).toBe(201);
  });

  it.each<[string, Record<string, string>, string, number, string]>([
    ['text that is not JSON', { 'content-type': 'application/json' }, '{"username":', 400, 'validation'],
    ['an empty JSON body', { 'content-type': 'application/json' }, '', 400, 'validation'],
    [
      'a form body',
      { 'content-type': 'application/x-www-form-urlencoded' },
      'username=a&password=b',
      415,
      'unsupported_media_type',
    ],
    ['a text body', { 'content-type': 'text/plain' }, 'hello', 415, 'unsupported_media_type'],
  ])('answers %s with its documented code', async (_case, headers, payload, status, code) => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/auth/register',
      headers: { origin: ORIGIN, ...headers },
      payload,
    });
    expect(res.statusCode).toBe(status);
    expect(res.json().error.code).toBe(code);
  });

  it('answers a body over the limit with 413 payload_too_large', async () => {
    const res = await call(t.app, 'POST', '/api/auth/register', {
      body: { username: 'big_body', password: 'x'.repeat(300 * 1024) },
    });
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('payload_too_large');
  });
});

describe('login', () => {
  it('signs in with any letter case of the username and issues a new token every time', async () => {
    const member = await registerMember(t.app);
    const first = await login(t.app, member.username.toUpperCase(), member.password);
    const second = await login(t.app, member.username, member.password);
    expect(first.statusCode).toBe(200);
    expect(second.statusCode).toBe(200);
    const tokens = new Set([member.token, sessionTokenOf(first), sessionTokenOf(second)]);
    expect(tokens.size).toBe(3);
  });

  it('ends the session it was sent with rather than keeping it (no fixation)', async () => {
    const member = await registerMember(t.app);
    const res = await call(t.app, 'POST', '/api/auth/login', {
      body: { username: member.username, password: member.password },
      cookie: member.cookie,
    });
    expect(res.statusCode).toBe(200);
    expect(sessionTokenOf(res)).not.toBe(member.token);
    expect((await me(member.cookie)).statusCode).toBe(401);
  });

  it('closes the live connections of the session it ends', async () => {
    const member = await registerMember(t.app);
    const socket = await connect(await wsBase(), member);
    const res = await call(t.app, 'POST', '/api/auth/login', {
      body: { username: member.username, password: member.password },
      cookie: member.cookie,
    });
    expect(res.statusCode).toBe(200);
    expect(await socket.waitClosed(2_000)).toBe(4401);
  });

  it('answers an unknown user and a wrong password identically', async () => {
    const member = await registerMember(t.app);
    const unknown = await login(t.app, 'nobody_by_this_name', 'whatever it is');
    const wrong = await login(t.app, member.username, 'not the password at all');
    expect(unknown.statusCode).toBe(401);
    expect(wrong.statusCode).toBe(401);
    expect(unknown.body).toBe(wrong.body);
    expect(unknown.json().error.code).toBe('invalid_credentials');
    expect(unknown.cookies).toEqual([]);
    expect(wrong.cookies).toEqual([]);
  });

  it.each<[string, unknown]>([
    ['missing password', { username: 'someone' }],
    ['missing username', { password: 'something long' }],
    ['empty username', { username: '', password: 'something long' }],
    ['a number as password', { username: 'someone', password: 12345678 }],
    ['too long a password', { username: 'someone', password: 'p'.repeat(129) }],
    ['too long a username', { username: 'u'.repeat(65), password: 'something long' }],
    ['an unknown field', { username: 'someone', password: 'something long', remember: true }],
  ])('answers %s with 400 validation', async (_case, body) => {
    const res = await call(t.app, 'POST', '/api/auth/login', { body });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('validation');
  });
});

describe('sessions', () => {
  it('stores no raw token and no secret anywhere in the database', async () => {
    const member = await registerMember(t.app);
    const [, secret] = member.token.split('.');
    const rows = await t.database.db.execute(sql`SELECT row_to_json(s)::text AS row FROM sessions s`);
    const dump = JSON.stringify(rows);
    expect(dump).not.toContain(member.token);
    expect(dump).not.toContain(secret);
    expect(secret!.length).toBeGreaterThanOrEqual(24); // ≥ 120 bits of base32
  });

  it('deletes the sessions that ended unused when an instance starts, and keeps the others', async () => {
    const DAY = 24 * 60 * 60 * 1000;
    const idle = await registerMember(t.app);
    const active = await registerMember(t.app);
    const sessionIds = async () => {
      const result = await t.database.db.execute(sql`SELECT id FROM sessions`);
      return (result as unknown as { rows: { id: string }[] }).rows.map((row) => row.id);
    };
    const idOf = (member: { token: string }) => member.token.split('.')[0]!;
    t.clock.advance(20 * DAY);
    expect((await me(active.cookie)).statusCode).toBe(200); // seen again: 30 more idle days from here
    t.clock.advance(SESSION_IDLE_MS - 20 * DAY + 60_000);
    expect(await sessionIds()).toContain(idOf(idle)); // ended, but nobody has presented it since
    const other = await buildApp(t.config, { database: t.database, now: t.clock.now });
    await other.ready();
    await other.close();
    const kept = await sessionIds();
    expect(kept).not.toContain(idOf(idle));
    expect(kept).toContain(idOf(active));
    expect((await me(active.cookie)).statusCode).toBe(200);
  });

  // Only PostgreSQL has several instances (an embedded database belongs to one process).
  it.runIf(process.env.KINDRED_TEST_DB === 'postgres')(
    'closes a socket on a session that another instance deleted as ended',
    async () => {
      const member = await registerMember(t.app);
      // A tab left open on a shelf: its socket outlives the session's 30 idle days.
      const socket = await connect(await wsBase(), member);
      t.clock.advance(SESSION_IDLE_MS + 60_000);
      const other = await buildApp(t.config, { database: t.database, now: t.clock.now });
      await other.ready();
      await other.close(); // waits for its sweep
      expect(await socket.waitClosed()).toBe(4401);
    },
  );

  it('deletes a session past its 90 days however active, in the sweep as at its next use', async () => {
    const DAY = 24 * 60 * 60 * 1000;
    const member = await registerMember(t.app);
    for (let day = 20; day < 90; day += 20) {
      t.clock.advance(20 * DAY);
      expect((await me(member.cookie)).statusCode).toBe(200);
    }
    t.clock.advance(SESSION_ABSOLUTE_MS - 80 * DAY);
    const fresh = await login(t.app, member.username, member.password);
    const freshId = sessionTokenOf(fresh).split('.')[0]!;
    const deleted = await deleteEndedSessions(t.database.db, t.clock.now());
    expect(deleted).toContain(member.token.split('.')[0]);
    expect(deleted).not.toContain(freshId);
    expect((await me(member.cookie)).statusCode).toBe(401);
  });

  it('stops working after logout', async () => {
    const member = await registerMember(t.app);
    const res = await call(t.app, 'POST', '/api/auth/logout', { cookie: member.cookie });
    expect(res.statusCode).toBe(204);
    expect(res.cookies.find((c) => c.name === 'kindred_session')?.value).toBe('');
    expect((await me(member.cookie)).statusCode).toBe(401);
  });

  it('tells the live connections of a session that it ended on logout', async () => {
    const member = await registerMember(t.app);
    const ended: string[][] = [];
    const listener = (ids: string[]) => ended.push(ids);
    t.app.sessionEvents.on('ended', listener);
    await call(t.app, 'POST', '/api/auth/logout', { cookie: member.cookie });
    t.app.sessionEvents.off('ended', listener);
    expect(ended).toEqual([[member.token.split('.')[0]]]);
  });

  it('refuses a forged token with the right id and clears the cookie', async () => {
    const member = await registerMember(t.app);
    const [id] = member.token.split('.');
    const res = await me(`kindred_session=${id}.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa`);
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('unauthenticated');
    expect(res.cookies.find((c) => c.name === 'kindred_session')?.value).toBe('');
    expect((await me(member.cookie)).statusCode).toBe(200);
  });

  it.each(['', 'garbage', 'a.b.c', '.', `${'x'.repeat(100)}.${'y'.repeat(100)}`])(
    'treats the malformed token "%s" as signed out',
    async (token) => {
      expect((await me(`kindred_session=${token}`)).statusCode).toBe(401);
    },
  );

  it('slides: used within 30 days it lives on, refreshing at most hourly', async () => {
    const member = await registerMember(t.app);
    t.clock.advance(HOUR / 2);
    const early = await me(member.cookie);
    expect(early.statusCode).toBe(200);
    expect(early.cookies).toEqual([]); // not refreshed yet: no write, no new cookie
    t.clock.advance(SESSION_REFRESH_MS);
    const later = await me(member.cookie);
    expect(later.cookies.find((c) => c.name === 'kindred_session')?.maxAge).toBe(SESSION_IDLE_MS / 1000);
    t.clock.advance(SESSION_IDLE_MS - 1000);
    expect((await me(member.cookie)).statusCode).toBe(200);
  });

  it('ends after 30 idle days', async () => {
    const member = await registerMember(t.app);
    t.clock.advance(SESSION_IDLE_MS);
    expect((await me(member.cookie)).statusCode).toBe(401);
  });

  it('ends 90 days after login however often it is used', async () => {
    const member = await registerMember(t.app);
    let used = 0;
    while (used + 29 * 24 * HOUR < SESSION_ABSOLUTE_MS) {
      t.clock.advance(29 * 24 * HOUR);
      used += 29 * 24 * HOUR;
      expect((await me(member.cookie)).statusCode).toBe(200);
    }
    t.clock.advance(SESSION_ABSOLUTE_MS - used);
    expect((await me(member.cookie)).statusCode).toBe(401);
  });

  it('ends every other session, and only those, when the password changes', async () => {
    const member = await registerMember(t.app);
    const other = sessionTokenOf(await login(t.app, member.username, member.password));
    const res = await call(t.app, 'PUT', '/api/me/password', {
      cookie: member.cookie,
      body: { currentPassword: member.password, newPassword: 'a brand new phrase to remember' },
    });
    expect(res.statusCode).toBe(204);
    expect((await me(member.cookie)).statusCode).toBe(200);
    expect((await me(`kindred_session=${other}`)).statusCode).toBe(401);
    expect((await login(t.app, member.username, member.password)).statusCode).toBe(401);
    expect((await login(t.app, member.username, 'a brand new phrase to remember')).statusCode).toBe(200);
  });

  it('ends when the account is deleted', async () => {
    const member = await registerMember(t.app);
    const other = sessionTokenOf(await login(t.app, member.username, member.password));
    const res = await call(t.app, 'DELETE', '/api/me', { cookie: member.cookie, body: { password: member.password } });
    expect(res.statusCode).toBe(204);
    expect((await me(member.cookie)).statusCode).toBe(401);
    expect((await me(`kindred_session=${other}`)).statusCode).toBe(401);
  });
});

describe('cross-site requests', () => {
  const member = () => registerMember(t.app);
  const bodies: [string, string, string][] = [
    ['a form', 'application/x-www-form-urlencoded', 'username=a&password=b'],
    ['text/plain', 'text/plain', '{"username":"a","password":"b"}'],
    ['JSON', 'application/json', '{"username":"someone","password":"something long"}'],
  ];
  const origins: [string, string | undefined][] = [
    ['a wrong Origin', 'https://evil.example'],
    ['no Origin', undefined],
    ['a null Origin', 'null'],
    ['a look-alike Origin', `${ORIGIN}.evil.example`],
  ];
  const paths = ['/api/auth/login', '/api/auth/register', '/api/auth/logout', '/api/me/password'];

  it.each(paths.flatMap((path) => bodies.flatMap((b) => origins.map((o) => [path, ...b, ...o] as const))))(
    'POST %s as %s with %s is 403 csrf',
    async (path, _kind, contentType, payload, _originCase, origin) => {
      const { cookie } = await member();
      const headers: Record<string, string> = { 'content-type': contentType, cookie };
      if (origin) headers.origin = origin;
      const res = await t.app.inject({ method: 'POST', url: path, headers, payload });
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe('csrf');
      expect((await me(cookie)).statusCode).toBe(200);
    },
  );

  it('refuses a cross-site DELETE of the account, leaving it intact', async () => {
    const m = await member();
    const res = await t.app.inject({
      method: 'DELETE',
      url: '/api/me',
      headers: { origin: 'https://evil.example', cookie: m.cookie, 'content-type': 'application/json' },
      payload: JSON.stringify({ password: m.password }),
    });
    expect(res.statusCode).toBe(403);
    expect((await me(m.cookie)).statusCode).toBe(200);
  });
});

describe('https deployments', () => {
  it('sets a Secure, __Host- prefixed cookie', async () => {
    const secure = await createTestApp({ publicOrigin: 'https://kindred.example' });
    try {
      const res = await secure.app.inject({
        method: 'POST',
        url: '/api/auth/register',
        headers: { origin: 'https://kindred.example' },
        payload: { username: 'secure_one', password: 'a long and quiet night' },
      });
      expect(res.statusCode).toBe(201);
      const cookie = res.cookies.find((c) => c.name === '__Host-kindred_session')!;
      expect(cookie).toMatchObject({ secure: true, httpOnly: true, sameSite: 'Lax', path: '/' });
      expect(cookie.domain).toBeUndefined();
      expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    } finally {
      await secure.close();
    }
  });
});

describe('rate limits', () => {
  it('throttles 1,000 wrong logins in a row from one address', async () => {
    const member = await registerMember(t.app);
    const statuses: number[] = [];
    for (let i = 0; i < 1000; i += 1) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        headers: { origin: ORIGIN },
        payload: { username: member.username, password: `wrong guess ${i}` },
        remoteAddress: '203.0.113.7',
      });
      statuses.push(res.statusCode);
      if (res.statusCode === 429) {
        expect(res.json().error.code).toBe('rate_limited');
        expect(res.json().error.message).toMatch(/^There were many tries to sign in from here/);
        expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      }
    }
    expect(statuses.filter((s) => s === 401)).toHaveLength(t.config.loginLimitPer15Min);
    expect(statuses.filter((s) => s === 429)).toHaveLength(1000 - t.config.loginLimitPer15Min);
  });

  it('throttles guesses at one username from many addresses, then lets its owner back in', async () => {
    const member = await registerMember(t.app);
    const attempt = (password: string, i: number) =>
      t.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        headers: { origin: ORIGIN },
        payload: { username: member.username, password },
        remoteAddress: `198.51.100.${i}`,
      });
    for (let i = 0; i < t.config.loginLimitPer15Min; i += 1) {
      expect((await attempt('wrong guess', i)).statusCode).toBe(401);
    }
    const blocked = await attempt(member.password, 200);
    expect(blocked.statusCode).toBe(429);
    expect(blocked.json().error.code).toBe('rate_limited');
    expect(blocked.json().error.message).toMatch(/^There were many tries to sign in with this username/);
    t.clock.advance(15 * 60 * 1000);
    expect((await attempt(member.password, 201)).statusCode).toBe(200);
  });

  it('counts the guesses at one username that any instance takes, not only its own', async () => {
    const member = await registerMember(t.app);
    // A second instance of the server on the same database, as behind a load balancer.
    const other = await buildApp(t.config, { database: t.database, now: t.clock.now });
    try {
      const attempt = (app: FastifyInstance, password: string) =>
        app.inject({
          method: 'POST',
          url: '/api/auth/login',
          headers: { origin: ORIGIN },
          payload: { username: member.username.toUpperCase(), password },
          remoteAddress: nextAddress(),
        });
      const half = Math.ceil(t.config.loginLimitPer15Min / 2);
      for (let i = 0; i < t.config.loginLimitPer15Min; i += 1) {
        expect((await attempt(i < half ? t.app : other, 'wrong guess')).statusCode).toBe(401);
      }
      for (const app of [t.app, other]) {
        const refused = await attempt(app, member.password);
        expect(refused.statusCode).toBe(429);
        expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      }
      t.clock.advance(15 * 60 * 1000);
      expect((await attempt(other, member.password)).statusCode).toBe(200);
      // The right password cleared the count: a later mistake starts again from one.
      expect((await attempt(t.app, 'wrong again')).statusCode).toBe(401);
      expect((await attempt(t.app, member.password)).statusCode).toBe(200);
    } finally {
      await other.close();
    }
  });

  it.each<[string, 'PUT' | 'DELETE', string, (password: string) => Record<string, string>]>([
    [
      'changing the password',
      'PUT',
      '/api/me/password',
      (currentPassword) => ({ currentPassword, newPassword: 'a brand new phrase here' }),
    ],
    ['deleting the account', 'DELETE', '/api/me', (password) => ({ password })],
  ])('counts the current password asked for when %s as a sign-in guess', async (_case, method, url, body) => {
    const member = await registerMember(t.app);
    // A stolen session guesses at the password it does not know.
    for (let i = 0; i < t.config.loginLimitPer15Min; i += 1) {
      const res = await call(t.app, method, url, { cookie: member.cookie, body: body(`wrong guess ${i}`) });
      expect(res.statusCode).toBe(401);
    }
    const refused = await call(t.app, method, url, { cookie: member.cookie, body: body(member.password) });
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error.code).toBe('rate_limited');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    // The same count as signing in: the guesses there and here add up.
    expect((await login(t.app, member.username, member.password)).statusCode).toBe(429);
    expect((await me(member.cookie)).statusCode).toBe(200); // nothing changed, nothing deleted
    t.clock.advance(15 * 60 * 1000);
    const allowed = await call(t.app, method, url, { cookie: member.cookie, body: body(member.password) });
    expect(allowed.statusCode).toBe(204);
  });

  it('lets no guess past the limit when many arrive at once', async () => {
    const member = await registerMember(t.app);
    const statuses = await Promise.all(
      Array.from({ length: 3 * t.config.loginLimitPer15Min }, () =>
        t.app
          .inject({
            method: 'POST',
            url: '/api/auth/login',
            headers: { origin: ORIGIN },
            payload: { username: member.username, password: 'wrong guess' },
            remoteAddress: nextAddress(),
          })
          .then((res) => res.statusCode),
      ),
    );
    expect(statuses.filter((s) => s === 401)).toHaveLength(t.config.loginLimitPer15Min);
    expect(statuses.filter((s) => s === 429)).toHaveLength(2 * t.config.loginLimitPer15Min);
  });

  it('keeps no username in the clear, and forgets a window once it has ended', async () => {
    const member = await registerMember(t.app);
    const login = (username: string) =>
      call(t.app, 'POST', '/api/auth/login', { body: { username, password: 'not my password' } });
    expect((await login(member.username)).statusCode).toBe(401);
    const stored = async () => {
      const result = await t.database.db.execute(
        sql`SELECT encode(key, 'hex') AS key, hits AS attempts FROM rate_limit_counters ORDER BY reset_at`,
      );
      return (result as unknown as { rows: { key: string; attempts: number }[] }).rows;
    };
    const key = Buffer.from(keyOf({ name: 'sign-in-username' }, member.username)).toString('hex');
    const rows = await stored();
    expect(rows).toContainEqual({ key, attempts: 1 });
    // A minute past the window, the next attempt (whoever it is for) sweeps the ended rows away.
    t.clock.advance(16 * 60 * 1000);
    expect((await login('someone_else_entirely')).statusCode).toBe(401);
    const after = await stored();
    expect(after.map((row) => row.key)).not.toContain(key);
    expect(after).toContainEqual({
      key: Buffer.from(keyOf({ name: 'sign-in-username' }, 'someone_else_entirely')).toString('hex'),
      attempts: 1,
    });
  });

  it('limits registrations per address', async () => {
    const limited = await createTestApp({ registerLimitPerHour: 2 });
    try {
      const register = (i: number) =>
        limited.app.inject({
          method: 'POST',
          url: '/api/auth/register',
          headers: { origin: ORIGIN },
          payload: { username: `limited_${i}`, password: 'a long and quiet night' },
          remoteAddress: '192.0.2.9',
        });
      expect((await register(1)).statusCode).toBe(201);
      expect((await register(2)).statusCode).toBe(201);
      const third = await register(3);
      expect(third.statusCode).toBe(429);
      expect(third.json().error.message).toMatch(/joining is paused for a while/);
      expect(third.headers['retry-after']).toBeDefined();
    } finally {
      await limited.close();
    }
  });

  it('puts a general ceiling on requests per session', async () => {
    const limited = await createTestApp({ requestLimitPerMinute: 5 });
    try {
      const member = await registerMember(limited.app);
      const statuses: number[] = [];
      for (let i = 0; i < 8; i += 1) {
        statuses.push((await call(limited.app, 'GET', '/api/me', { cookie: member.cookie })).statusCode);
      }
      expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
      expect(statuses.slice(5)).toEqual([429, 429, 429]);
    } finally {
      await limited.close();
    }
  });
});
