// Getting back into an account without email (issue 18, finding 8): recovery codes shown once at sign-up
// and renewable, "Forgot your password?" with one of them, and the one-time reset link an admin issues.
// On a real database, PGlite and PostgreSQL alike.
import { schema } from '@kindred/db';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  createRoom,
  createTestApp,
  makeAdmin,
  nextAddress,
  ORIGIN,
  registerMember,
  sessionTokenOf,
  type Member,
  type TestApp,
} from './helpers.ts';

let t: TestApp;
let admin: Member;
beforeAll(async () => {
  t = await createTestApp();
  admin = await registerMember(t.app);
  await makeAdmin(t, admin);
});
afterAll(() => t.close());

const CODE = /^[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4}$/;
const DAY = 24 * 60 * 60 * 1000;

/** Registers a member and keeps the recovery codes the answer showed once. */
async function joinWithCodes(): Promise<Member & { codes: string[] }> {
  const username = `keeper_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const password = 'slow tide under the pier';
  const res = await call(t.app, 'POST', '/api/auth/register', { body: { username, password } });
  expect(res.statusCode).toBe(201);
  const token = sessionTokenOf(res);
  return {
    user: res.json().user,
    username,
    password,
    token,
    cookie: `kindred_session=${token}`,
    codes: res.json().recoveryCodes,
  };
}

const me = (cookie: string) => call(t.app, 'GET', '/api/me', { cookie });
const recover = (body: unknown, remoteAddress?: string) =>
  call(t.app, 'POST', '/api/auth/recover', { body, ...(remoteAddress ? { remoteAddress } : {}) });
const signIn = (username: string, password: string) =>
  call(t.app, 'POST', '/api/auth/login', { body: { username, password } });

describe('recovery codes at sign-up', () => {
  it('are shown once at sign-up: ten distinct, easy-to-copy codes, none of them stored in the clear', async () => {
    const member = await joinWithCodes();
    expect(member.codes).toHaveLength(10);
    expect(new Set(member.codes).size).toBe(10);
    for (const code of member.codes) expect(code).toMatch(CODE);

    const state = await call(t.app, 'GET', '/api/me/recovery-codes', { cookie: member.cookie });
    expect(state.statusCode).toBe(200);
    expect(state.json()).toEqual({ remaining: 10, createdAt: expect.any(String) });
    // Never shown again: nothing but the count and the date comes back.
    expect(state.body).not.toContain(member.codes[0]);

    const rows = await t.database.db
      .select()
      .from(schema.recoveryCodes)
      .where(eq(schema.recoveryCodes.userId, member.user.id));
    expect(rows).toHaveLength(10);
    const stored = JSON.stringify(rows.map((row) => Buffer.from(row.codeHash).toString('latin1')));
    for (const code of member.codes) {
      expect(stored).not.toContain(code);
      expect(stored).not.toContain(code.replaceAll('-', ''));
    }
  });
});

describe('forgot your password: a recovery code', () => {
  it('changes the password, spends the code, ends every session and signs in fresh', async () => {
    const member = await joinWithCodes();
    const second = await signIn(member.username, member.password);
    const secondCookie = `kindred_session=${sessionTokenOf(second)}`;

    // Typed as a person might: lower case, spaces instead of hyphens.
    const typed = ` ${member.codes[3]!.toLowerCase().replaceAll('-', ' ')} `;
    const res = await recover({
      username: member.username.toUpperCase(),
      recoveryCode: typed,
      newPassword: 'a new path home',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().user.id).toBe(member.user.id);
    const fresh = `kindred_session=${sessionTokenOf(res)}`;
    expect((await me(fresh)).statusCode).toBe(200);
    expect((await me(member.cookie)).statusCode).toBe(401);
    expect((await me(secondCookie)).statusCode).toBe(401);

    expect((await signIn(member.username, member.password)).statusCode).toBe(401);
    expect((await signIn(member.username, 'a new path home')).statusCode).toBe(200);

    const again = await recover({
      username: member.username,
      recoveryCode: member.codes[3],
      newPassword: 'another way',
    });
    expect(again.statusCode).toBe(401);
    expect(again.json().error.code).toBe('invalid_credentials');
    const state = await call(t.app, 'GET', '/api/me/recovery-codes', { cookie: fresh });
    expect(state.json().remaining).toBe(9);

    const other = await recover({
      username: member.username,
      recoveryCode: member.codes[4],
      newPassword: 'another way',
    });
    expect(other.statusCode).toBe(200);
  });

  it('answers an unknown name and a wrong code alike, so nobody learns which names exist', async () => {
    const member = await joinWithCodes();
    const wrongCode = await recover({
      username: member.username,
      recoveryCode: 'ABCD-EFGH-JKMN-PQRS',
      newPassword: 'a new path home',
    });
    const unknown = await recover({
      username: 'nobody_here_at_all',
      recoveryCode: member.codes[0],
      newPassword: 'a new path home',
    });
    const otherMembersCode = await recover({
      username: admin.username,
      recoveryCode: member.codes[0],
      newPassword: 'a new path home',
    });
    expect(wrongCode.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(otherMembersCode.statusCode).toBe(401);
    expect(unknown.json()).toEqual(wrongCode.json());
    expect(otherMembersCode.json()).toEqual(wrongCode.json());
    // Nothing changed for the member.
    expect((await me(member.cookie)).statusCode).toBe(200);
    expect((await signIn(member.username, member.password)).statusCode).toBe(200);
  });

  it('lets one code work once when two people use it at the same moment', async () => {
    const member = await joinWithCodes();
    const both = await Promise.all([
      recover({ username: member.username, recoveryCode: member.codes[0], newPassword: 'first of the two' }),
      recover({ username: member.username, recoveryCode: member.codes[0], newPassword: 'second of the two' }),
    ]);
    expect(both.map((res) => res.statusCode).sort()).toEqual([200, 401]);
    const winner = both.find((res) => res.statusCode === 200)!;
    const winning = winner === both[0] ? 'first of the two' : 'second of the two';
    expect((await signIn(member.username, winning)).statusCode).toBe(200);
  });

  it('refuses a common new password before anything is spent', async () => {
    const member = await joinWithCodes();
    const res = await recover({ username: member.username, recoveryCode: member.codes[0], newPassword: 'password1' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'validation', field: 'newPassword' });
    expect((await call(t.app, 'GET', '/api/me/recovery-codes', { cookie: member.cookie })).json().remaining).toBe(10);
  });

  it('is limited per username, wherever the guesses come from', async () => {
    const member = await joinWithCodes();
    for (let i = 0; i < t.config.loginLimitPer15Min; i++) {
      const res = await recover({
        username: member.username,
        recoveryCode: `WRNG-CODE-${i}AAA-AAAA`,
        newPassword: 'a new path home',
      });
      expect(res.statusCode).toBe(401);
    }
    const over = await recover({
      username: member.username,
      recoveryCode: member.codes[0],
      newPassword: 'a new path home',
    });
    expect(over.statusCode).toBe(429);
    expect(over.json().error.code).toBe('rate_limited');
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
    // Refused before the check: the right code was not spent.
    t.clock.advance(16 * 60 * 1000);
    const later = await recover({
      username: member.username,
      recoveryCode: member.codes[0],
      newPassword: 'a new path home',
    });
    expect(later.statusCode).toBe(200);
  });

  it('is limited per address, whatever names are tried from it', async () => {
    const address = nextAddress();
    for (let i = 0; i < t.config.loginLimitPer15Min; i++) {
      const res = await recover(
        { username: `someone_${i}`, recoveryCode: 'ABCD-EFGH-JKMN-PQRS', newPassword: 'a new path home' },
        address,
      );
      expect(res.statusCode).toBe(401);
    }
    const over = await recover(
      { username: 'someone_else', recoveryCode: 'ABCD-EFGH-JKMN-PQRS', newPassword: 'a new path home' },
      address,
    );
    expect(over.statusCode).toBe(429);
    expect(over.json().error.message).toMatch(/from here/);
  });

  it.each<[string, unknown]>([
    ['no body fields', {}],
    ['no code', { username: 'someone', newPassword: 'a new path home' }],
    ['a code far too long', { username: 'someone', recoveryCode: 'A'.repeat(65), newPassword: 'a new path home' }],
    ['a NUL in the code', { username: 'someone', recoveryCode: 'ABCD\u0000EFGH', newPassword: 'a new path home' }],
    ['a short new password', { username: 'someone', recoveryCode: 'ABCD-EFGH-JKMN-PQRS', newPassword: 'short' }],
    ['a number for a code', { username: 'someone', recoveryCode: 12345678, newPassword: 'a new path home' }],
    ['an unknown field', { username: 'someone', recoveryCode: 'ABCD', newPassword: 'a new path home', extra: 1 }],
  ])('answers %s with 400 validation, never a 5xx', async (_case, body) => {
    const res = await recover(body);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('validation');
  });
});

describe('renewing recovery codes in /account', () => {
  it('needs the current password, and the new set replaces the old', async () => {
    const member = await joinWithCodes();
    const wrong = await call(t.app, 'POST', '/api/me/recovery-codes', {
      cookie: member.cookie,
      body: { password: 'not my password' },
    });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error).toMatchObject({ code: 'invalid_credentials', field: 'password' });

    const renewed = await call(t.app, 'POST', '/api/me/recovery-codes', {
      cookie: member.cookie,
      body: { password: member.password },
    });
    expect(renewed.statusCode).toBe(201);
    const codes: string[] = renewed.json().recoveryCodes;
    expect(codes).toHaveLength(10);
    expect(codes.some((code) => member.codes.includes(code))).toBe(false);

    const old = await recover({
      username: member.username,
      recoveryCode: member.codes[0],
      newPassword: 'a new path home',
    });
    expect(old.statusCode).toBe(401);
    const fresh = await recover({ username: member.username, recoveryCode: codes[0], newPassword: 'a new path home' });
    expect(fresh.statusCode).toBe(200);
  });

  it('offers codes to a member who joined before codes existed', async () => {
    const member = await registerMember(t.app);
    await t.database.db.delete(schema.recoveryCodes).where(eq(schema.recoveryCodes.userId, member.user.id));
    const before = await call(t.app, 'GET', '/api/me/recovery-codes', { cookie: member.cookie });
    expect(before.json()).toEqual({ remaining: 0, createdAt: null });
    const made = await call(t.app, 'POST', '/api/me/recovery-codes', {
      cookie: member.cookie,
      body: { password: member.password },
    });
    expect(made.statusCode).toBe(201);
    const after = await call(t.app, 'GET', '/api/me/recovery-codes', { cookie: member.cookie });
    expect(after.json()).toEqual({ remaining: 10, createdAt: t.clock.now().toISOString() });
  });

  it('is for signed-in members only', async () => {
    expect((await call(t.app, 'GET', '/api/me/recovery-codes')).statusCode).toBe(401);
    expect((await call(t.app, 'POST', '/api/me/recovery-codes', { body: { password: 'x' } })).statusCode).toBe(401);
  });

  it('says in the data export when the codes were made and how many are left, never the hashes', async () => {
    const member = await joinWithCodes();
    const res = await call(t.app, 'GET', '/api/me/export', { cookie: member.cookie });
    expect(res.json().recovery).toEqual({
      codes: { remaining: 10, createdAt: expect.any(String) },
      resetLinks: [],
    });
    expect(res.body).not.toMatch(/codeHash|code_hash|tokenHash/);
  });
});

describe('a reset link from an admin', () => {
  let moderator: Member;
  let storyModerator: Member;
  beforeAll(async () => {
    const room = await createRoom(t.app, admin, 'reset');
    moderator = await registerMember(t.app);
    await call(t.app, 'POST', `/api/rooms/${room.slug}/join`, {
      cookie: moderator.cookie,
      body: { acceptRules: true },
    });
    await call(t.app, 'PUT', `/api/rooms/${room.slug}/moderators/${moderator.user.id}`, { cookie: admin.cookie });
    storyModerator = await registerMember(t.app);
    await call(t.app, 'PUT', `/api/stories/moderators/${storyModerator.user.id}`, { cookie: admin.cookie });
  });

  const issue = (memberId: string, cookie?: string) =>
    call(t.app, 'POST', `/api/admin/members/${memberId}/reset-link`, cookie ? { cookie } : {});
  const status = (memberId: string, cookie?: string) =>
    call(t.app, 'GET', `/api/admin/members/${memberId}/reset-link`, cookie ? { cookie } : {});

  it.each<[string, () => string | undefined, number]>([
    ['a signed-out visitor', () => undefined, 401],
    ['a member', () => 'member', 403],
    ['a room moderator', () => moderator.cookie, 403],
    ['a story moderator', () => storyModerator.cookie, 403],
    ['an admin', () => admin.cookie, 201],
  ])('may be issued by %s', async (_who, cookieOf, expected) => {
    const member = await registerMember(t.app);
    const cookie = cookieOf() === 'member' ? (await registerMember(t.app)).cookie : cookieOf();
    const issued = await issue(member.user.id, cookie);
    expect(issued.statusCode).toBe(expected);
    const read = await status(member.user.id, cookie);
    expect(read.statusCode).toBe(expected === 201 ? 200 : expected);
  });

  it('is not for an admin’s own account on the web (the operator’s CLI does that)', async () => {
    const res = await issue(admin.user.id, admin.cookie);
    expect(res.statusCode).toBe(403);
    expect(res.json().error.message).toMatch(/command line/);
  });

  it.each<[string, string, number]>([
    ['nobody with that id', '6f1d2c3b-0000-4000-8000-000000000000', 404],
    ['not an id', 'not-a-member', 400],
  ])('answers %s', async (_case, id, expected) => {
    expect((await issue(id, admin.cookie)).statusCode).toBe(expected);
  });

  it('is shown once, works once within 24 hours, ends every session, and is audited without the password', async () => {
    const member = await joinWithCodes();
    const issued = await issue(member.user.id, admin.cookie);
    expect(issued.statusCode).toBe(201);
    const { url, expiresAt } = issued.json().link;
    expect(url).toMatch(new RegExp(`^${ORIGIN}/reset/[a-z2-7]{32}$`));
    expect(expiresAt).toBe(new Date(t.clock.now().getTime() + DAY).toISOString());
    const token = url.split('/reset/')[1];

    const waiting = await status(member.user.id, admin.cookie);
    expect(waiting.json().link).toEqual({ issuedAt: t.clock.now().toISOString(), expiresAt, usedAt: null });
    expect(waiting.body).not.toContain(token);

    const info = await call(t.app, 'GET', `/api/auth/reset/${token}`);
    expect(info.statusCode).toBe(200);
    expect(info.json()).toEqual({ username: member.username, expiresAt });

    t.clock.advance(60 * 1000);
    const used = await call(t.app, 'POST', `/api/auth/reset/${token}`, {
      body: { newPassword: 'morning comes again' },
    });
    expect(used.statusCode).toBe(200);
    expect(used.json().user.id).toBe(member.user.id);
    expect((await me(`kindred_session=${sessionTokenOf(used)}`)).statusCode).toBe(200);
    expect((await me(member.cookie)).statusCode).toBe(401);
    expect((await signIn(member.username, 'morning comes again')).statusCode).toBe(200);

    const twice = await call(t.app, 'POST', `/api/auth/reset/${token}`, { body: { newPassword: 'once more again' } });
    expect(twice.statusCode).toBe(404);
    expect((await call(t.app, 'GET', `/api/auth/reset/${token}`)).statusCode).toBe(404);

    const seen = await status(member.user.id, admin.cookie);
    expect(seen.json().link.usedAt).toBe(t.clock.now().toISOString());

    const audit = await t.database.db
      .select()
      .from(schema.moderationActions)
      .where(eq(schema.moderationActions.targetId, member.user.id));
    expect(audit.map((row) => [row.action, row.actorId, row.targetType, row.subjectId])).toEqual([
      ['issue_reset_link', admin.user.id, 'account', null],
      ['use_reset_link', member.user.id, 'account', null],
    ]);
    expect(JSON.stringify(audit)).not.toContain('morning comes again');
    expect(JSON.stringify(audit)).not.toContain(token);
    // The log admins read shows it; a volunteer moderator's does not.
    const log = await call(t.app, 'GET', '/api/moderation/log', { cookie: admin.cookie });
    expect(log.json().actions.map((a: { action: string }) => a.action)).toContain('issue_reset_link');
    const theirs = await call(t.app, 'GET', '/api/moderation/log', { cookie: moderator.cookie });
    expect(theirs.json().actions.map((a: { action: string }) => a.action)).not.toContain('issue_reset_link');
  });

  it('stops working after 24 hours, and a newer link replaces an older one', async () => {
    const member = await registerMember(t.app);
    const first = (await issue(member.user.id, admin.cookie)).json().link.url.split('/reset/')[1];
    const second = (await issue(member.user.id, admin.cookie)).json().link.url.split('/reset/')[1];
    expect((await call(t.app, 'GET', `/api/auth/reset/${first}`)).statusCode).toBe(404);
    expect((await call(t.app, 'GET', `/api/auth/reset/${second}`)).statusCode).toBe(200);
    t.clock.advance(DAY);
    const late = await call(t.app, 'POST', `/api/auth/reset/${second}`, { body: { newPassword: 'too late for this' } });
    expect(late.statusCode).toBe(404);
    expect(late.json().error.code).toBe('not_found');
    expect((await signIn(member.username, member.password)).statusCode).toBe(200);
  });

  it.each<[string, string, unknown, number]>([
    ['a token of the wrong shape', 'not-a-token', { newPassword: 'a new path home' }, 400],
    ['a token nobody issued', 'a'.repeat(32), { newPassword: 'a new path home' }, 404],
    ['a short password', 'a'.repeat(32), { newPassword: 'short' }, 400],
    ['an unknown field', 'a'.repeat(32), { newPassword: 'a new path home', extra: true }, 400],
  ])('answers %s without a 5xx', async (_case, token, body, expected) => {
    const res = await call(t.app, 'POST', `/api/auth/reset/${token}`, { body });
    expect(res.statusCode).toBe(expected);
  });

  it('refuses a common password and leaves the link unspent', async () => {
    const member = await registerMember(t.app);
    const token = (await issue(member.user.id, admin.cookie)).json().link.url.split('/reset/')[1];
    const res = await call(t.app, 'POST', `/api/auth/reset/${token}`, { body: { newPassword: 'password1' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.field).toBe('newPassword');
    expect((await call(t.app, 'GET', `/api/auth/reset/${token}`)).statusCode).toBe(200);
  });

  it('limits how many links one admin issues in a day', async () => {
    const busy = await registerMember(t.app);
    await makeAdmin(t, busy);
    const member = await registerMember(t.app);
    const answers: number[] = [];
    for (let i = 0; i <= 20; i++) answers.push((await issue(member.user.id, busy.cookie)).statusCode);
    expect(answers.slice(0, 20).every((code) => code === 201)).toBe(true);
    expect(answers[20]).toBe(429);
  });

  it('limits tries of reset links per address', async () => {
    const address = nextAddress();
    const tries: number[] = [];
    for (let i = 0; i <= t.config.loginLimitPer15Min; i++) {
      const res = await call(t.app, 'POST', `/api/auth/reset/${'b'.repeat(32)}`, {
        body: { newPassword: 'a new path home' },
        remoteAddress: address,
      });
      tries.push(res.statusCode);
    }
    expect(tries.at(-1)).toBe(429);
    expect(tries.slice(0, -1).every((code) => code === 404)).toBe(true);
  });
});

it('documents every recovery route in the OpenAPI document, with its schemas', async () => {
  const doc = (await call(t.app, 'GET', '/api/docs')).json();
  const operations: [string, string, string][] = [
    ['/api/me/recovery-codes', 'get', '200'],
    ['/api/me/recovery-codes', 'post', '201'],
    ['/api/auth/recover', 'post', '200'],
    ['/api/auth/reset/{token}', 'get', '200'],
    ['/api/auth/reset/{token}', 'post', '200'],
    ['/api/admin/members/{id}/reset-link', 'post', '201'],
    ['/api/admin/members/{id}/reset-link', 'get', '200'],
  ];
  for (const [path, method, status] of operations) {
    const operation = doc.paths[path]?.[method];
    expect(operation, `${method} ${path}`).toBeDefined();
    expect(operation.responses[status].content['application/json'].schema, `${method} ${path}`).toBeDefined();
    expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['400', '401', '429']));
  }
  expect(
    doc.paths['/api/auth/register'].post.responses['201'].content['application/json'].schema.properties,
  ).toHaveProperty('recoveryCodes');
});

it('keeps no recovery secret in the clear anywhere in the database', async () => {
  const member = await joinWithCodes();
  const issued = await call(t.app, 'POST', `/api/admin/members/${member.user.id}/reset-link`, { cookie: admin.cookie });
  const token = issued.json().link.url.split('/reset/')[1];
  const dump = await t.database.db.execute(
    sql`SELECT row_to_json(r)::text AS row FROM (SELECT * FROM password_reset_links UNION ALL SELECT id, user_id, code_hash, NULL, created_at, created_at, used_at FROM recovery_codes) r`,
  );
  const text = JSON.stringify(dump);
  expect(text).not.toContain(token);
  for (const code of member.codes) expect(text).not.toContain(code.replaceAll('-', ''));
});
