// Read positions and unread counts: each member's last read seq per room, which only moves forward, the
// unread count that follows it (never one's own words, nor hidden, deleted or blocked authors' messages),
// and the `read` frame that tells every socket of that member, on every instance, that it moved.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { call, createRoom, createTestApp, makeAdmin, registerMember, type Member, type TestApp } from './helpers.ts';
import { connect, listen, type TestSocket } from './sockets.ts';

let t: TestApp;
let base: string;
let admin: Member;
const open: TestSocket[] = [];

beforeAll(async () => {
  t = await createTestApp({
    messageLimitPerMinute: 100_000,
    limitOverrides: { rooms: 100_000, readPositions: 30 },
  });
  base = await listen(t.app);
  admin = await registerMember(t.app, { username: `reads_admin_${process.pid}` });
  await makeAdmin(t, admin);
});
afterEach(() => {
  for (const socket of open.splice(0)) socket.close();
});
afterAll(() => t.close());

let counter = 0;
const unique = () => `${process.pid}-${(counter += 1)}`;

async function join(member: Member, slug: string) {
  const res = await call(t.app, 'POST', `/api/rooms/${slug}/join`, {
    cookie: member.cookie,
    body: { acceptRules: true },
  });
  expect(res.statusCode).toBe(200);
}

async function socketOf(member: Member, at = base): Promise<TestSocket> {
  const socket = await connect(at, member);
  open.push(socket);
  return socket;
}

/** Sends a message as `member` and returns its id and seq. */
async function say(socket: TestSocket, room: string, body = 'Thinking of you tonight.') {
  const clientId = `m${unique()}`;
  socket.send({ type: 'send', room, clientId, body });
  const ack = await socket.next((f) => f.clientId === clientId || f.ref === clientId, 20_000);
  expect(ack.type).toBe('ack');
  return ack.message as { id: string; seq: number };
}

function putRead(member: Member | undefined, slug: string, body: unknown, app = t.app) {
  return call(app, 'PUT', `/api/rooms/${slug}/read`, { ...(member ? { cookie: member.cookie } : {}), body });
}

async function roomOf(member: Member, slug: string) {
  const res = await call(t.app, 'GET', `/api/rooms/${slug}`, { cookie: member.cookie });
  expect(res.statusCode).toBe(200);
  return res.json().room;
}

async function listed(member: Member | undefined, slug: string) {
  const res = await call(t.app, 'GET', '/api/rooms', member ? { cookie: member.cookie } : {});
  expect(res.statusCode).toBe(200);
  return (res.json().rooms as { slug: string }[]).find((room) => room.slug === slug) as Record<string, unknown>;
}

/** A room with a reader and a writer in it, and the writer's socket. */
async function scene() {
  const room = await createRoom(t.app, admin, 'reads');
  const [reader, writer] = await Promise.all([registerMember(t.app), registerMember(t.app)]);
  await join(reader!, room.slug);
  await join(writer!, room.slug);
  const writerSocket = await socketOf(writer!);
  expect((await writerSocket.subscribe(room.slug)).type).toBe('subscribed');
  // Here now, once presence has been written.
  await writerSocket.next((f) => f.type === 'presence' && f.hereNow === 1);
  return { ...room, reader: reader!, writer: writer!, writerSocket };
}

