// Admin is a fact stored in the database: granted and revoked only by the operator's CLI (the admin
// service behind it), each change kept in an append-only record. Nothing a visitor does makes an admin.
import { PassThrough } from 'node:stream';
import { schema } from '@kindred/db';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdminService } from '../src/admin/service.ts';
import { loadConfig } from '../src/config.ts';
import { call, createTestApp, makeAdmin, registerMember, type TestApp } from './helpers.ts';

let t: TestApp;
let logs = '';
beforeAll(async () => {
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => (logs += chunk.toString()));
  // A start with the retired variable set, as an operator upgrading from an older Kindred would have it.
  const { startupWarnings } = loadConfig({ ADMIN_USERNAMES: 'former_admin, Other_Admin' });
  t = await createTestApp({ logLevel: 'info', startupWarnings }, stream);
});
afterAll(() => t.close());

const service = () => createAdminService({ db: t.database.db, now: t.clock.now });
const newRoom = (slug: string) => ({
  slug,
  name: 'A room',
  description: 'For trying who may make rooms.',
  audience: 'everyone',
  rules: 'Be kind.',
});

describe('ADMIN_USERNAMES, retired', () => {
  it('makes no admin of a visitor who registers a name it lists', async () => {
    const visitor = await registerMember(t.app, { username: 'Former_Admin' });
    expect(visitor.user.isAdmin).toBe(false);
    expect((await call(t.app, 'GET', '/api/me', { cookie: visitor.cookie })).json().user.isAdmin).toBe(false);
    const res = await call(t.app, 'POST', '/api/rooms', { cookie: visitor.cookie, body: newRoom('not-theirs') });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('forbidden');
  });

  it('says once, at start, that it is retired and how to grant admin instead', () => {
    const warnings = logs.split('\n').filter((line) => line.includes('ADMIN_USERNAMES'));
    expect(warnings).toHaveLength(1);
    expect(JSON.parse(warnings[0]!)).toMatchObject({ level: 40 });
    expect(warnings[0]).toContain('npm run kindred -- admin grant');
    expect(warnings[0]).not.toContain('former_admin');
  });
});

describe('admin grant and revoke', () => {
  it('grants and revokes by username, in any letter case, and shows it on /api/me at once', async () => {
    const member = await registerMember(t.app);
    expect(await service().grant(member.username.toUpperCase(), 'ops@host')).toBe('changed');
    expect((await call(t.app, 'GET', '/api/me', { cookie: member.cookie })).json().user.isAdmin).toBe(true);
    expect(await service().admins()).toContain(member.username);
    expect(await service().revoke(member.username, 'ops@host')).toBe('changed');
    expect((await call(t.app, 'GET', '/api/me', { cookie: member.cookie })).json().user.isAdmin).toBe(false);
    expect(await service().admins()).not.toContain(member.username);
  });

  it('keeps who changed what, when, for which account; a repeat changes and records nothing', async () => {
    const member = await registerMember(t.app);
    await service().grant(member.username, 'maria@kindred-host');
    expect(await service().grant(member.username, 'maria@kindred-host')).toBe('unchanged');
    t.clock.advance(60_000);
    await service().revoke(member.username, 'sam@laptop');
    expect(await service().revoke(member.username, 'sam@laptop')).toBe('unchanged');
    const mine = (await service().changes()).filter((change) => change.username === member.username);
    expect(mine).toEqual([
      {
        change: 'granted',
        username: member.username,
        operator: 'maria@kindred-host',
        at: new Date('2026-06-01T12:00:00Z'),
      },
      { change: 'revoked', username: member.username, operator: 'sam@laptop', at: new Date('2026-06-01T12:01:00Z') },
    ]);
  });

  it('says so when there is no such member, and records nothing', async () => {
    const before = (await service().changes()).length;
    expect(await service().grant('nobody_here_at_all', 'ops@host')).toBe('no_such_member');
    expect(await service().revoke('nobody_here_at_all', 'ops@host')).toBe('no_such_member');
    expect((await service().changes()).length).toBe(before);
  });

  it('keeps the record append-only: no change can be edited or removed, even directly in the database', async () => {
    const member = await registerMember(t.app);
    await service().grant(member.username, 'ops@host');
    const { adminChanges } = schema;
    await expect(
      t.database.db
        .update(adminChanges)
        .set({ operator: 'someone else' })
        .where(eq(adminChanges.username, member.username)),
    ).rejects.toThrow();
    await expect(
      t.database.db.delete(adminChanges).where(eq(adminChanges.username, member.username)),
    ).rejects.toThrow();
    const [row] = await t.database.db
      .select({ count: sql<number>`count(*)::int` })
      .from(adminChanges)
      .where(eq(adminChanges.username, member.username));
    expect(row!.count).toBe(1);
  });

  it('does not hand a deleted admin’s rights to whoever registers the name next', async () => {
    const admin = await registerMember(t.app);
    await makeAdmin(t, admin);
    const deleted = await call(t.app, 'DELETE', '/api/me', {
      cookie: admin.cookie,
      body: { password: admin.password },
    });
    expect(deleted.statusCode).toBe(204);
    const next = await registerMember(t.app, { username: admin.username });
    expect(next.user.isAdmin).toBe(false);
    const res = await call(t.app, 'POST', '/api/rooms', { cookie: next.cookie, body: newRoom('inherited') });
    expect(res.statusCode).toBe(403);
    expect((await service().changes()).filter((change) => change.username === admin.username)).toHaveLength(1);
  });
});

describe('admin create', () => {
  it('makes a new admin account by the rules of registration, able to sign in', async () => {
    const user = await service().create(
      { username: 'Night_Keeper', password: 'lanterns along the harbour' },
      'ops@host',
    );
    expect(user).toMatchObject({ username: 'night_keeper', displayName: 'Night_Keeper', isAdmin: true });
    const res = await call(t.app, 'POST', '/api/auth/login', {
      body: { username: 'night_keeper', password: 'lanterns along the harbour' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().user.isAdmin).toBe(true);
    expect((await service().changes()).filter((change) => change.username === 'night_keeper')).toMatchObject([
      { change: 'created', operator: 'ops@host' },
    ]);
  });

  it.each([
    [
      'a name with spaces',
      { username: 'night keeper', password: 'lanterns along the harbour' },
      /Usernames are 3 to 32/,
    ],
    ['a short password', { username: 'short_pw_admin', password: 'lantern' }, /Passwords are 8 to 128/],
    ['a common password', { username: 'common_pw_admin', password: 'password123' }, /common|guess/i],
    ['a name already taken', { username: 'night_keeper', password: 'another harbour night' }, /already uses/],
  ])('refuses %s with the sentence registration gives, and makes no one admin', async (_case, input, sentence) => {
    if (input.username === 'night_keeper') {
      await service()
        .create({ username: 'night_keeper', password: 'lanterns along the harbour' }, 'ops@host')
        .catch(() => undefined);
    }
    const before = await service().changes();
    await expect(service().create(input, 'ops@host')).rejects.toThrow(sentence);
    expect(await service().changes()).toEqual(before);
  });
});
