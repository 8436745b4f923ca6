// Real-time chat over real sockets on a real database: ordering, idempotency, resume, resync,
// per-message authorization, limits, and sessions that end.
import { schema } from '@kindred/db';
import { CLOSE_TOO_SLOW } from '@kindred/shared';
import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { MAX_REPLAY } from '../src/chat/gateway.ts';
import {
  call,
  createRoom,
  createTestApp,
  joinedMember,
  makeAdmin,
  ORIGIN,
  registerMember,
  type Member,
  type TestApp,
} from './helpers.ts';
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
  admin = await registerMember(t.app, { username: 'chat_admin' });
  await makeAdmin(t, admin);
});
afterEach(() => {
  for (const socket of open.splice(0)) socket.close();
});
afterAll(() => t.close());

const newRoom = async (overrides: Record<string, unknown> = {}): Promise<string> =>
  (await createRoom(t.app, admin, 'chat', overrides)).slug;

const memberOf = (slug: string): Promise<Member> => joinedMember(t.app, slug);

async function socketFor(member: Member, slug?: string, since?: number): Promise<TestSocket> {
  const socket = await connect(base, member);
  open.push(socket);
  if (slug) {
    const answer = await socket.subscribe(slug, since);
    expect(answer.type).toBe('subscribed');
  }
  return socket;
}

let clientCounter = 0;
const nextClientId = () => `c${process.pid}-${(clientCounter += 1)}`;

async function sendAndAck(
  socket: TestSocket,
  room: string,
  body: string,
  clientId = nextClientId(),
  timeoutMs = 10_000,
): Promise<Frame> {
  socket.send({ type: 'send', room, clientId, body });
  return socket.next(
    (f) => (f.type === 'ack' || f.type === 'error') && (f.clientId === clientId || f.ref === clientId),
    timeoutMs,
  );
}

const events = (socket: TestSocket) => socket.frames.filter((f) => f.type === 'event');

describe('the upgrade', () => {
  it.each<[string, Record<string, string>, boolean, number]>([
    ['no Origin', {}, true, 403],
    ['a foreign Origin', { origin: 'https://evil.example' }, true, 403],
    ['a null Origin', { origin: 'null' }, true, 403],
    ['no session', { origin: ORIGIN }, false, 401],
  ])('is refused with %s', async (_case, headers, withCookie, status) => {
    const member = await registerMember(t.app);
    await expect(connect(base, withCookie ? member : undefined, headers)).rejects.toMatchObject({ status });
  });
});