describe('unread counts', () => {
  it('counts the messages after the read position that the member would see, not their own', async () => {
    const s = await scene();
    expect(await listed(s.reader, s.slug)).toMatchObject({ readSeq: null, unread: 0, hereNow: 1 });
    const first = await say(s.writerSocket, s.slug);
    await say(s.writerSocket, s.slug);
    await say(s.writerSocket, s.slug);
    expect(await listed(s.reader, s.slug)).toMatchObject({ readSeq: null, unread: 3, moderatorOnDuty: false });
    // The writer's own words are never unread to them.
    expect(await listed(s.writer, s.slug)).toMatchObject({ unread: 0 });

    const res = await putRead(s.reader, s.slug, { seq: first.seq });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ readSeq: first.seq, unread: 2 });
    expect(await roomOf(s.reader, s.slug)).toMatchObject({ readSeq: first.seq, unread: 2, hereNames: [] });
  });

  it('leaves out hidden and deleted messages and those of members the reader blocked', async () => {
    const s = await scene();
    const [other, third] = await Promise.all([registerMember(t.app), registerMember(t.app)]);
    await join(other!, s.slug);
    await join(third!, s.slug);
    const otherSocket = await socketOf(other!);
    await otherSocket.subscribe(s.slug);
    const hidden = await say(s.writerSocket, s.slug, 'This one a moderator hides.');
    const deleted = await say(s.writerSocket, s.slug, 'This one its writer deletes.');
    await say(s.writerSocket, s.slug, 'This one stays.');
    await say(otherSocket, s.slug, 'Blocked words.');
    expect(await listed(s.reader, s.slug)).toMatchObject({ unread: 4 });

    const hide = await call(t.app, 'POST', '/api/moderation/actions', {
      cookie: admin.cookie,
      body: { action: 'hide', target: { type: 'message', id: hidden.id }, reason: 'Hidden for now.' },
    });
    expect(hide.statusCode).toBe(201);
    s.writerSocket.send({ type: 'delete', messageId: deleted.id });
    await s.writerSocket.next((f) => f.type === 'done' && f.ref === deleted.id);
    expect((await call(t.app, 'PUT', `/api/me/blocks/${other!.user.id}`, { cookie: s.reader.cookie })).statusCode).toBe(
      204,
    );
    expect(await listed(s.reader, s.slug)).toMatchObject({ unread: 1 });
    // Another member who blocked nobody still counts the blocked member's words.
    expect(await listed(third!, s.slug)).toMatchObject({ readSeq: null, unread: 2 });
  });

  it('gives rooms the member has not joined, and visitors, no read position or presence', async () => {
    const s = await scene();
    const stranger = await registerMember(t.app);
    for (const viewer of [stranger, undefined]) {
      const room = await listed(viewer, s.slug);
      expect(room).toBeDefined();
      for (const key of ['readSeq', 'unread', 'hereNow', 'moderatorOnDuty', 'hereNames']) {
        expect(room).not.toHaveProperty(key);
      }
    }
  });
});

describe('PUT /api/rooms/:slug/read', () => {
  it('only moves forward, and clamps a seq beyond the newest to the newest', async () => {
    const s = await scene();
    const a = await say(s.writerSocket, s.slug);
    const b = await say(s.writerSocket, s.slug);
    expect((await putRead(s.reader, s.slug, { seq: b.seq })).json()).toEqual({ readSeq: b.seq, unread: 0 });
    expect((await putRead(s.reader, s.slug, { seq: a.seq })).json()).toEqual({ readSeq: b.seq, unread: 0 });
    expect((await putRead(s.reader, s.slug, { seq: b.seq + 1000 })).json()).toEqual({ readSeq: b.seq, unread: 0 });
    const c = await say(s.writerSocket, s.slug);
    expect(await listed(s.reader, s.slug)).toMatchObject({ readSeq: b.seq, unread: 1 });
    expect((await putRead(s.reader, s.slug, { seq: c.seq })).json()).toEqual({ readSeq: c.seq, unread: 0 });
  });

  it('answers who may and who may not', async () => {
    const s = await scene();
    await say(s.writerSocket, s.slug);
    const [stranger, removed, banned, moderator] = await Promise.all(
      Array.from({ length: 4 }, () => registerMember(t.app)),
    );
    await join(removed!, s.slug);
    await join(banned!, s.slug);
    const removal = await call(t.app, 'POST', '/api/moderation/actions', {
      cookie: admin.cookie,
      body: { action: 'remove_from_room', target: { type: 'user', id: removed!.user.id }, room: s.slug, reason: 'x' },
    });
    expect(removal.statusCode).toBe(201);
    const ban = await call(t.app, 'POST', '/api/moderation/actions', {
      cookie: admin.cookie,
      body: { action: 'ban', target: { type: 'user', id: banned!.user.id }, reason: 'x' },
    });
    expect(ban.statusCode).toBe(201);
    // A room's moderator is kept in the moderators' room; a plain member is not told it exists.
    await join(moderator!, s.slug);
    await call(t.app, 'PUT', `/api/rooms/${s.slug}/moderators/${moderator!.user.id}`, { cookie: admin.cookie });

    const cases: [string, Member | undefined, string, unknown, number, string?][] = [
      ['a member of the room', s.reader, s.slug, { seq: 1 }, 200],
      ['a member who has not joined', stranger, s.slug, { seq: 1 }, 403, 'not_a_member'],
      ['a visitor', undefined, s.slug, { seq: 1 }, 401, 'unauthenticated'],
      ['a member removed from the room', removed, s.slug, { seq: 1 }, 403, 'not_a_member'],
      ['a banned member', banned, s.slug, { seq: 1 }, 401, 'unauthenticated'],
      ['a plain member, at the moderators’ room', s.reader, 'moderators-room', { seq: 1 }, 404, 'not_found'],
      ['a moderator, at the moderators’ room', moderator, 'moderators-room', { seq: 0 }, 200],
      ['anyone, at no room', s.reader, `nowhere-${unique()}`, { seq: 1 }, 404, 'not_found'],
      ['a negative seq', s.reader, s.slug, { seq: -1 }, 400, 'validation'],
      ['a seq that is not a number', s.reader, s.slug, { seq: 'last' }, 400, 'validation'],
      ['no seq', s.reader, s.slug, {}, 400, 'validation'],
      ['more than a seq', s.reader, s.slug, { seq: 1, userId: stranger!.user.id }, 400, 'validation'],
    ];
    for (const [who, member, slug, body, status, code] of cases) {
      const res = await putRead(member, slug, body);
      expect(res.statusCode, who).toBe(status);
      if (code) expect(res.json().error.code, who).toBe(code);
    }
    // Nothing a refusal could have stored: the stranger still has no position once they join.
    await join(stranger!, s.slug);
    expect(await listed(stranger!, s.slug)).toMatchObject({ readSeq: null });
  });

  it('has a limit per member, with a clear answer past it', async () => {
    const s = await scene();
    const answers: number[] = [];
    for (let i = 0; i < 31; i += 1) answers.push((await putRead(s.reader, s.slug, { seq: 0 })).statusCode);
    expect(answers.slice(0, 30).every((status) => status === 200)).toBe(true);
    const refused = await putRead(s.reader, s.slug, { seq: 0 });
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error.code).toBe('rate_limited');
    expect(refused.headers['retry-after']).toBeDefined();
    // Another member is not held back by it.
    expect((await putRead(s.writer, s.slug, { seq: 0 })).statusCode).toBe(200);
  });
});

