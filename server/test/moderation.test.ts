// Moderation: reports, the queue, actions and their audit log, hidden messages in every path, and
// actions taking effect on live sockets.
import { schema } from '@kindred/db';
import { count, eq, sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { call, createTestApp, makeAdmin, registerMember, type Member, type TestApp } from './helpers.ts';
import { connect, listen, type Frame, type TestSocket } from './sockets.ts';

let t: TestApp;
let base: string;
let admin: Member;
const open: TestSocket[] = [];

beforeAll(async () => {
  t = await createTestApp({
    messageLimitPerMinute: 100_000,
    // One admin makes a room for nearly every test here; the limit itself is tested in limits.test.ts.
    limitOverrides: { rooms: 100_000 },
  });
  base = await listen(t.app);
  admin = await registerMember(t.app, { username: 'mod_admin' });
  await makeAdmin(t, admin);
});
afterEach(() => {
  for (const socket of open.splice(0)) socket.close();
});
afterAll(() => t.close());

let counter = 0;
const unique = () => `${process.pid}-${(counter += 1)}`;

interface Scene {
  slug: string;
  roomId: string;
  member: Member;
  author: Member;
  moderator: Member;
  moderatorElsewhere: Member;
  messageId: string;
}

async function newRoom(): Promise<{ slug: string; id: string }> {
  const slug = `mod-${unique()}`;
  const res = await call(t.app, 'POST', '/api/rooms', {
    cookie: admin.cookie,
    body: { slug, name: slug, description: 'Moderation test room', audience: 'everyone', rules: 'Be kind.' },
  });
  return { slug, id: res.json().room.id };
}

async function join(member: Member, slug: string) {
  await call(t.app, 'POST', `/api/rooms/${slug}/join`, { cookie: member.cookie, body: { acceptRules: true } });
}

async function socketFor(member: Member, slug?: string, since?: number): Promise<TestSocket> {
  const socket = await connect(base, member);
  open.push(socket);
  if (slug) expect((await socket.subscribe(slug, since)).type).toBe('subscribed');
  return socket;
}

async function send(socket: TestSocket, room: string, body: string): Promise<Frame> {
  const clientId = `m${unique()}`;
  socket.send({ type: 'send', room, clientId, body });
  return socket.next((f) => f.clientId === clientId || f.ref === clientId);
}

async function scene(): Promise<Scene> {
  const room = await newRoom();
  const other = await newRoom();
  const [member, author, moderator, moderatorElsewhere] = await Promise.all(
    Array.from({ length: 4 }, () => registerMember(t.app)),
  );
  for (const m of [member!, author!, moderator!]) await join(m, room.slug);
  await join(moderatorElsewhere!, other.slug);
  await call(t.app, 'PUT', `/api/rooms/${room.slug}/moderators/${moderator!.user.id}`, { cookie: admin.cookie });
  await call(t.app, 'PUT', `/api/rooms/${other.slug}/moderators/${moderatorElsewhere!.user.id}`, {
    cookie: admin.cookie,
  });
  const socket = await socketFor(author!, room.slug);
  const ack = await send(socket, room.slug, 'something that might be reported');
  return {
    slug: room.slug,
    roomId: room.id,
    member: member!,
    author: author!,
    moderator: moderator!,
    moderatorElsewhere: moderatorElsewhere!,
    messageId: (ack.message as { id: string }).id,
  };
}

async function auditCount(): Promise<number> {
  const [row] = await t.database.db.select({ n: count() }).from(schema.moderationActions);
  return Number(row!.n);
}

async function act(member: Member, body: Record<string, unknown>) {
  return call(t.app, 'POST', '/api/moderation/actions', { cookie: member.cookie, body });
}

describe('reports', () => {
  it('makes one queue item however often the same thing is reported, and hides the reporter from moderators', async () => {
    const s = await scene();
    const body = { target: { type: 'message', id: s.messageId }, reason: 'harassment', note: 'unkind' };
    const first = await call(t.app, 'POST', '/api/reports', { cookie: s.member.cookie, body });
    const again = await call(t.app, 'POST', '/api/reports', { cookie: s.member.cookie, body });
    expect(first.statusCode).toBe(201);
    expect(again.json().report.id).toBe(first.json().report.id);
    const reporter2 = await registerMember(t.app);
    await join(reporter2, s.slug);
    await call(t.app, 'POST', '/api/reports', {
      cookie: reporter2.cookie,
      body: { target: { type: 'message', id: s.messageId }, reason: 'spam' },
    });

    const queue = await call(t.app, 'GET', '/api/moderation/queue', { cookie: s.moderator.cookie });
    expect(queue.statusCode).toBe(200);
    const items = (queue.json().items as { target: { id: string }; reports: object[] }[]).filter(
      (item) => item.target.id === s.messageId,
    );
    expect(items).toHaveLength(1);
    expect(items[0]!.reports).toHaveLength(2);
    expect(queue.body).not.toContain(s.member.user.id);
    expect(queue.body).not.toContain(reporter2.user.id);

    const asAdmin = await call(t.app, 'GET', '/api/moderation/queue', { cookie: admin.cookie });
    expect(asAdmin.body).toContain(s.member.user.id);
  });

  it('puts "worried about this person" first, with the message and its context', async () => {
    const s = await scene();
    const socket = await socketFor(s.member, s.slug);
    await send(socket, s.slug, 'a message after');
    await call(t.app, 'POST', '/api/reports', {
      cookie: s.member.cookie,
      body: { target: { type: 'message', id: s.messageId }, reason: 'spam' },
    });
    const second = await send(socket, s.slug, 'I am worried about myself');
    await call(t.app, 'POST', '/api/reports', {
      cookie: s.author.cookie,
      body: { target: { type: 'message', id: (second.message as { id: string }).id }, reason: 'worried_about_member' },
    });
    const items = (await call(t.app, 'GET', '/api/moderation/queue', { cookie: s.moderator.cookie })).json().items;
    expect(items[0]).toMatchObject({ urgent: true, target: { id: (second.message as { id: string }).id } });
    const spam = items.find((item: { target: { id: string } }) => item.target.id === s.messageId);
    expect(spam.context.message.body).toBe('something that might be reported');
    expect(spam.context.surrounding.map((m: { body: string }) => m.body)).toContain('a message after');
    expect(spam.context.authorRecent.length).toBeGreaterThan(0);
  });

  it.each<[string, (s: Scene) => unknown, number, string]>([
    ['an unknown reason', (s) => ({ target: { type: 'message', id: s.messageId }, reason: 'rude' }), 400, 'validation'],
    ['an unknown target type', (s) => ({ target: { type: 'room', id: s.roomId }, reason: 'spam' }), 400, 'validation'],
    ['a malformed id', () => ({ target: { type: 'message', id: 'nope' }, reason: 'spam' }), 400, 'validation'],
    [
      'a too long note',
      (s) => ({ target: { type: 'message', id: s.messageId }, reason: 'spam', note: 'n'.repeat(1001) }),
      400,
      'validation',
    ],
    [
      'an unknown field',
      (s) => ({ target: { type: 'message', id: s.messageId }, reason: 'spam', urgent: true }),
      400,
      'validation',
    ],
    [
      'a message that does not exist',
      () => ({ target: { type: 'message', id: '00000000-0000-4000-8000-000000000000' }, reason: 'spam' }),
      404,
      'not_found',
    ],
  ])('refuses a report with %s', async (_case, body, status, code) => {
    const s = await scene();
    const res = await call(t.app, 'POST', '/api/reports', { cookie: s.member.cookie, body: body(s) });
    expect(res.statusCode).toBe(status);
    expect(res.json().error.code).toBe(code);
  });

  it('does not let someone outside a room report (or learn of) its messages', async () => {
    const s = await scene();
    const outsider = await registerMember(t.app);
    const res = await call(t.app, 'POST', '/api/reports', {
      cookie: outsider.cookie,
      body: { target: { type: 'message', id: s.messageId }, reason: 'spam' },
    });
    expect(res.statusCode).toBe(404);
  });

  it('lets a member report another member', async () => {
    const s = await scene();
    const res = await call(t.app, 'POST', '/api/reports', {
      cookie: s.member.cookie,
      body: { target: { type: 'user', id: s.author.user.id }, reason: 'harassment', room: s.slug },
    });
    expect(res.statusCode).toBe(201);
    const items = (await call(t.app, 'GET', '/api/moderation/queue', { cookie: s.moderator.cookie })).json().items;
    expect(items.map((i: { target: { id: string } }) => i.target.id)).toContain(s.author.user.id);
  });

  it('takes a member report only in a room both members are in, and alerts nobody otherwise', async () => {
    const s = await scene();
    await call(t.app, 'PUT', `/api/rooms/${s.slug}/duty`, { cookie: s.moderator.cookie, body: {} });
    const moderatorSocket = await socketFor(s.moderator);
    const outsider = await registerMember(t.app);
    const worried = (reporter: Member, about: Member, room?: string) =>
      call(t.app, 'POST', '/api/reports', {
        cookie: reporter.cookie,
        body: {
          target: { type: 'user', id: about.user.id },
          reason: 'worried_about_member',
          ...(room ? { room } : {}),
        },
      });
    const tries = [
      await worried(outsider, s.author, s.slug), // the reporter is not in the room
      await worried(s.member, s.moderatorElsewhere, s.slug), // the member reported is not in it
    ];
    expect(tries.map((res) => [res.statusCode, res.json().error?.code])).toEqual([
      [404, 'not_found'],
      [404, 'not_found'],
    ]);
    const noRoom = await worried(s.member, s.author);
    expect([noRoom.statusCode, noRoom.json().error]).toEqual([
      400,
      expect.objectContaining({ code: 'validation', field: 'room' }),
    ]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(moderatorSocket.frames.filter((f) => f.code === 'urgent_item')).toEqual([]);
    const items = (await call(t.app, 'GET', '/api/moderation/queue', { cookie: admin.cookie })).json().items;
    const about = items.map((i: { target: { id: string } }) => i.target.id);
    expect(about).not.toContain(s.author.user.id);
    expect(about).not.toContain(s.moderatorElsewhere.user.id);
    // Where both are members, it reaches the room's moderator on duty at once.
    expect((await worried(s.member, s.author, s.slug)).statusCode).toBe(201);
    await moderatorSocket.next((f) => f.type === 'notice' && f.code === 'urgent_item', 2000);
  });

  it('keeps the queue and the log from members', async () => {
    const member = await registerMember(t.app);
    expect((await call(t.app, 'GET', '/api/moderation/queue', { cookie: member.cookie })).statusCode).toBe(403);
    expect((await call(t.app, 'GET', '/api/moderation/log', { cookie: member.cookie })).statusCode).toBe(403);
    expect((await call(t.app, 'GET', '/api/moderation/queue')).statusCode).toBe(401);
  });
});

describe('authorization of every action', () => {
  type Actor = 'member' | 'moderatorHere' | 'moderatorElsewhere' | 'admin';
  const actors: Actor[] = ['member', 'moderatorHere', 'moderatorElsewhere', 'admin'];
  const who = (s: Scene, actor: Actor) =>
    ({ member: s.member, moderatorHere: s.moderator, moderatorElsewhere: s.moderatorElsewhere, admin })[actor];

  const actions: {
    name: string;
    body: (s: Scene, reportId: string) => Record<string, unknown>;
    adminOnly?: boolean;
  }[] = [
    { name: 'hide', body: (s) => ({ action: 'hide', target: { type: 'message', id: s.messageId } }) },
    { name: 'restore', body: (s) => ({ action: 'restore', target: { type: 'message', id: s.messageId } }) },
    {
      name: 'mute',
      body: (s) => ({
        action: 'mute',
        target: { type: 'user', id: s.author.user.id },
        room: s.slug,
        durationMinutes: 30,
      }),
    },
    {
      name: 'unmute',
      body: (s) => ({ action: 'unmute', target: { type: 'user', id: s.author.user.id }, room: s.slug }),
    },
    {
      name: 'remove_from_room',
      body: (s) => ({ action: 'remove_from_room', target: { type: 'user', id: s.author.user.id }, room: s.slug }),
    },
    {
      name: 'readmit',
      body: (s) => ({ action: 'readmit', target: { type: 'user', id: s.author.user.id }, room: s.slug }),
    },
    { name: 'ban', body: (s) => ({ action: 'ban', target: { type: 'user', id: s.author.user.id } }), adminOnly: true },
    {
      name: 'unban',
      body: (s) => ({ action: 'unban', target: { type: 'user', id: s.author.user.id } }),
      adminOnly: true,
    },
    {
      name: 'set_slow_mode',
      body: (s) => ({ action: 'set_slow_mode', target: { type: 'room', id: s.roomId }, seconds: 30 }),
    },
    { name: 'lock_room', body: (s) => ({ action: 'lock_room', target: { type: 'room', id: s.roomId } }) },
    { name: 'unlock_room', body: (s) => ({ action: 'unlock_room', target: { type: 'room', id: s.roomId } }) },
    {
      name: 'resolve_report',
      body: (_s, reportId) => ({ action: 'resolve_report', target: { type: 'report', id: reportId } }),
    },
  ];

  it.each(actions.flatMap((a) => actors.map((actor) => [a.name, actor, a] as const)))(
    '%s by %s',
    async (_name, actor, action) => {
      const s = await scene();
      await call(t.app, 'POST', '/api/reports', {
        cookie: s.member.cookie,
        body: { target: { type: 'message', id: s.messageId }, reason: 'spam' },
      });
      const [item] = await t.database.db
        .select({ id: schema.moderationItems.id })
        .from(schema.moderationItems)
        .where(eq(schema.moderationItems.targetId, s.messageId));
      const expected = actor === 'admin' || (actor === 'moderatorHere' && !action.adminOnly) ? 201 : 403;
      const before = await auditCount();
      const res = await act(who(s, actor), { ...action.body(s, item!.id), reason: 'Keeping the room safe.' });
      expect(res.statusCode).toBe(expected);
      expect(await auditCount()).toBe(before + (expected === 201 ? 1 : 0));
      if (expected === 201) {
        expect(res.json().action).toMatchObject({ action: action.name, reason: 'Keeping the room safe.' });
      } else {
        expect(res.json().error.code).toBe('forbidden');
      }
    },
  );

  it.each<[string, (s: Scene) => Record<string, unknown>, number]>([
    ['no reason', (s) => ({ action: 'hide', target: { type: 'message', id: s.messageId } }), 400],
    ['a blank reason', (s) => ({ action: 'hide', target: { type: 'message', id: s.messageId }, reason: '  ' }), 400],
    [
      'a mute without a duration',
      (s) => ({ action: 'mute', target: { type: 'user', id: s.author.user.id }, room: s.slug, reason: 'x' }),
      400,
    ],
    [
      'a mute without a room',
      (s) => ({ action: 'mute', target: { type: 'user', id: s.author.user.id }, durationMinutes: 5, reason: 'x' }),
      400,
    ],
    ['hiding a room', (s) => ({ action: 'hide', target: { type: 'room', id: s.roomId }, reason: 'x' }), 400],
    [
      'an unknown action',
      (s) => ({ action: 'delete_forever', target: { type: 'message', id: s.messageId }, reason: 'x' }),
      400,
    ],
    [
      'slow mode without seconds',
      (s) => ({ action: 'set_slow_mode', target: { type: 'room', id: s.roomId }, reason: 'x' }),
      400,
    ],
    [
      'a message that does not exist',
      () => ({ action: 'hide', target: { type: 'message', id: '00000000-0000-4000-8000-000000000000' }, reason: 'x' }),
      404,
    ],
  ])('refuses %s and writes no audit row', async (_case, body, status) => {
    const s = await scene();
    const before = await auditCount();
    const res = await act(admin, body(s));
    expect(res.statusCode).toBe(status);
    expect(await auditCount()).toBe(before);
  });

  it('keeps the audit log append-only, even for the database owner', async () => {
    const s = await scene();
    await act(s.moderator, { action: 'lock_room', target: { type: 'room', id: s.roomId }, reason: 'A pause.' });
    await expect(t.database.db.execute(sql`UPDATE moderation_actions SET reason = 'changed'`)).rejects.toThrow();
    await expect(t.database.db.execute(sql`DELETE FROM moderation_actions`)).rejects.toThrow();
    const log = await call(t.app, 'GET', `/api/moderation/log?room=${s.slug}`, { cookie: s.moderator.cookie });
    // The room's log holds the moderator's appointment too, at the same test time: found by what, not by order.
    expect(log.json().actions).toContainEqual(
      expect.objectContaining({
        action: 'lock_room',
        reason: 'A pause.',
        actor: expect.objectContaining({ id: s.moderator.user.id }),
      }),
    );
    const elsewhere = await call(t.app, 'GET', `/api/moderation/log?room=${s.slug}`, {
      cookie: s.moderatorElsewhere.cookie,
    });
    expect(elsewhere.statusCode).toBe(403);
  });
});

describe('whom a room moderator may act on', () => {
  it.each([
    ['mute', 'an admin'],
    ['mute', 'another moderator of the room'],
    ['remove_from_room', 'an admin'],
    ['remove_from_room', 'another moderator of the room'],
    ['unmute', 'another moderator of the room'],
    ['readmit', 'an admin'],
  ])('refuses a room moderator’s %s of %s, and writes nothing', async (action, whom) => {
    const s = await scene();
    await call(t.app, 'PUT', `/api/rooms/${s.slug}/moderators/${s.member.user.id}`, { cookie: admin.cookie });
    const target = whom === 'an admin' ? admin : s.member;
    const before = await auditCount();
    const res = await act(s.moderator, {
      action,
      target: { type: 'user', id: target.user.id },
      room: s.slug,
      ...(action === 'mute' ? { durationMinutes: 60 } : {}),
      reason: 'I disagree with them.',
    });
    expect([res.statusCode, res.json().error?.code]).toEqual([403, 'forbidden']);
    expect(res.json().error.message).toMatch(/admin/);
    expect(await auditCount()).toBe(before);
    const [mutes] = await t.database.db
      .select({ n: count() })
      .from(schema.roomMutes)
      .where(eq(schema.roomMutes.userId, target.user.id));
    const [removals] = await t.database.db
      .select({ n: count() })
      .from(schema.roomRemovals)
      .where(eq(schema.roomRemovals.userId, target.user.id));
    expect([Number(mutes!.n), Number(removals!.n)]).toEqual([0, 0]);
  });

  it('lets an admin act on a room’s moderator', async () => {
    const s = await scene();
    const res = await act(admin, {
      action: 'mute',
      target: { type: 'user', id: s.moderator.user.id },
      room: s.slug,
      durationMinutes: 15,
      reason: 'A pause, talked over first.',
    });
    expect(res.statusCode).toBe(201);
  });
});

describe('lifting sanctions', () => {
  const sanctionsOf = (member: Member | undefined, slug: string) =>
    call(t.app, 'GET', `/api/moderation/rooms/${slug}/sanctions`, member ? { cookie: member.cookie } : {});

  it('lets a removed member back: they can join again, and the lift is in the log', async () => {
    const s = await scene();
    await act(s.moderator, {
      action: 'remove_from_room',
      target: { type: 'user', id: s.author.user.id },
      room: s.slug,
      reason: 'Repeated harassment.',
    });
    const rejoin = () =>
      call(t.app, 'POST', `/api/rooms/${s.slug}/join`, { cookie: s.author.cookie, body: { acceptRules: true } });
    expect((await rejoin()).statusCode).toBe(403);
    const lifted = await act(s.moderator, {
      action: 'readmit',
      target: { type: 'user', id: s.author.user.id },
      room: s.slug,
      reason: 'We talked, and they are welcome back.',
    });
    expect(lifted.statusCode).toBe(201);
    expect(lifted.json().action).toMatchObject({ action: 'readmit', target: { type: 'user', id: s.author.user.id } });
    expect((await rejoin()).statusCode).toBeLessThan(300);
    const log = await call(t.app, 'GET', `/api/moderation/log?room=${s.slug}`, { cookie: s.moderator.cookie });
    // The test clock stood still, so the removal and its lift share a time: found by what, not by order.
    expect(log.json().actions).toContainEqual(
      expect.objectContaining({ action: 'readmit', reason: 'We talked, and they are welcome back.' }),
    );
  });

  it('shows a room’s moderators its current mutes and removals, until each is lifted or ends', async () => {
    const s = await scene();
    await act(s.moderator, {
      action: 'mute',
      target: { type: 'user', id: s.author.user.id },
      room: s.slug,
      durationMinutes: 10,
      reason: 'A short pause.',
    });
    await act(s.moderator, {
      action: 'remove_from_room',
      target: { type: 'user', id: s.member.user.id },
      room: s.slug,
      reason: 'Spam.',
    });
    const listed = (await sanctionsOf(s.moderator, s.slug)).json();
    expect(listed.mutes).toEqual([
      expect.objectContaining({ user: { id: s.author.user.id, displayName: s.author.user.displayName } }),
    ]);
    expect(listed.mutes[0].until).toBe(new Date(t.clock.now().getTime() + 10 * 60_000).toISOString());
    expect(listed.removals).toEqual([
      expect.objectContaining({ user: { id: s.member.user.id, displayName: s.member.user.displayName } }),
    ]);
    await act(s.moderator, {
      action: 'readmit',
      target: { type: 'user', id: s.member.user.id },
      room: s.slug,
      reason: 'Welcome back.',
    });
    t.clock.advance(11 * 60_000);
    expect((await sanctionsOf(admin, s.slug)).json()).toEqual({ mutes: [], removals: [] });
  });

  it.each<[string, (s: Scene) => Member | undefined, number]>([
    ['someone signed out', () => undefined, 401],
    ['a member of the room', (s) => s.member, 403],
    ['a moderator of another room', (s) => s.moderatorElsewhere, 403],
    ['the room’s moderator', (s) => s.moderator, 200],
    ['an admin', () => admin, 200],
  ])('shows a room’s sanctions to %s', async (_who, who, status) => {
    const s = await scene();
    expect((await sanctionsOf(who(s), s.slug)).statusCode).toBe(status);
  });

  it.each<[string, (s: Scene) => Member | undefined, number]>([
    ['someone signed out', () => undefined, 401],
    ['a member', (s) => s.member, 403],
    ['a room’s moderator', (s) => s.moderator, 403],
    ['an admin', () => admin, 200],
  ])('shows current bans to %s', async (_who, who, status) => {
    const s = await scene();
    const member = who(s);
    const res = await call(t.app, 'GET', '/api/moderation/bans', member ? { cookie: member.cookie } : {});
    expect(res.statusCode).toBe(status);
  });

  it('shows admins who is banned, until the ban is lifted', async () => {
    const s = await scene();
    const bans = async () =>
      (await call(t.app, 'GET', '/api/moderation/bans', { cookie: admin.cookie })).json().bans as {
        user: { id: string };
      }[];
    await act(admin, { action: 'ban', target: { type: 'user', id: s.author.user.id }, reason: 'Spam account.' });
    expect((await bans()).map((ban) => ban.user.id)).toContain(s.author.user.id);
    await act(admin, { action: 'unban', target: { type: 'user', id: s.author.user.id }, reason: 'Appeal accepted.' });
    expect((await bans()).map((ban) => ban.user.id)).not.toContain(s.author.user.id);
  });

  it('counts each moderator’s reads of sanctions in the database, so the limit holds across instances', async () => {
    const s = await scene();
    const other = await buildApp(t.config, { database: t.database, now: t.clock.now });
    try {
      for (let i = 0; i < 30; i += 1) {
        expect((await sanctionsOf(s.moderator, s.slug)).statusCode).toBe(200);
        const there = await call(other, 'GET', `/api/moderation/rooms/${s.slug}/sanctions`, {
          cookie: s.moderator.cookie,
        });
        expect(there.statusCode).toBe(200);
      }
      const over = await sanctionsOf(s.moderator, s.slug);
      expect([over.statusCode, over.json().error?.code]).toEqual([429, 'rate_limited']);
      expect((await sanctionsOf(admin, s.slug)).statusCode).toBe(200);
    } finally {
      await other.close();
    }
  });
});

describe('a hidden message', () => {
  it('is gone for members in every path, and moderators still see it marked hidden', async () => {
    const s = await scene();
    const watcher = await socketFor(s.member, s.slug);
    const res = await act(s.moderator, {
      action: 'hide',
      target: { type: 'message', id: s.messageId },
      reason: 'It named someone without their consent.',
    });
    expect(res.statusCode).toBe(201);
    const live = await watcher.next((f) => f.type === 'event' && f.kind === 'updated');
    expect(live.message).toMatchObject({ id: s.messageId, hidden: true, body: '' });

    const history = await call(t.app, 'GET', `/api/rooms/${s.slug}/messages`, { cookie: s.member.cookie });
    expect(history.body).not.toContain('something that might be reported');
    expect(history.json().messages[0]).toMatchObject({ hidden: true, body: '' });

    const resumed = await socketFor(s.member, s.slug, 0);
    const replay = await resumed.collect((f) => f.type === 'event', 2);
    expect(JSON.stringify(replay)).not.toContain('something that might be reported');

    const exported = await call(t.app, 'GET', '/api/me/export', { cookie: s.member.cookie });
    expect(exported.body).not.toContain('something that might be reported');

    const asModerator = await call(t.app, 'GET', `/api/rooms/${s.slug}/messages`, { cookie: s.moderator.cookie });
    expect(asModerator.json().messages[0]).toMatchObject({ hidden: true, body: 'something that might be reported' });
    const asAuthor = await call(t.app, 'GET', `/api/rooms/${s.slug}/messages`, { cookie: s.author.cookie });
    expect(asAuthor.json().messages[0]).toMatchObject({ hidden: true, body: 'something that might be reported' });
  });

  it('tells its author privately, with the reason, live and in their notices', async () => {
    const s = await scene();
    const authorSocket = await socketFor(s.author);
    await act(s.moderator, {
      action: 'hide',
      target: { type: 'message', id: s.messageId },
      reason: 'Please add a content note.',
    });
    const notice = await authorSocket.next((f) => f.type === 'notice' && f.code === 'message_hidden');
    expect(notice.text).toContain('Please add a content note.');
    const notices = await call(t.app, 'GET', '/api/me/notices', { cookie: s.author.cookie });
    expect(notices.json().notices[0]).toMatchObject({ kind: 'message_hidden', read: false, messageId: s.messageId });
    const others = await call(t.app, 'GET', '/api/me/notices', { cookie: s.member.cookie });
    expect(others.json().notices).toEqual([]);
    const id = notices.json().notices[0].id;
    expect((await call(t.app, 'POST', `/api/me/notices/${id}/read`, { cookie: s.member.cookie })).statusCode).toBe(404);
    expect((await call(t.app, 'POST', `/api/me/notices/${id}/read`, { cookie: s.author.cookie })).statusCode).toBe(204);
  });
});

describe('live enforcement', () => {
  it('mutes an already connected member within a second, with the end time', async () => {
    const s = await scene();
    const socket = await socketFor(s.author, s.slug);
    const started = Date.now();
    await act(s.moderator, {
      action: 'mute',
      target: { type: 'user', id: s.author.user.id },
      room: s.slug,
      durationMinutes: 10,
      reason: 'A short pause.',
    });
    const notice = await socket.next((f) => f.type === 'notice' && f.code === 'muted', 1000);
    const answer = await send(socket, s.slug, 'can I still write?');
    expect(Date.now() - started).toBeLessThan(1000);
    expect(answer).toMatchObject({ type: 'error', code: 'muted', until: notice.until });
    await act(s.moderator, {
      action: 'unmute',
      target: { type: 'user', id: s.author.user.id },
      room: s.slug,
      reason: 'Done.',
    });
    expect((await send(socket, s.slug, 'back again')).type).toBe('ack');
  });

  it('removes an already connected member from the room within a second, for good', async () => {
    const s = await scene();
    const socket = await socketFor(s.author, s.slug);
    const started = Date.now();
    await act(s.moderator, {
      action: 'remove_from_room',
      target: { type: 'user', id: s.author.user.id },
      room: s.slug,
      reason: 'Repeated harassment.',
    });
    await socket.next((f) => f.type === 'unsubscribed' && f.room === s.slug, 1000);
    expect(Date.now() - started).toBeLessThan(1000);
    const other = await socketFor(s.member, s.slug);
    await send(other, s.slug, 'the room goes on');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(
      socket.frames.filter((f) => f.type === 'event' && (f.message as { body: string }).body === 'the room goes on'),
    ).toEqual([]);
    expect(await send(socket, s.slug, 'let me back')).toMatchObject({ type: 'error', code: 'not_a_member' });
    const rejoin = await call(t.app, 'POST', `/api/rooms/${s.slug}/join`, {
      cookie: s.author.cookie,
      body: { acceptRules: true },
    });
    expect(rejoin.statusCode).toBe(403);
  });

  it('bans a member: their socket closes within a second and they cannot sign in', async () => {
    const s = await scene();
    const socket = await socketFor(s.author, s.slug);
    const started = Date.now();
    await act(admin, { action: 'ban', target: { type: 'user', id: s.author.user.id }, reason: 'Spam account.' });
    expect(await socket.waitClosed(1000)).toBe(4401);
    expect(Date.now() - started).toBeLessThan(1000);
    const login = await call(t.app, 'POST', '/api/auth/login', {
      body: { username: s.author.username, password: s.author.password },
    });
    expect(login.statusCode).toBe(403);
    expect(login.json().error.code).toBe('banned');
    await act(admin, { action: 'unban', target: { type: 'user', id: s.author.user.id }, reason: 'Appeal accepted.' });
    const again = await call(t.app, 'POST', '/api/auth/login', {
      body: { username: s.author.username, password: s.author.password },
    });
    expect(again.statusCode).toBe(200);
  });

  it('applies lock and slow mode to the next message', async () => {
    const s = await scene();
    const socket = await socketFor(s.author, s.slug);
    await act(s.moderator, { action: 'lock_room', target: { type: 'room', id: s.roomId }, reason: 'Cooling down.' });
    expect(await send(socket, s.slug, 'locked?')).toMatchObject({ type: 'error', code: 'forbidden' });
    await act(s.moderator, { action: 'unlock_room', target: { type: 'room', id: s.roomId }, reason: 'Open again.' });
    await act(s.moderator, {
      action: 'set_slow_mode',
      target: { type: 'room', id: s.roomId },
      seconds: 120,
      reason: 'Busy night.',
    });
    expect(await send(socket, s.slug, 'slow?')).toMatchObject({ type: 'error', code: 'rate_limited' });
  });
});

describe('who looks after what', () => {
  it('tells a volunteer moderator’s session that the dashboard is theirs, and a member’s that it is not', async () => {
    const s = await scene();
    expect((await call(t.app, 'GET', '/api/session', { cookie: s.moderator.cookie })).json().moderates).toBe(true);
    expect((await call(t.app, 'GET', '/api/session', { cookie: s.member.cookie })).json().moderates).toBe(false);
    expect((await call(t.app, 'GET', '/api/session', { cookie: admin.cookie })).json().moderates).toBe(true);
  });

  it('says who looks after stories and the wall: admins and story moderators, not room moderators', async () => {
    const s = await scene();
    const storyModerator = await registerMember(t.app);
    const named = await call(t.app, 'PUT', `/api/stories/moderators/${storyModerator.user.id}`, {
      cookie: admin.cookie,
    });
    expect(named.statusCode).toBe(204);
    const state = async (cookie: string) => (await call(t.app, 'GET', '/api/session', { cookie })).json();
    expect(await state(storyModerator.cookie)).toMatchObject({ moderates: true, moderatesStories: true });
    expect(await state(admin.cookie)).toMatchObject({ moderates: true, moderatesStories: true });
    expect(await state(s.moderator.cookie)).toMatchObject({ moderates: true, moderatesStories: false });
    expect(await state(s.member.cookie)).toMatchObject({ moderates: false, moderatesStories: false });
  });
});

describe('duty and the new-member sandbox', () => {
  it('lets only the room’s moderators go on duty', async () => {
    const s = await scene();
    expect(
      (await call(t.app, 'PUT', `/api/rooms/${s.slug}/duty`, { cookie: s.moderator.cookie, body: {} })).statusCode,
    ).toBe(204);
    expect(
      (await call(t.app, 'PUT', `/api/rooms/${s.slug}/duty`, { cookie: s.member.cookie, body: {} })).statusCode,
    ).toBe(403);
    expect(
      (await call(t.app, 'PUT', `/api/rooms/${s.slug}/duty`, { cookie: s.moderatorElsewhere.cookie, body: {} }))
        .statusCode,
    ).toBe(403);
    expect((await call(t.app, 'DELETE', `/api/rooms/${s.slug}/duty`, { cookie: s.moderator.cookie })).statusCode).toBe(
      204,
    );
  });

  it('tells on-duty moderators at once about an urgent report', async () => {
    const s = await scene();
    await call(t.app, 'PUT', `/api/rooms/${s.slug}/duty`, { cookie: s.moderator.cookie, body: {} });
    const moderatorSocket = await socketFor(s.moderator);
    await call(t.app, 'POST', '/api/reports', {
      cookie: s.member.cookie,
      body: { target: { type: 'message', id: s.messageId }, reason: 'worried_about_member' },
    });
    const notice = await moderatorSocket.next((f) => f.type === 'notice' && f.code === 'urgent_item', 2000);
    expect(notice.roomId).toBe(s.roomId);
  });

  it('tells no one who is no longer the room’s moderator, though they never went off duty', async () => {
    const s = await scene();
    await call(t.app, 'PUT', `/api/rooms/${s.slug}/duty`, { cookie: s.moderator.cookie, body: {} });
    await call(t.app, 'DELETE', `/api/rooms/${s.slug}/moderators/${s.moderator.user.id}`, { cookie: admin.cookie });
    const formerSocket = await socketFor(s.moderator);
    const report = await call(t.app, 'POST', '/api/reports', {
      cookie: s.member.cookie,
      body: { target: { type: 'message', id: s.messageId }, reason: 'worried_about_member' },
    });
    expect(report.statusCode).toBe(201);
    // The same report does reach a moderator on duty (the test above), so a short wait is enough here.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(formerSocket.frames.filter((f) => f.code === 'urgent_item')).toEqual([]);
  });

  it('keeps links out of a new member’s messages, and lets them through later', async () => {
    const s = await scene();
    const socket = await socketFor(s.member, s.slug);
    for (const body of ['see https://example.com/x', 'www.cheap-pills.example', 'visit spam-site.com today']) {
      expect(await send(socket, s.slug, body)).toMatchObject({ type: 'error', code: 'forbidden' });
    }
    expect((await send(socket, s.slug, 'no links here, just words. Take care.')).type).toBe('ack');
    t.clock.advance(25 * 60 * 60 * 1000);
    expect((await send(socket, s.slug, 'a helpful page: https://example.org/grief')).type).toBe('ack');
  });
});

describe('crisis escalation', () => {
  it('shows the writer crisis lines for their country at once, flags the message urgent, and removes nothing', async () => {
    const s = await scene();
    await call(t.app, 'PATCH', '/api/me', { cookie: s.member.cookie, body: { country: 'GB' } });
    await call(t.app, 'PUT', `/api/rooms/${s.slug}/duty`, { cookie: s.moderator.cookie, body: {} });
    const moderatorSocket = await socketFor(s.moderator);
    const writer = await socketFor(s.member, s.slug);
    const other = await socketFor(s.author, s.slug);
    const ack = await send(writer, s.slug, 'since the scan i just want to die, i cant do this');
    expect(ack.type).toBe('ack');
    const notice = await writer.next((f) => f.type === 'notice' && f.code === 'crisis_resources');
    expect(notice.resources).toMatchObject({ country: 'GB', emergency: '999' });
    expect(JSON.stringify(notice.resources)).toContain('116 123');
    const id = (ack.message as { id: string }).id;
    const seen = await other.next((f) => f.type === 'event' && (f.message as { id: string }).id === id);
    expect((seen.message as { body: string }).body).toContain('want to die');
    expect(other.frames.filter((f) => f.code === 'crisis_resources')).toEqual([]);
    const urgent = await moderatorSocket.next((f) => f.type === 'notice' && f.code === 'urgent_item', 2000);
    expect(urgent.roomId).toBe(s.roomId);
    const items = (await call(t.app, 'GET', '/api/moderation/queue', { cookie: s.moderator.cookie })).json().items;
    expect(items[0]).toMatchObject({ urgent: true, automaticReason: 'crisis_language', target: { id } });
  });

  it('says nothing for ordinary grief, or for "I’m not going to hurt myself"', async () => {
    const s = await scene();
    const writer = await socketFor(s.member, s.slug);
    await send(writer, s.slug, 'my baby died at 12 weeks and it feels like I died inside');
    await send(writer, s.slug, "I'm not going to hurt myself, I just needed to say it out loud");
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(writer.frames.filter((f) => f.code === 'crisis_resources')).toEqual([]);
  });

  it('falls back to the international list without a known country', async () => {
    const res = await call(t.app, 'GET', '/api/resources/crisis');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ country: null, emergency: null });
    expect(res.json().lines.length).toBeGreaterThan(0);
    expect((await call(t.app, 'GET', '/api/resources/crisis?country=nz')).json()).toMatchObject({ country: 'NZ' });
    expect((await call(t.app, 'GET', '/api/resources/crisis?country=toolong')).statusCode).toBe(400);
    const countries = (await call(t.app, 'GET', '/api/resources/countries')).json().countries;
    expect(countries.map((c: { code: string }) => c.code)).toEqual(expect.arrayContaining(['GB', 'US', 'AU']));
  });

  it('keeps a member’s country, and refuses one that is not a code', async () => {
    const member = await registerMember(t.app);
    const ok = await call(t.app, 'PATCH', '/api/me', { cookie: member.cookie, body: { country: 'IE' } });
    expect(ok.json().user.country).toBe('IE');
    // The member's own country by default; the international list only when that is what they ask for.
    const own = await call(t.app, 'GET', '/api/resources/crisis', { cookie: member.cookie });
    expect(own.json()).toMatchObject({ country: 'IE' });
    const only = await call(t.app, 'GET', '/api/resources/crisis?only=international', { cookie: member.cookie });
    expect(only.json()).toMatchObject({ country: null, emergency: null, lines: only.json().international });
    const wrong = await call(t.app, 'GET', '/api/resources/crisis?only=everything', { cookie: member.cookie });
    expect(wrong.statusCode).toBe(400);
    const bad = await call(t.app, 'PATCH', '/api/me', { cookie: member.cookie, body: { country: 'Ireland' } });
    expect(bad.statusCode).toBe(400);
  });
});
