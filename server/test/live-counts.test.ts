// Live counts over the chat socket: a socket that asks (`{type: "counts"}`) is told how many items wait in
// the review queue for its member (staff only, urgent apart) and how many of the member's notices are
// unread, and told again whenever either changes, from any instance. Each count is the count of the very
// list the member reads over HTTP (the queue, the notices), so it follows who may see what.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { COUNTS_AT_ONCE } from '../src/chat/budgets.ts';
import { call, createTestApp, makeAdmin, registerMember, type Member, type TestApp } from './helpers.ts';
import { connect, listen, type Frame, type TestSocket } from './sockets.ts';

let t: TestApp;
let base: string;
let admin: Member;
const open: TestSocket[] = [];

beforeAll(async () => {
  t = await createTestApp({ messageLimitPerMinute: 100_000, limitOverrides: { rooms: 100_000 } });
  base = await listen(t.app);
  admin = await registerMember(t.app, { username: `live_admin_${process.pid}` });
  await makeAdmin(t, admin);
});
afterEach(() => {
  for (const socket of open.splice(0)) socket.close();
});
afterAll(() => t.close());

let counter = 0;
const unique = () => `${process.pid}-${(counter += 1)}`;

async function newRoom(): Promise<{ slug: string; id: string }> {
  const slug = `live-${unique()}`;
  const res = await call(t.app, 'POST', '/api/rooms', {
    cookie: admin.cookie,
    body: { slug, name: slug, description: 'Live counts test room', audience: 'everyone', rules: 'Be kind.' },
  });
  return { slug, id: res.json().room.id };
}

async function join(member: Member, slug: string) {
  await call(t.app, 'POST', `/api/rooms/${slug}/join`, { cookie: member.cookie, body: { acceptRules: true } });
}

async function socketOf(member: Member, at = base): Promise<TestSocket> {
  const socket = await connect(at, member);
  open.push(socket);
  return socket;
}

/** A socket that follows its member's counts, with the first answer to that. */
async function following(member: Member, kind: 'queue' | 'notices', at = base) {
  const socket = await socketOf(member, at);
  socket.send({ type: 'counts' });
  const first = await socket.next((f) => f.type === kind);
  return { socket, first };
}

/** The next frame of this kind sent after `from` frames that matches. */
function nextOf(socket: TestSocket, kind: string, predicate: (f: Frame) => boolean, from = 0, timeoutMs = 5_000) {
  return socket.next((f) => f.type === kind && predicate(f), timeoutMs, from);
}

async function send(socket: TestSocket, room: string, body: string): Promise<string> {
  const clientId = `m${unique()}`;
  socket.send({ type: 'send', room, clientId, body });
  const ack = await socket.next((f) => f.clientId === clientId || f.ref === clientId);
  return (ack.message as { id: string }).id;
}

/** A room with a member who wrote a message, a moderator, and a moderator of another room. */
async function scene() {
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
  const authorSocket = await socketOf(author!);
  await authorSocket.subscribe(room.slug);
  const messageId = await send(authorSocket, room.slug, 'something that might be reported');
  return {
    room,
    other,
    member: member!,
    author: author!,
    moderator: moderator!,
    moderatorElsewhere: moderatorElsewhere!,
    authorSocket,
    messageId,
  };
}

async function queueLength(member: Member): Promise<{ total: number; urgent: number }> {
  const items = (await call(t.app, 'GET', '/api/moderation/queue', { cookie: member.cookie })).json().items as {
    urgent: boolean;
  }[];
  return { total: items.length, urgent: items.filter((item) => item.urgent).length };
}

const report = (member: Member, messageId: string, reason = 'harassment') =>
  call(t.app, 'POST', '/api/reports', {
    cookie: member.cookie,
    body: { target: { type: 'message', id: messageId }, reason },
  });

const resolve = (moderator: Member, itemId: string) =>
  call(t.app, 'POST', '/api/moderation/actions', {
    cookie: moderator.cookie,
    body: { action: 'resolve_report', target: { type: 'report', id: itemId }, reason: 'Looked at it, all well' },
  });