describe('the read frame', () => {
  it('tells every socket of the member when their position moves, and no one else', async () => {
    const s = await scene();
    const a = await say(s.writerSocket, s.slug);
    const b = await say(s.writerSocket, s.slug);
    const phone = await socketOf(s.reader);
    const laptop = await socketOf(s.reader);
    // Neither needs to be subscribed to the room: a tab on /rooms hears it too.
    phone.send({ type: 'ping' });
    laptop.send({ type: 'ping' });
    await phone.next((f) => f.type === 'pong');
    await laptop.next((f) => f.type === 'pong');

    expect((await putRead(s.reader, s.slug, { seq: a.seq })).statusCode).toBe(200);
    for (const socket of [phone, laptop]) {
      expect(await socket.next((f) => f.type === 'read')).toEqual({
        type: 'read',
        room: s.slug,
        readSeq: a.seq,
        unread: 1,
      });
    }
    // A PUT that does not move the position sends nothing: the next frame is the one for the move after it.
    await putRead(s.reader, s.slug, { seq: a.seq });
    await putRead(s.reader, s.slug, { seq: b.seq });
    const reads = await laptop.collect((f) => f.type === 'read', 2);
    expect(reads[1]).toEqual({ type: 'read', room: s.slug, readSeq: b.seq, unread: 0 });
    // The writer's socket heard of no one's reading but their own.
    await putRead(s.writer, s.slug, { seq: b.seq });
    const writerReads = await s.writerSocket.collect((f) => f.type === 'read', 1);
    expect(writerReads[0]).toEqual({ type: 'read', room: s.slug, readSeq: b.seq, unread: 0 });
  });
});

// An embedded database belongs to one process: several instances need PostgreSQL.
describe.runIf(process.env.KINDRED_TEST_DB === 'postgres')('two instances on one database', () => {
  it('clears the laptop on one instance when the phone reads on the other, and counts the limit over both', async () => {
    const second = await buildApp(t.config, { database: t.database, now: t.clock.now });
    try {
      const secondBase = await listen(second);
      const s = await scene();
      const a = await say(s.writerSocket, s.slug);
      const laptop = await socketOf(s.reader, secondBase);
      laptop.send({ type: 'ping' });
      await laptop.next((f) => f.type === 'pong');
      expect(await listed(s.reader, s.slug)).toMatchObject({ unread: 1 });
      expect((await putRead(s.reader, s.slug, { seq: a.seq })).statusCode).toBe(200);
      expect(await laptop.next((f) => f.type === 'read')).toEqual({
        type: 'read',
        room: s.slug,
        readSeq: a.seq,
        unread: 0,
      });
      // The limit is the member's, wherever their requests land.
      const statuses: number[] = [];
      for (let i = 0; i < 32; i += 1) {
        statuses.push((await putRead(s.reader, s.slug, { seq: 0 }, i % 2 ? second : t.app)).statusCode);
      }
      expect(statuses.filter((status) => status === 429).length).toBe(32 - 29);
    } finally {
      await second.close();
    }
  });
});