describe('sending', () => {
  it('acknowledges after commit and delivers the event to every member, with the agreed shape', async () => {
    const room = await newRoom();
    const [a, b] = [await memberOf(room), await memberOf(room)];
    const sa = await socketFor(a, room);
    const sb = await socketFor(b, room);
    const ack = await sendAndAck(sa, room, 'I lost our baby at 10 weeks. I don’t know who to tell.');
    expect(ack.type).toBe('ack');
    const message = ack.message as Record<string, unknown>;
    expect(message).toEqual({
      id: expect.any(String),
      room,
      seq: 1,
      author: { id: a.user.id, displayName: a.user.displayName, staff: null, markColour: null },
      body: 'I lost our baby at 10 weeks. I don’t know who to tell.',
      replyTo: null,
      contentWarnings: [],
      filtered: [],
      authorBlocked: false,
      reactions: {},
      createdAt: expect.any(String),
      editedAt: null,
      deleted: false,
      hidden: false,
    });
    const seen = await sb.next((f) => f.type === 'event');
    expect(seen).toMatchObject({ type: 'event', room, seq: 1, kind: 'created', message: { id: message.id } });
    const [stored] = await t.database.db
      .select()
      .from(schema.messages)
      .where(eq(schema.messages.id, message.id as string));
    expect(stored?.body).toContain('10 weeks');
  });

  it('gives every member the same events in the same seq order under concurrent senders', async () => {
    const room = await newRoom();
    const members = await Promise.all(Array.from({ length: 4 }, () => memberOf(room)));
    const sockets = await Promise.all(members.map((m) => socketFor(m, room)));
    // Forty sockets in all (several tabs each), every one of which must see the same stream.
    const readers = await Promise.all(
      Array.from({ length: 36 }, (_, i) => socketFor(members[i % members.length]!, room)),
    );
    const perSender = 25;
    // In waves, without waiting for acks: later waves queue while earlier ones commit, so each sender's
    // messages span several batches (and the next batch's facts are read while one is stored).
    const acks: Promise<Frame>[] = [];
    for (let wave = 0; wave < 5; wave += 1) {
      for (const [s, socket] of sockets.entries()) {
        for (let i = wave * 5; i < wave * 5 + 5; i += 1)
          acks.push(sendAndAck(socket, room, `sender ${s} message ${i}`));
      }
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await Promise.all(acks);
    const total = perSender * sockets.length;
    const streams = await Promise.all(
      [...sockets, ...readers].map((socket) => socket.collect((f) => f.type === 'event', total)),
    );
    expect(streams).toHaveLength(40);
    const reference = streams[0]!.map((f) => `${f.seq}:${(f.message as { id: string }).id}`);
    expect(streams[0]!.map((f) => f.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    for (const stream of streams)
      expect(stream.map((f) => `${f.seq}:${(f.message as { id: string }).id}`)).toEqual(reference);
    // Each sender's own messages keep their order.
    for (let s = 0; s < sockets.length; s += 1) {
      const mine = streams[0]!
        .map((f) => (f.message as { body: string }).body)
        .filter((b) => b.startsWith(`sender ${s} `));
      expect(mine).toEqual(Array.from({ length: perSender }, (_, i) => `sender ${s} message ${i}`));
    }
  });

  it('answers a retried clientId with the original message and stores it once, across sessions and restarts', async () => {
    const room = await newRoom();
    const member = await memberOf(room);
    const watcher = await socketFor(await memberOf(room), room);
    const first = await socketFor(member, room);
    const clientId = nextClientId();
    const ack1 = await sendAndAck(first, room, 'once only', clientId);
    const ack2 = await sendAndAck(first, room, 'once only', clientId);
    expect((ack2.message as { id: string }).id).toBe((ack1.message as { id: string }).id);

    // From another session, on an app built afresh over the same database (a restart).
    const { buildApp } = await import('../src/app.ts');
    const restarted = await buildApp(t.config, { database: t.database, now: t.clock.now });
    const otherBase = await listen(restarted);
    const login = await call(restarted, 'POST', '/api/auth/login', {
      body: { username: member.username, password: member.password },
    });
    const cookie = `kindred_session=${login.cookies.find((c) => c.name === 'kindred_session')!.value}`;
    const second = await connect(otherBase, { ...member, cookie });
    const ack3 = await sendAndAck(second, room, 'once only', clientId);
    second.close();
    await restarted.close();
    expect((ack3.message as { id: string }).id).toBe((ack1.message as { id: string }).id);

    const stored = await t.database.db.select().from(schema.messages).where(eq(schema.messages.clientId, clientId));
    expect(stored).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(events(watcher).filter((f) => (f.message as { body: string }).body === 'once only')).toHaveLength(1);
  });

  it('handles the same clientId twice in one burst as one message', async () => {
    const room = await newRoom();
    const socket = await socketFor(await memberOf(room), room);
    const clientId = nextClientId();
    const [a, b] = await Promise.all([
      sendAndAck(socket, room, 'burst', clientId),
      sendAndAck(socket, room, 'burst', clientId),
    ]);
    expect((a.message as { id: string }).id).toBe((b.message as { id: string }).id);
  });
});

describe('resume', () => {
  it('replays every missed event in order after a disconnect', async () => {
    const room = await newRoom();
    const [a, b] = [await memberOf(room), await memberOf(room)];
    const sa = await socketFor(a, room);
    const sb = await socketFor(b, room);
    await sendAndAck(sa, room, 'before');
    const lastSeen = (await sb.next((f) => f.type === 'event')).seq as number;
    sb.close();
    for (let i = 0; i < 5; i += 1) await sendAndAck(sa, room, `while away ${i}`);
    const back = await socketFor(b);
    const answer = await back.subscribe(room, lastSeen);
    expect(answer).toMatchObject({ type: 'subscribed', lastSeq: lastSeen + 5 });
    const replayed = await back.collect((f) => f.type === 'event', 5);
    expect(replayed.map((f) => f.seq)).toEqual([2, 3, 4, 5, 6]);
    expect(replayed.map((f) => (f.message as { body: string }).body)).toEqual(
      [0, 1, 2, 3, 4].map((i) => `while away ${i}`),
    );
    await sendAndAck(sa, room, 'live again');
    const live = await back.collect((f) => f.type === 'event', 6);
    expect(live.at(-1)).toMatchObject({ seq: 7 });
  });

  it('sends resync when the member is too far behind, and stays live', async () => {
    const room = await newRoom();
    const [a, b] = [await memberOf(room), await memberOf(room)];
    const sa = await socketFor(a, room);
    await Promise.all(
      Array.from({ length: MAX_REPLAY + 5 }, (_, i) => sendAndAck(sa, room, `m${i}`, undefined, 60_000)),
    );
    const sb = await socketFor(b);
    sb.send({ type: 'subscribe', room, since: 1 });
    await sb.next((f) => f.type === 'resync' && f.room === room);
    expect(events(sb)).toHaveLength(0);
    await sendAndAck(sa, room, 'after the resync');
    const live = await sb.next((f) => f.type === 'event');
    expect(live.seq).toBe(MAX_REPLAY + 6);
  }, 90_000);
});

describe('per-message authorization', () => {
  it('refuses a non-member’s subscribe and send', async () => {
    const room = await newRoom();
    const outsider = await socketFor(await registerMember(t.app));
    expect(await outsider.subscribe(room)).toMatchObject({ type: 'error', code: 'not_a_member' });
    expect(await sendAndAck(outsider, room, 'hello?')).toMatchObject({ type: 'error', code: 'not_a_member' });
  });

  it('stops a member who left, on the socket they already had open', async () => {
    const room = await newRoom();
    const member = await memberOf(room);
    const socket = await socketFor(member, room);
    expect((await sendAndAck(socket, room, 'still here')).type).toBe('ack');
    await call(t.app, 'POST', `/api/rooms/${room}/leave`, { cookie: member.cookie });
    await socket.next((f) => f.type === 'unsubscribed' && f.room === room);
    expect(await sendAndAck(socket, room, 'after leaving')).toMatchObject({ type: 'error', code: 'not_a_member' });
  });

  it('holds a locked room for members and not for its moderators, and closes archived rooms', async () => {
    const room = await newRoom();
    const [member, moderator] = [await memberOf(room), await memberOf(room)];
    await call(t.app, 'PUT', `/api/rooms/${room}/moderators/${moderator.user.id}`, { cookie: admin.cookie });
    const sm = await socketFor(member, room);
    const sd = await socketFor(moderator, room);
    await t.database.db.update(schema.rooms).set({ locked: true }).where(eq(schema.rooms.slug, room));
    expect(await sendAndAck(sm, room, 'locked out')).toMatchObject({ type: 'error', code: 'forbidden' });
    expect((await sendAndAck(sd, room, 'moderator note')).type).toBe('ack');
    await call(t.app, 'PATCH', `/api/rooms/${room}`, { cookie: admin.cookie, body: { archived: true } });
    expect(await sendAndAck(sd, room, 'archived')).toMatchObject({ type: 'error', code: 'room_archived' });
  });

  it('keeps slow mode per member', async () => {
    const room = await newRoom({ slowModeSeconds: 60 });
    const [a, b] = [await memberOf(room), await memberOf(room)];
    const sa = await socketFor(a, room);
    const sb = await socketFor(b, room);
    expect((await sendAndAck(sa, room, 'first')).type).toBe('ack');
    expect(await sendAndAck(sa, room, 'too soon')).toMatchObject({ type: 'error', code: 'rate_limited' });
    expect((await sendAndAck(sb, room, 'someone else')).type).toBe('ack');
    t.clock.advance(61_000);
    expect((await sendAndAck(sa, room, 'later')).type).toBe('ack');
  });

  it('lets members change only their own messages', async () => {
    const room = await newRoom();
    const [a, b] = [await memberOf(room), await memberOf(room)];
    const sa = await socketFor(a, room);
    const sb = await socketFor(b, room);
    const id = ((await sendAndAck(sa, room, 'mine')).message as { id: string }).id;
    sb.send({ type: 'edit', messageId: id, body: 'not yours' });
    expect(await sb.next((f) => f.type === 'error' && f.ref === id)).toMatchObject({ code: 'forbidden' });
    sb.send({ type: 'delete', messageId: id });
    expect(
      await sb.next((f) => f.type === 'error' && f.ref === id && sb.frames.filter((x) => x.ref === id).length === 2),
    ).toMatchObject({ code: 'forbidden' });
  });
});

describe('edits, deletes, replies and reactions', () => {
  it('travel as updated events in the same ordered stream', async () => {
    const room = await newRoom();
    const [a, b] = [await memberOf(room), await memberOf(room)];
    const sa = await socketFor(a, room);
    const sb = await socketFor(b, room);
    const first = (await sendAndAck(sa, room, 'first thought')).message as { id: string };
    sb.send({ type: 'send', room, clientId: nextClientId(), body: 'a reply', replyTo: first.id });
    sb.send({ type: 'react', messageId: first.id, kind: 'candle' });
    sb.send({ type: 'react', messageId: first.id, kind: 'hug' });
    await sb.collect((f) => f.type === 'done' || f.type === 'ack', 3);
    sa.send({ type: 'edit', messageId: first.id, body: 'first thought, edited' });
    await sa.next((f) => f.type === 'done' && f.ref === first.id);
    sb.send({ type: 'react', messageId: first.id, kind: 'hug', on: false });
    sa.send({ type: 'delete', messageId: first.id });
    const stream = await sb.collect((f) => f.type === 'event', 7);
    expect(stream.map((f) => f.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(stream.map((f) => f.kind)).toEqual([
      'created',
      'created',
      'updated',
      'updated',
      'updated',
      'updated',
      'updated',
    ]);
    expect(stream[1]!.message).toMatchObject({ replyTo: first.id });
    expect(stream[3]!.message).toMatchObject({ reactions: { candle: 1, hug: 1 } });
    expect(stream[4]!.message).toMatchObject({ body: 'first thought, edited', editedAt: expect.any(String) });
    const last = stream.at(-1)!.message as Record<string, unknown>;
    expect(last).toMatchObject({ deleted: true, body: '' });
  });

  it('applies a burst of changes to one message in the order they were sent, each event showing its own state', async () => {
    const room = await newRoom();
    const [a, ...others] = [await memberOf(room), await memberOf(room), await memberOf(room), await memberOf(room)];
    const sa = await socketFor(a, room);
    const sockets = await Promise.all(others.map((m) => socketFor(m, room)));
    const id = ((await sendAndAck(sa, room, 'v0')).message as { id: string }).id;
    // Sent without waiting, so they queue together: the writer must not let a later change of the same
    // message be lost or applied before an earlier one, nor hold back reactions by different members.
    // `heart` is what a client from before the shared reaction set sends: it counts as love.
    for (const socket of sockets) socket.send({ type: 'react', messageId: id, kind: 'heart' });
    sa.send({ type: 'edit', messageId: id, body: 'v1' });
    sa.send({ type: 'react', messageId: id, kind: 'hug' });
    sa.send({ type: 'react', messageId: id, kind: 'hug', on: false });
    sa.send({ type: 'edit', messageId: id, body: 'v2' });
    sa.send({ type: 'delete', messageId: id });
    const stream = await sockets[0]!.collect((f) => f.type === 'event', 9);
    expect(stream.map((f) => f.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // The members' hearts may interleave with the author's burst; the author's own changes may not.
    const states = stream.slice(1).map((f) => f.message as { body: string; reactions: Record<string, number> });
    const order = ['v0', 'v1', 'v2', ''];
    const steps = states.map((m) => order.indexOf(m.body));
    expect(steps).toEqual([...steps].sort((x, y) => x - y));
    expect(steps).toEqual(expect.arrayContaining([1, 2, 3]));
    expect(steps.filter((i) => i === 1).length).toBeGreaterThanOrEqual(3); // edit, hug on, hug off
    expect(states.map((m) => m.reactions.hug ?? 0).filter(Boolean)).toEqual([1]);
    const hugged = states.findIndex((m) => m.reactions.hug === 1);
    expect(states[hugged]!.body).toBe('v1');
    expect(states.at(-1)).toMatchObject({ body: '', reactions: { love: 3 } });
    const history = await call(t.app, 'GET', `/api/rooms/${room}/messages`, { cookie: a.cookie });
    expect(JSON.parse(history.body).messages).toEqual([
      expect.objectContaining({ id, deleted: true, body: '', reactions: { love: 3 } }),
    ]);
  });

  it('decides a batch read ahead with what the batch before it changed', async () => {
    const room = await newRoom({ slowModeSeconds: 60 });
    const [a, b] = [await memberOf(room), await memberOf(room)];
    const sa = await socketFor(a, room);
    const sb = await socketFor(b, room);
    const id = ((await sendAndAck(sa, room, 'v0')).message as { id: string }).id;
    t.clock.advance(61_000);
    // Two changes of one message never share a batch, so the writer cuts these into three: [first, edit],
    // [delete, second] and [edit again]. Each later one is read while the one before it is being stored, so
    // that read sees neither the first message (slow mode) nor the delete.
    const [first, second] = [nextClientId(), nextClientId()];
    sa.sendTogether([
      { type: 'send', room, clientId: first, body: 'one' },
      { type: 'edit', messageId: id, body: 'v1' },
      { type: 'delete', messageId: id },
      { type: 'send', room, clientId: second, body: 'two, too soon' },
      { type: 'edit', messageId: id, body: 'back again' },
    ]);
    // Six answers: the first message's, then one for each of the five.
    const answers = await sa.collect((f) => f.type === 'ack' || f.type === 'done' || f.type === 'error', 6);
    const answerTo = (ref: string) =>
      answers.filter((f) => f.clientId === ref || f.ref === ref).map((f) => (f.type === 'error' ? f.code : f.type));
    expect(answerTo(first)).toEqual(['ack']);
    expect(answerTo(second)).toEqual(['rate_limited']);
    expect(answerTo(id)).toEqual(['done', 'done', 'not_found']);
    const stream = await sb.collect((f) => f.type === 'event', 4);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(sb.frames.filter((f) => f.type === 'event').map((f) => (f.message as { body: string }).body)).toEqual([
      'v0',
      'one',
      'v1',
      '',
    ]);
    expect(stream.at(-1)!.message).toMatchObject({ id, deleted: true });
  });

  it('refuses a reply to a message in another room', async () => {
    const [r1, r2] = [await newRoom(), await newRoom()];
    const member = await memberOf(r1);
    await call(t.app, 'POST', `/api/rooms/${r2}/join`, { cookie: member.cookie, body: { acceptRules: true } });
    const socket = await socketFor(member, r1);
    const elsewhere = ((await sendAndAck(socket, r2, 'over there')).message as { id: string }).id;
    const clientId = nextClientId();
    socket.send({ type: 'send', room: r1, clientId, body: 'reply', replyTo: elsewhere });
    expect(await socket.next((f) => f.ref === clientId)).toMatchObject({ type: 'error', code: 'validation' });
  });
});

describe('limits and bad frames', () => {
  it('closes the socket on a frame over 16 KiB', async () => {
    const socket = await socketFor(await registerMember(t.app));
    socket.send(JSON.stringify({ type: 'ping', pad: 'x'.repeat(17 * 1024) }));
    expect(await socket.waitClosed()).toBe(1009);
  });

  it.each<[string, unknown, string]>([
    ['invalid JSON', '{"type":', 'validation'],
    ['a frame with no type', { room: 'x' }, 'validation'],
    ['an unknown type', { type: 'shout' }, 'validation'],
    ['an unknown field', { type: 'send', room: 'mothers', clientId: 'abc', body: 'hi', extra: 1 }, 'validation'],
    [
      'a body over 4,000 characters',
      { type: 'send', room: 'mothers', clientId: 'abc', body: 'x'.repeat(4001) },
      'validation',
    ],
    ['an empty body', { type: 'send', room: 'mothers', clientId: 'abc', body: '   ' }, 'validation'],
    ['a bad clientId', { type: 'send', room: 'mothers', clientId: 'has spaces', body: 'hi' }, 'validation'],
    ['a negative since', { type: 'subscribe', room: 'mothers', since: -1 }, 'validation'],
    [
      'an unknown reaction',
      { type: 'react', messageId: '00000000-0000-4000-8000-000000000000', kind: 'thumbs' },
      'validation',
    ],
    ['a binary frame', Buffer.from('hello'), 'validation'],
  ])('answers %s with an error frame and keeps the socket open', async (_case, frame, code) => {
    const socket = await socketFor(await registerMember(t.app));
    if (Buffer.isBuffer(frame)) socket.ws.send(frame);
    else socket.send(frame);
    expect(await socket.next((f) => f.type === 'error')).toMatchObject({ code });
    socket.send({ type: 'ping' });
    await socket.next((f) => f.type === 'pong');
  });

  it('counts 4,000 characters in code points, not UTF-16 units', async () => {
    const room = await newRoom();
    const socket = await socketFor(await memberOf(room), room);
    expect((await sendAndAck(socket, room, '🕯'.repeat(4000))).type).toBe('ack');
  });

  it('keeps a healthy reader through one large burst (a batch over the slow-reader limit)', async () => {
    const room = await newRoom();
    const [writer, reader] = [await memberOf(room), await memberOf(room)];
    const sr = await socketFor(reader, room);
    const sw = await socketFor(writer, room);
    const body = '😢'.repeat(4000); // ~16 KB of UTF-8: 90 of them are well over the 1 MiB a reader may lag
    // (for a while: see the next test)
    const acks = Array.from({ length: 90 }, () => sendAndAck(sw, room, body));
    const answers = await Promise.all(acks);
    expect(answers.every((f) => f.type === 'ack')).toBe(true);
    const received = await sr.collect((f) => f.type === 'event', 90, 20_000);
    expect(received.map((f) => f.seq)).toEqual(Array.from({ length: 90 }, (_, i) => i + 1));
    expect(sr.closed).toBeUndefined();
  });

  it('lets go of a reader that stops reading, without holding up the room', async () => {
    const room = await newRoom();
    const [writer, stalled, other] = [await memberOf(room), await memberOf(room), await memberOf(room)];
    const ss = await socketFor(stalled, room);
    const so = await socketFor(other, room);
    const sw = await socketFor(writer, room);
    (ss.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();
    const body = '😢'.repeat(4000);
    // Well past what loopback's kernel buffers hold (a few MiB each way) plus the 8 MiB a socket may ever
    // have waiting (it is let go at that, or once it has been over 1 MiB behind for 5 s, whichever is first).
    const total = 1600;
    const wave = 50; // ~0.8 MB: a reader that keeps up is never 1 MiB behind
    for (let sent = 0; sent < total; sent += wave) {
      const answers = await Promise.all(Array.from({ length: wave }, () => sendAndAck(sw, room, body)));
      expect(answers.every((f) => f.type === 'ack')).toBe(true);
      // The others are not held up: each wave reaches them while the stalled reader falls further behind.
      // (They read in this same busy process, so the next wave waits for them, as a live member's would.)
      expect((await so.collect((f) => f.type === 'event', sent + wave, 30_000)).length).toBe(sent + wave);
    }
    (ss.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    expect(await ss.waitClosed(30_000)).toBe(CLOSE_TOO_SLOW);
  }, 90_000);

  it('refuses a flood from one member without slowing another', async () => {
    const limited = await createTestApp({ messageLimitPerMinute: 5 });
    try {
      const limitedBase = await listen(limited.app);
      const adminRes = await call(limited.app, 'GET', '/api/rooms');
      const slug = (adminRes.json().rooms as { slug: string }[])[0]!.slug;
      const [flooder, other] = [await registerMember(limited.app), await registerMember(limited.app)];
      for (const m of [flooder, other]) {
        await call(limited.app, 'POST', `/api/rooms/${slug}/join`, { cookie: m.cookie, body: { acceptRules: true } });
      }
      const sf = await connect(limitedBase, flooder);
      const so = await connect(limitedBase, other);
      const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => sendAndAck(sf, slug, `flood ${i}`)));
      expect(answers.filter((f) => f.type === 'ack')).toHaveLength(5);
      expect(answers.filter((f) => f.type === 'error' && f.code === 'rate_limited')).toHaveLength(3);
      expect((await sendAndAck(so, slug, 'calm')).type).toBe('ack');
      sf.close();
      so.close();
    } finally {
      await limited.close();
    }
  });

  it('holds one member to one message limit over two instances, counted in the database', async () => {
    // 12 a minute: a batch of one (a twelfth), so each instance adds every message to the shared count.
    const limited = await createTestApp({ messageLimitPerMinute: 12 });
    const second = await buildApp(limited.config, { database: limited.database, now: limited.clock.now });
    try {
      const bases = [await listen(limited.app), await listen(second)];
      const slug = ((await call(limited.app, 'GET', '/api/rooms')).json().rooms as { slug: string }[])[0]!.slug;
      const member = await registerMember(limited.app);
      await call(limited.app, 'POST', `/api/rooms/${slug}/join`, {
        cookie: member.cookie,
        body: { acceptRules: true },
      });
      const sockets = await Promise.all(bases.map((base) => connect(base, member)));
      // Eight on each instance: each alone is inside its own allowance of 12; together they are not.
      const answers: Frame[] = [];
      for (let i = 0; i < 8; i += 1) {
        for (const socket of sockets) answers.push(await sendAndAck(socket, slug, `turn ${i}`));
      }
      expect(answers.filter((f) => f.type === 'ack')).toHaveLength(12);
      expect(answers.filter((f) => f.type === 'error' && f.code === 'rate_limited')).toHaveLength(4);
      for (const socket of sockets) socket.close();
    } finally {
      await second.close();
      await limited.close();
    }
  });
});

describe('sessions that end', () => {
  it.each(['logout', 'revoke', 'password change', 'account deletion'])(
    'close the socket with 4401 on %s',
    async (how) => {
      const member = await registerMember(t.app);
      const socket = await socketFor(member);
      if (how === 'logout') await call(t.app, 'POST', '/api/auth/logout', { cookie: member.cookie });
      if (how === 'account deletion') {
        await call(t.app, 'DELETE', '/api/me', { cookie: member.cookie, body: { password: member.password } });
      }
      if (how === 'revoke' || how === 'password change') {
        const other = await call(t.app, 'POST', '/api/auth/login', {
          body: { username: member.username, password: member.password },
        });
        const cookie = `kindred_session=${other.cookies.find((c) => c.name === 'kindred_session')!.value}`;
        if (how === 'revoke') await call(t.app, 'DELETE', `/api/me/sessions/${member.token.split('.')[0]}`, { cookie });
        else {
          await call(t.app, 'PUT', '/api/me/password', {
            cookie,
            body: { currentPassword: member.password, newPassword: 'an entirely new phrase' },
          });
        }
      }
      expect(await socket.waitClosed()).toBe(4401);
    },
  );

  it('turns a deleted member’s messages into placeholders, live and in history', async () => {
    const room = await newRoom();
    const [leaving, staying] = [await memberOf(room), await memberOf(room)];
    const sl = await socketFor(leaving, room);
    const ss = await socketFor(staying, room);
    const id = ((await sendAndAck(sl, room, 'words that should go with me')).message as { id: string }).id;
    await call(t.app, 'DELETE', '/api/me', { cookie: leaving.cookie, body: { password: leaving.password } });
    const update = await ss.next((f) => f.type === 'event' && f.kind === 'updated');
    expect(update.message).toMatchObject({ id, author: null, deleted: true, body: '' });
    const history = await call(t.app, 'GET', `/api/rooms/${room}/messages`, { cookie: staying.cookie });
    expect(history.json().messages).toEqual([expect.objectContaining({ id, author: null, deleted: true, body: '' })]);
    expect(history.body).not.toContain('words that should go with me');
  });
});

describe('history', () => {
  it('pages by seq: newest by default, before and after, limit clamped to 100', async () => {
    const room = await newRoom();
    const member = await memberOf(room);
    const socket = await socketFor(member, room);
    await Promise.all(Array.from({ length: 120 }, (_, i) => sendAndAck(socket, room, `h${i}`)));
    const get = (query: string) => call(t.app, 'GET', `/api/rooms/${room}/messages${query}`, { cookie: member.cookie });
    const newest = (await get('')).json();
    expect(newest.messages.map((m: { seq: number }) => m.seq)).toEqual(Array.from({ length: 50 }, (_, i) => 71 + i));
    expect(newest).toMatchObject({ hasMore: true, lastSeq: 120 });
    const older = (await get('?before=71&limit=30')).json();
    expect(older.messages.map((m: { seq: number }) => m.seq)).toEqual(Array.from({ length: 30 }, (_, i) => 41 + i));
    const newer = (await get('?after=100')).json();
    expect(newer.messages.map((m: { seq: number }) => m.seq)).toEqual(Array.from({ length: 20 }, (_, i) => 101 + i));
    expect(newer.hasMore).toBe(false);
    expect((await get('?limit=1000')).json().messages).toHaveLength(100);
  });

  it.each<[string, string, number, string]>([
    ['a non-member', '', 403, 'not_a_member'],
    ['a bad limit', '?limit=0', 400, 'validation'],
    ['a text seq', '?before=soon', 400, 'validation'],
    ['an unknown parameter', '?sort=desc', 400, 'validation'],
  ])('answers %s with its code', async (kind, query, status, code) => {
    const room = await newRoom();
    const member = kind === 'a non-member' ? await registerMember(t.app) : await memberOf(room);
    const res = await call(t.app, 'GET', `/api/rooms/${room}/messages${query}`, { cookie: member.cookie });
    expect(res.statusCode).toBe(status);
    expect(res.json().error.code).toBe(code);
  });
});
