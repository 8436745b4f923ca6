// A member's own account: name, password, sessions, export and deletion, on a real database.
import { schema } from '@kindred/db';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createTestApp, login, registerMember, sessionTokenOf, type TestApp } from './helpers.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe('who is signed in', () => {
  it('answers 401 unauthenticated to everyone signed out, on every /api/me route', async () => {
    const routes: [string, string, unknown?][] = [
      ['GET', '/api/me'],
      ['PATCH', '/api/me', { displayName: 'x' }],
      ['DELETE', '/api/me', { password: 'whatever it is' }],
      ['PUT', '/api/me/password', { currentPassword: 'a', newPassword: 'something long' }],
      ['GET', '/api/me/sessions'],
      ['DELETE', '/api/me/sessions'],
      ['DELETE', '/api/me/sessions/abc'],
      ['GET', '/api/me/export'],
    ];
    for (const [method, url, body] of routes) {
      const res = await call(t.app, method as 'GET', url, { body });
      expect(res.statusCode, `${method} ${url}`).toBe(401);
      expect(res.json().error.code).toBe('unauthenticated');
    }
  });
});

describe('display name', () => {
  it('changes, tidied of stray spaces and written in one Unicode form (NFC)', async () => {
    const member = await registerMember(t.app);
    const res = await call(t.app, 'PATCH', '/api/me', {
      cookie: member.cookie,
      body: { displayName: '  Sam \u3000  (Alex’s partner) Zoe\u0308 ' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().user.displayName).toBe('Sam (Alex’s partner) Zoë');
    expect(res.json().user.displayName).toBe('Sam (Alex’s partner) Zo\u00EB');
    expect((await call(t.app, 'GET', '/api/me', { cookie: member.cookie })).json().user.displayName).toBe(
      'Sam (Alex’s partner) Zoë',
    );
  });

  it.each<[string, unknown]>([
    ['missing', {}],
    ['empty', { displayName: '' }],
    ['only spaces', { displayName: '    ' }],
    ['only a control character', { displayName: '\u0007' }],
    ['too long', { displayName: 'n'.repeat(49) }],
    ['a number', { displayName: 42 }],
    ['with an unknown field', { displayName: 'Sam', username: 'other' }],
  ])('refuses a display name that is %s with 400 validation and keeps the old one', async (_case, body) => {
    const member = await registerMember(t.app, { displayName: 'Before' });
    const res = await call(t.app, 'PATCH', '/api/me', { cookie: member.cookie, body });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('validation');
    expect((await call(t.app, 'GET', '/api/me', { cookie: member.cookie })).json().user.displayName).toBe('Before');
  });

  // Characters by which one name can pass for another: invisible ones, and ones that turn text around.
  const hidden: [string, string][] = [
    ['a zero-width space', 'sec\u200Badmin'],
    ['a zero-width non-joiner', 'sec\u200Cadmin'],
    ['a zero-width joiner between letters', 'sec\u200Dadmin'],
    ['a word joiner', 'sec\u2060admin'],
    ['an invisible separator', 'sec\u2063admin'],
    ['a byte order mark', 'sec\uFEFFadmin'],
    ['a soft hyphen', 'sec\u00ADadmin'],
    ['a Mongolian vowel separator', 'sec\u180Eadmin'],
    ['a right-to-left override', 'Sam \u202Enimda'],
    ['a left-to-right embedding', 'Sam \u202Aadmin'],
    ['a right-to-left isolate', 'Sam \u2067admin\u2069'],
    ['a left-to-right mark', 'Sam\u200E'],
    ['a right-to-left mark', 'Sam\u200F'],
    ['an Arabic letter mark', 'Sam\u061C'],
    ['a Hangul filler', 'Sam\u3164'],
    ['a Hangul choseong filler', '\u115FSam'],
    ['a Hangul jungseong filler', 'Sam\u1160'],
    ['a halfwidth Hangul filler', 'Sam\uFFA0'],
    ['a Braille blank', 'Sam\u2800'],
    ['a tag character', 'Sam\u{E0061}\u{E0064}'],
    ['a combining grapheme joiner', 'sec\u034Fadmin'],
    ['a variation selector on a letter', 'sec\uFE0Fadmin'],
    ['an ideographic variation selector', 'Sam\u{E0100}'],
    ['a tab', 'Sam\tAdmin'],
    ['a line break', 'Sam\nAdmin'],
    ['a bell', 'Sam\u0007'],
  ];
  it.each(hidden)('refuses a name with %s, at registration and when changed', async (_case, displayName) => {
    const registered = await call(t.app, 'POST', '/api/auth/register', {
      body: {
        username: `hidden_${process.pid}_${hidden.findIndex(([, n]) => n === displayName)}`,
        password: 'a quiet walk by the river',
        displayName,
      },
    });
    expect(registered.statusCode).toBe(400);
    expect(registered.json().error).toMatchObject({ code: 'validation', field: 'displayName' });
    expect(registered.json().error.message).toMatch(/hidden character/);

    const member = await registerMember(t.app, { displayName: 'Before' });
    const changed = await call(t.app, 'PATCH', '/api/me', { cookie: member.cookie, body: { displayName } });
    expect(changed.statusCode).toBe(400);
    expect(changed.json().error).toMatchObject({ code: 'validation', field: 'displayName' });
    expect((await call(t.app, 'GET', '/api/me', { cookie: member.cookie })).json().user.displayName).toBe('Before');
  });

  it.each<[string, string]>([
    ['letters of many scripts', 'Zoë · Иван · مريم · 李华 · Ngozi'],
    ['an emoji with a variation selector', 'Sam ❤️'],
    ['an emoji family joined by zero-width joiners', 'The Okafors 👨‍👩‍👧'],
    ['an emoji with a skin tone and a joiner', 'Dr Ama 👩🏽‍⚕️'],
    ['a keycap', 'Rainbow 1️⃣'],
    ['the flag of Wales', 'Cerys 🏴󠁧󠁢󠁷󠁬󠁳󠁿'],
  ])('takes a name with %s', async (_case, displayName) => {
    const member = await registerMember(t.app, { displayName });
    expect(member.user.displayName).toBe(displayName);
  });
});

describe('password change', () => {
  it.each<[string, (password: string) => unknown, number, string, string]>([
    [
      'a wrong current password',
      () => ({ currentPassword: 'not mine at all', newPassword: 'fresh long phrase' }),
      401,
      'invalid_credentials',
      'currentPassword',
    ],
    [
      'a common new password',
      (p) => ({ currentPassword: p, newPassword: 'password1' }),
      400,
      'validation',
      'newPassword',
    ],
    [
      'too short a new password',
      (p) => ({ currentPassword: p, newPassword: 'short' }),
      400,
      'validation',
      'newPassword',
    ],
    [
      'too long a new password',
      (p) => ({ currentPassword: p, newPassword: 'x'.repeat(129) }),
      400,
      'validation',
      'newPassword',
    ],
    ['a missing current password', () => ({ newPassword: 'fresh long phrase' }), 400, 'validation', 'currentPassword'],
    [
      'an unknown field',
      (p) => ({ currentPassword: p, newPassword: 'fresh long phrase', confirm: 'x' }),
      400,
      'validation',
      'confirm',
    ],
  ])('refuses %s and keeps the old password', async (_case, body, status, code, field) => {
    const member = await registerMember(t.app);
    const res = await call(t.app, 'PUT', '/api/me/password', { cookie: member.cookie, body: body(member.password) });
    expect(res.statusCode).toBe(status);
    expect(res.json().error).toMatchObject({ code, field });
    expect((await login(t.app, member.username, member.password)).statusCode).toBe(200);
  });
});

describe('sessions', () => {
  it('lists the member’s own sessions, marking the current one', async () => {
    const member = await registerMember(t.app);
    await login(t.app, member.username, member.password);
    await registerMember(t.app); // someone else's session must not appear
    const res = await call(t.app, 'GET', '/api/me/sessions', { cookie: member.cookie });
    expect(res.statusCode).toBe(200);
    const { sessions } = res.json();
    expect(sessions).toHaveLength(2);
    expect(sessions.filter((s: { current: boolean }) => s.current)).toEqual([
      expect.objectContaining({ id: member.token.split('.')[0] }),
    ]);
    expect(Object.keys(sessions[0]).sort()).toEqual(['createdAt', 'current', 'id', 'lastSeenAt']);
  });

  it('revokes one of its own sessions, which then stops working', async () => {
    const member = await registerMember(t.app);
    const other = sessionTokenOf(await login(t.app, member.username, member.password));
    const res = await call(t.app, 'DELETE', `/api/me/sessions/${other.split('.')[0]}`, { cookie: member.cookie });
    expect(res.statusCode).toBe(204);
    expect((await call(t.app, 'GET', '/api/me', { cookie: `kindred_session=${other}` })).statusCode).toBe(401);
    expect((await call(t.app, 'GET', '/api/me', { cookie: member.cookie })).statusCode).toBe(200);
  });

  it('answers 404 for another member’s session id, which keeps working', async () => {
    const member = await registerMember(t.app);
    const stranger = await registerMember(t.app);
    const res = await call(t.app, 'DELETE', `/api/me/sessions/${stranger.token.split('.')[0]}`, {
      cookie: member.cookie,
    });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('not_found');
    expect((await call(t.app, 'GET', '/api/me', { cookie: stranger.cookie })).statusCode).toBe(200);
  });

  it('answers 400 for a session id that is too long', async () => {
    const member = await registerMember(t.app);
    const res = await call(t.app, 'DELETE', `/api/me/sessions/${'x'.repeat(65)}`, { cookie: member.cookie });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('validation');
  });

  it('signs out everywhere else, keeping this session', async () => {
    const member = await registerMember(t.app);
    const others = [
      sessionTokenOf(await login(t.app, member.username, member.password)),
      sessionTokenOf(await login(t.app, member.username, member.password)),
    ];
    const ended: string[][] = [];
    const listener = (ids: string[]) => ended.push(ids);
    t.app.sessionEvents.on('ended', listener);
    const res = await call(t.app, 'DELETE', '/api/me/sessions', { cookie: member.cookie });
    t.app.sessionEvents.off('ended', listener);
    expect(res.statusCode).toBe(204);
    for (const token of others) {
      expect((await call(t.app, 'GET', '/api/me', { cookie: `kindred_session=${token}` })).statusCode).toBe(401);
    }
    expect((await call(t.app, 'GET', '/api/me', { cookie: member.cookie })).statusCode).toBe(200);
    expect(ended.flat().sort()).toEqual(others.map((token) => token.split('.')[0]).sort());
  });
});

describe('export', () => {
  it('holds the member’s own rows and nothing secret or anyone else’s', async () => {
    const member = await registerMember(t.app, { displayName: 'Rowan' });
    const stranger = await registerMember(t.app, { displayName: 'Someone Else' });
    const res = await call(t.app, 'GET', '/api/me/export', { cookie: member.cookie });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-disposition']).toMatch(/attachment/);
    expect(res.headers['cache-control']).toBe('no-store');
    const data = res.json();
    expect(data.user).toMatchObject({ id: member.user.id, username: member.username, displayName: 'Rowan' });
    expect(data.sessions).toEqual([expect.objectContaining({ id: member.token.split('.')[0] })]);
    const text = res.body;
    expect(text).not.toContain(stranger.user.id);
    expect(text).not.toContain(stranger.username);
    expect(text).not.toMatch(/argon2|passwordHash|secretHash/);
    expect(text).not.toContain(member.token.split('.')[1]);
  });
});

describe('account deletion', () => {
  it('refuses a wrong password with 401 and deletes nothing', async () => {
    const member = await registerMember(t.app);
    const res = await call(t.app, 'DELETE', '/api/me', { cookie: member.cookie, body: { password: 'not it at all' } });
    expect(res.statusCode).toBe(401);
    expect(res.json().error).toMatchObject({ code: 'invalid_credentials', field: 'password' });
    expect((await call(t.app, 'GET', '/api/me', { cookie: member.cookie })).statusCode).toBe(200);
  });

  it.each<[string, unknown]>([
    ['no body', undefined],
    ['an empty object', {}],
    ['a number', { password: 12345678 }],
    ['an unknown field', { password: 'x', alsoDelete: 'everyone' }],
  ])('refuses %s with 400 validation', async (_case, body) => {
    const member = await registerMember(t.app);
    const res = await call(t.app, 'DELETE', '/api/me', { cookie: member.cookie, body });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('validation');
  });

  it('removes the account and its sessions, frees the name, and leaves others untouched', async () => {
    const member = await registerMember(t.app);
    const stranger = await registerMember(t.app);
    const res = await call(t.app, 'DELETE', '/api/me', { cookie: member.cookie, body: { password: member.password } });
    expect(res.statusCode).toBe(204);
    const { users, sessions } = schema;
    expect(await t.database.db.select().from(users).where(eq(users.id, member.user.id))).toEqual([]);
    expect(await t.database.db.select().from(sessions).where(eq(sessions.userId, member.user.id))).toEqual([]);
    expect((await login(t.app, member.username, member.password)).statusCode).toBe(401);
    expect((await call(t.app, 'GET', '/api/me', { cookie: stranger.cookie })).statusCode).toBe(200);
    const again = await registerMember(t.app, { username: member.username });
    expect(again.user.id).not.toBe(member.user.id);
  });

  it('vacuums every table that held the member’s words once the deletion has committed', async () => {
    // What VACUUM changes and a test can see on both databases: each table's vacuum count.
    const words = ['users', 'messages', 'stories', 'story_replies', 'journal_entries', 'hard_dates', 'candles'];
    const vacuumCounts = async () => {
      const result = await t.database.db.execute(
        sql`SELECT relname, vacuum_count::int AS count FROM pg_stat_user_tables WHERE relname IN ${words}`,
      );
      const rows = (result as unknown as { rows: { relname: string; count: number }[] }).rows;
      return Object.fromEntries(rows.map((row) => [row.relname, Number(row.count)]));
    };
    const before = await vacuumCounts();
    expect(Object.keys(before).sort()).toEqual([...words].sort());
    const member = await registerMember(t.app);
    const res = await call(t.app, 'DELETE', '/api/me', { cookie: member.cookie, body: { password: member.password } });
    expect(res.statusCode).toBe(204);
    let after = await vacuumCounts();
    for (let waited = 0; waited < 15_000 && words.some((name) => after[name]! <= before[name]!); waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      after = await vacuumCounts();
    }
    for (const name of words) expect(after[name], name).toBeGreaterThan(before[name]!);
  });
});

describe('no 5xx', () => {
  it('keeps every answer below 500 for odd paths and methods', async () => {
    const member = await registerMember(t.app);
    const probes: [string, string][] = [
      ['GET', '/api/me/sessions/%E0%A4%A'],
      ['DELETE', '/api/me/sessions/%00'],
      ['PUT', '/api/me'],
      ['POST', '/api/me/export'],
      ['GET', '/api/auth/login'],
      ['PATCH', '/api/me?displayName=x'],
    ];
    for (const [method, url] of probes) {
      const res = await call(t.app, method as 'GET', url, { cookie: member.cookie });
      expect(res.statusCode, `${method} ${url}`).toBeLessThan(500);
      expect(res.json().error?.code, `${method} ${url}: ${res.body}`).toEqual(expect.any(String));
    }
    const count = await t.database.db.execute(sql`SELECT count(*)::int AS n FROM users`);
    expect(count).toBeDefined();
  });
});

describe('session state', () => {
  it('answers 200 with the member, or with null for a visitor', async () => {
    const visitor = await call(t.app, 'GET', '/api/session');
    expect(visitor.statusCode).toBe(200);
    expect(visitor.json()).toEqual({ user: null, moderates: false, moderatesStories: false });
    const member = await registerMember(t.app);
    const res = await call(t.app, 'GET', '/api/session', { cookie: member.cookie });
    expect(res.json().user).toMatchObject({ id: member.user.id, username: member.username });
    await call(t.app, 'POST', '/api/auth/logout', { cookie: member.cookie });
    expect((await call(t.app, 'GET', '/api/session', { cookie: member.cookie })).json()).toEqual({
      user: null,
      moderates: false,
      moderatesStories: false,
    });
  });
});