describe('who is told which counts', () => {
  it('refuses a socket to someone signed out, so they are told nothing', async () => {
    await expect(connect(base, undefined)).rejects.toMatchObject({ status: 401 });
  });

  it('tells a plain member their unread notices and never the queue', async () => {
    const s = await scene();
    const { socket, first } = await following(s.member, 'notices');
    expect(first).toEqual({ type: 'notices', unread: 0 });
    // An item about their room arrives: still nothing about the queue for them.
    expect((await report(s.member, s.messageId, 'worried_about_member')).statusCode).toBe(201);
    await new Promise((r) => setTimeout(r, 600));
    expect(socket.frames.filter((f) => f.type === 'queue')).toEqual([]);
  });

  it('tells a room moderator the count of their own queue, urgent apart, and nothing of other rooms', async () => {
    const s = await scene();
    const mod = await following(s.moderator, 'queue');
    const elsewhere = await following(s.moderatorElsewhere, 'queue');
    expect(mod.first).toEqual({ type: 'queue', total: 0, urgent: 0 });
    expect(await queueLength(s.moderator)).toEqual({ total: 0, urgent: 0 });
    expect(elsewhere.first).toMatchObject({ total: 0, urgent: 0 });

    const from = mod.socket.frames.length;
    expect((await report(s.member, s.messageId)).statusCode).toBe(201);
    const risen = await nextOf(mod.socket, 'queue', (f) => f.total === 1, from);
    expect(risen).toEqual({ type: 'queue', total: 1, urgent: 0 });

    // Words of risk make an urgent item, counted apart.
    const riskId = await send(s.authorSocket, s.room.slug, 'since the scan i just want to die, i cant do this');
    const urgent = await nextOf(mod.socket, 'queue', (f) => f.urgent === 1, from);
    expect(urgent).toEqual({ type: 'queue', total: 2, urgent: 1 });
    expect(await queueLength(s.moderator)).toEqual({ total: 2, urgent: 1 });

    // Resolving brings it down again.
    const items = (await call(t.app, 'GET', '/api/moderation/queue', { cookie: s.moderator.cookie })).json().items as {
      id: string;
      target: { id: string };
    }[];
    const riskItem = items.find((item) => item.target.id === riskId)!;
    expect((await resolve(s.moderator, riskItem.id)).statusCode).toBe(201);
    expect(await nextOf(mod.socket, 'queue', (f) => f.urgent === 0, mod.socket.frames.length)).toEqual({
      type: 'queue',
      total: 1,
      urgent: 0,
    });

    // The moderator of another room heard nothing new: their count never moved.
    expect(elsewhere.socket.frames.filter((f) => f.type === 'queue')).toEqual([{ type: 'queue', total: 0, urgent: 0 }]);
  });

  it('tells an admin of every room, and a story moderator of stories only', async () => {
    const s = await scene();
    const storyModerator = await registerMember(t.app);
    await call(t.app, 'PUT', `/api/stories/moderators/${storyModerator.user.id}`, { cookie: admin.cookie });
    const adminLive = await following(admin, 'queue');
    const storyLive = await following(storyModerator, 'queue');
    expect(adminLive.first).toEqual({ type: 'queue', ...(await queueLength(admin)) });
    expect(storyLive.first).toEqual({ type: 'queue', ...(await queueLength(storyModerator)) });

    const [adminFrom, storyFrom] = [adminLive.socket.frames.length, storyLive.socket.frames.length];
    await report(s.member, s.messageId);
    const afterReport = await queueLength(admin);
    await nextOf(adminLive.socket, 'queue', (f) => f.total === afterReport.total, adminFrom);

    // A new member's first story waits for a story moderator.
    const writer = await registerMember(t.app);
    const story = await call(t.app, 'POST', '/api/stories', {
      cookie: writer.cookie,
      body: { title: 'A first story', body: 'Some words of my own.', tags: [], contentWarnings: [], anonymous: true },
    });
    expect(story.json().story.status).toBe('pending');
    const expected = await queueLength(storyModerator);
    expect(await nextOf(storyLive.socket, 'queue', (f) => f.total === expected.total, storyFrom)).toEqual({
      type: 'queue',
      ...expected,
    });
    // The message report was not the story moderator's to see.
    expect(storyLive.socket.frames.filter((f) => f.type === 'queue').map((f) => f.total)).toEqual([
      storyLive.first.total,
      expected.total,
    ]);
    await nextOf(adminLive.socket, 'queue', (f) => f.total === afterReport.total + 1, adminFrom);
  });
});

describe('notices', () => {
  it('raises a member’s unread count when a moderator acts on their words, and lowers it when read anywhere', async () => {
    const s = await scene();
    const phone = await following(s.author, 'notices');
    const laptop = await following(s.author, 'notices');
    expect(phone.first).toEqual({ type: 'notices', unread: 0 });
    const hidden = await call(t.app, 'POST', '/api/moderation/actions', {
      cookie: s.moderator.cookie,
      body: { action: 'hide', target: { type: 'message', id: s.messageId }, reason: 'Unkind words' },
    });
    expect(hidden.statusCode).toBe(201);
    for (const device of [phone, laptop]) {
      expect(await nextOf(device.socket, 'notices', (f) => f.unread === 1)).toEqual({ type: 'notices', unread: 1 });
    }
    const [notice] = (await call(t.app, 'GET', '/api/me/notices', { cookie: s.author.cookie })).json().notices;
    const from = laptop.socket.frames.length;
    await call(t.app, 'POST', `/api/me/notices/${notice.id}/read`, { cookie: s.author.cookie });
    expect(await nextOf(laptop.socket, 'notices', (f) => f.unread === 0, from)).toEqual({ type: 'notices', unread: 0 });
  });
});

describe('the counts frame', () => {
  it('refuses a frame with anything more in it', async () => {
    const member = await registerMember(t.app);
    const socket = await socketOf(member);
    socket.send({ type: 'counts', rooms: ['all'] });
    expect(await socket.next((f) => f.type === 'error')).toMatchObject({ code: 'validation' });
    expect(socket.frames.filter((f) => f.type === 'notices' || f.type === 'queue')).toEqual([]);
  });

  it('has a budget per socket: asking over and over is refused, not counted again', async () => {
    const member = await registerMember(t.app);
    const socket = await socketOf(member);
    socket.sendTogether(Array.from({ length: COUNTS_AT_ONCE + 3 }, () => ({ type: 'counts' })));
    const refused = await socket.collect((f) => f.type === 'error' && f.code === 'rate_limited', 3);
    expect(refused[0]).toMatchObject({ retryAfter: expect.any(Number) });
    await socket.collect((f) => f.type === 'notices', COUNTS_AT_ONCE);
  });
});

// An embedded database belongs to one process: several instances need PostgreSQL.
describe.runIf(process.env.KINDRED_TEST_DB === 'postgres')('two instances on one database', () => {
  it('tells a moderator connected to one instance of an item that arrived through the other, and of its end', async () => {
    const second = await buildApp(t.config, { database: t.database, now: t.clock.now });
    try {
      const secondBase = await listen(second);
      const s = await scene();
      const mod = await following(s.moderator, 'queue', secondBase);
      const memberLive = await following(s.author, 'notices', secondBase);
      expect(mod.first).toMatchObject({ total: 0 });
      expect((await report(s.member, s.messageId, 'worried_about_member')).statusCode).toBe(201);
      expect(await nextOf(mod.socket, 'queue', (f) => f.total === 1)).toEqual({ type: 'queue', total: 1, urgent: 1 });
      const [item] = (await call(t.app, 'GET', '/api/moderation/queue', { cookie: s.moderator.cookie })).json().items;
      await call(t.app, 'POST', '/api/moderation/actions', {
        cookie: s.moderator.cookie,
        body: { action: 'hide', target: { type: 'message', id: s.messageId }, reason: 'Hidden for now' },
      });
      expect(await nextOf(memberLive.socket, 'notices', (f) => f.unread === 1)).toEqual({ type: 'notices', unread: 1 });
      const from = mod.socket.frames.length;
      expect((await resolve(s.moderator, item.id)).statusCode).toBe(201);
      expect(await nextOf(mod.socket, 'queue', (f) => f.total === 0, from)).toEqual({
        type: 'queue',
        total: 0,
        urgent: 0,
      });
    } finally {
      await second.close();
    }
  });
});
