// One member must not be able to stall chat for everyone: subscribes and resumes have a budget per socket
// and per member (the member's counted in the database, so it holds across instances), a replay is paced by
// the socket's backpressure rather than buffered whole, a member has at most so many sockets open on an
// instance, and a server that shuts down tells its sockets to reconnect (1012).
import { CLOSE_SERVICE_RESTART, CLOSE_TOO_MANY_SOCKETS } from '@kindred/shared';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { MAX_SOCKETS_PER_MEMBER, SUBSCRIBES_AT_ONCE, SUBSCRIBE_LIMIT } from '../src/chat/budgets.ts';
import {
  call,
  createRoom,
  createTestApp,
  joinedMember,
  makeAdmin,
  registerMember,
  type Member,
  type TestApp,
} from './helpers.ts';
import { connect, listen, type TestSocket } from './sockets.ts';

let t: TestApp;
let base: string;
let admin: Member;
const open: TestSocket[] = [];
const others: FastifyInstance[] = [];

beforeAll(async () => {
  t = await createTestApp({
    messageLimitPerMinute: 100_000,
    // One admin makes a room for nearly every test here; the limit itself is tested in limits.test.ts.
    limitOverrides: { rooms: 100_000 },
  });
  base = await listen(t.app);
  admin = await registerMember(t.app, { username: 'flood_admin' });
  await makeAdmin(t, admin);
});
afterEach(async () => {
  for (const socket of open.splice(0)) socket.close();
  for (const app of others.splice(0)) await app.close();
});
afterAll(() => t.close());

const newRoom = async (): Promise<string> => (await createRoom(t.app, admin, 'flood')).slug;

const memberOf = (slug: string): Promise<Member> => joinedMember(t.app, slug);

async function socketFor(member: Member, at = base): Promise<TestSocket> {
  const socket = await connect(at, member);
  open.push(socket);
  return socket;
}

/** Another instance of Kindred on the same database, as a second server behind a load balancer would be. */
async function secondInstance(): Promise<{ app: FastifyInstance; base: string }> {
  const app = await buildApp(t.config, { database: t.database, now: t.clock.now });
  others.push(app);
  return { app, base: await listen(app) };
}

let clientCounter = 0;
async function fill(slug: string, count: number, body: (i: number) => string): Promise<void> {
  const writer = await socketFor(await memberOf(slug));
  const acks = Array.from({ length: count }, (_, i) => {
    const clientId = `f${process.pid}-${(clientCounter += 1)}`;
    writer.send({ type: 'send', room: slug, clientId, body: body(i) });
    return writer.next((f) => f.type === 'ack' && f.clientId === clientId, 60_000);
  });
  await Promise.all(acks);
  writer.close();
}

const answersIn = (socket: TestSocket, slug: string) =>
  socket.frames.filter((f) => (f.type === 'subscribed' || f.type === 'error') && f.room === slug);
const pong = async (socket: TestSocket) => {
  const from = socket.frames.length;
  socket.send({ type: 'ping' });
  return socket.next((f) => f.type === 'pong', 10_000, from);
};

describe('a flood of subscribes', () => {
  it('is refused beyond the socket’s budget, each accepted one replayed whole and in order, while others chat on', async () => {
    const slug = await newRoom();
    await fill(slug, 100, (i) => `an older message, number ${i}`);
    const [flooder, talker, watcher] = [await memberOf(slug), await memberOf(slug), await memberOf(slug)];
    const sw = await socketFor(watcher);
    expect(await sw.subscribe(slug)).toMatchObject({ type: 'subscribed' });
    const st = await socketFor(talker);

    const sf = await socketFor(flooder);
    const frames = 150;
    sf.sendTogether(Array.from({ length: frames }, () => ({ type: 'subscribe', room: slug, since: 0 })));
    // Someone else talks, and someone else reads, while the flood is being answered.
    const clientId = `calm-${process.pid}`;
    st.send({ type: 'send', room: slug, clientId, body: 'still here with you' });
    expect(await st.next((f) => f.clientId === clientId || f.ref === clientId, 30_000)).toMatchObject({ type: 'ack' });
    expect(await sw.next((f) => f.type === 'event' && f.seq === 101, 30_000)).toMatchObject({
      message: { body: 'still here with you' },
    });
    expect((await call(t.app, 'GET', '/api/health')).statusCode).toBe(200);

    await sf.collect((f) => (f.type === 'subscribed' || f.type === 'error') && f.room === slug, frames, 60_000);
    const answers = answersIn(sf, slug);
    const refused = answers.filter((f) => f.type === 'error');
    expect(refused.length).toBeGreaterThan(0);
    for (const refusal of refused) {
      expect(refusal).toMatchObject({ code: 'rate_limited', retryAfter: expect.any(Number) });
      expect(refusal.retryAfter).toBeGreaterThanOrEqual(1);
    }
    const accepted = answers.filter((f) => f.type === 'subscribed');
    expect(accepted).toHaveLength(SUBSCRIBES_AT_ONCE);
    expect(refused).toHaveLength(frames - SUBSCRIBES_AT_ONCE);

    // Every accepted subscribe replays the room from the start, one after another, each strictly +1 from
    // seq 1 up to where the room stood (and on into what came live, for the one that stays).
    const lastOf = accepted.map((f) => f.lastSeq as number);
    const runsSoFar = () => {
      const runs: number[][] = [];
      for (const frame of sf.frames) {
        if (frame.type === 'subscribed') runs.push([]);
        else if (frame.type === 'event') runs.at(-1)!.push(frame.seq as number);
      }
      return runs;
    };
    // Live events may follow a replay before the next subscribe is taken, so wait for each run, not a count.
    const deadline = Date.now() + 60_000;
    while (runsSoFar().some((run, i) => run.length < lastOf[i]!) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const runs = runsSoFar();
    expect(runs).toHaveLength(SUBSCRIBES_AT_ONCE);
    for (const [i, run] of runs.entries()) {
      expect(run.slice(0, lastOf[i])).toEqual(Array.from({ length: lastOf[i]! }, (_, k) => k + 1));
      expect(run).toEqual(Array.from({ length: run.length }, (_, k) => k + 1));
    }
    // What the flood cost the server to send is bounded by the budget: no more than its accepted replays.
    const oneReplay = await socketFor(await memberOf(slug));
    oneReplay.send({ type: 'subscribe', room: slug, since: 0 });
    await oneReplay.collect((f) => f.type === 'event', 101, 30_000);
    expect(sf.bytes).toBeLessThanOrEqual(SUBSCRIBES_AT_ONCE * oneReplay.bytes + refused.length * 300);
    // The flooder's socket is still open and answers.
    await pong(sf);
    expect(sf.closed).toBeUndefined();
  }, 120_000);

  it('holds a member to one budget across sockets and instances, counted in the database', async () => {
    const slug = await newRoom();
    const member = await memberOf(slug);
    const second = await secondInstance();
    // More sockets than the member's budget needs, each within its own: only the member's budget can bite.
    const count = Math.ceil(SUBSCRIBE_LIMIT.max / SUBSCRIBES_AT_ONCE) + 1;
    const sockets = await Promise.all(
      Array.from({ length: count }, (_, i) => socketFor(member, i % 2 ? second.base : base)),
    );
    for (const socket of sockets) {
      socket.sendTogether(Array.from({ length: SUBSCRIBES_AT_ONCE }, () => ({ type: 'subscribe', room: slug })));
    }
    const answers = (
      await Promise.all(
        sockets.map((s) =>
          s.collect(
            (f) => (f.type === 'subscribed' || f.type === 'error') && f.room === slug,
            SUBSCRIBES_AT_ONCE,
            60_000,
          ),
        ),
      )
    ).flat();
    expect(answers.filter((f) => f.type === 'subscribed')).toHaveLength(SUBSCRIBE_LIMIT.max);
    const refused = answers.filter((f) => f.type === 'error');
    expect(refused).toHaveLength(count * SUBSCRIBES_AT_ONCE - SUBSCRIBE_LIMIT.max);
    expect(refused.every((f) => f.code === 'rate_limited')).toBe(true);
    // Another member is not held to this one's budget.
    const other = await socketFor(await memberOf(slug), second.base);
    expect(await other.subscribe(slug)).toMatchObject({ type: 'subscribed' });
    // The budget comes back with the window.
    t.clock.advance(SUBSCRIBE_LIMIT.windowMs + 1_000);
    const later = await socketFor(member);
    expect(await later.subscribe(slug)).toMatchObject({ type: 'subscribed' });
  }, 120_000);

  it('never refuses a phone that comes back and resubscribes to every room it had open', async () => {
    const rooms = await Promise.all(Array.from({ length: 40 }, () => newRoom()));
    const member = await registerMember(t.app);
    for (const slug of rooms) {
      await call(t.app, 'POST', `/api/rooms/${slug}/join`, { cookie: member.cookie, body: { acceptRules: true } });
    }
    for (let visit = 0; visit < 3; visit += 1) {
      const socket = await socketFor(member);
      socket.sendTogether(rooms.map((room) => ({ type: 'subscribe', room, since: 0 })));
      const answers = await socket.collect((f) => f.type === 'subscribed' || f.type === 'error', rooms.length, 30_000);
      expect(answers.filter((f) => f.type === 'error')).toEqual([]);
      socket.close();
    }
  }, 60_000);
});

describe('a replay', () => {
  it('is written as the socket drains, never buffered whole on the server', async () => {
    const slug = await newRoom();
    const body = '😢'.repeat(4000); // ~16 KB a message: 400 of them are ~6.4 MB of replay
    await fill(slug, 400, () => body);
    const reader = await socketFor(await memberOf(slug));
    const raw = (reader.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    raw.pause();
    reader.send({ type: 'subscribe', room: slug, since: 0 });
    // What the server holds waiting to be written to its sockets, sampled while this reader reads nothing.
    let most = 0;
    const sample = setInterval(() => {
      for (const client of t.app.websocketServer.clients) most = Math.max(most, client.bufferedAmount);
    }, 5);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    clearInterval(sample);
    raw.resume();
    const events = await reader.collect((f) => f.type === 'event', 400, 60_000);
    expect(events.map((f) => f.seq)).toEqual(Array.from({ length: 400 }, (_, i) => i + 1));
    expect(reader.closed).toBeUndefined();
    expect(most).toBeLessThan(512 * 1024);
  }, 120_000);
});

describe('sockets per member', () => {
  it(`keeps at most ${MAX_SOCKETS_PER_MEMBER} open on an instance, closing the oldest first`, async () => {
    const member = await registerMember(t.app);
    const bystander = await socketFor(await registerMember(t.app));
    const sockets: TestSocket[] = [];
    for (let i = 0; i < MAX_SOCKETS_PER_MEMBER; i += 1) sockets.push(await socketFor(member));
    await Promise.all(sockets.map(pong));
    expect(sockets.filter((s) => s.closed)).toEqual([]);

    const newest = await socketFor(member);
    expect(await sockets[0]!.waitClosed()).toBe(CLOSE_TOO_MANY_SOCKETS);
    expect(sockets[0]!.closed?.reason).toBe('too many sockets');
    await pong(newest);
    const another = await socketFor(member);
    expect(await sockets[1]!.waitClosed()).toBe(CLOSE_TOO_MANY_SOCKETS);
    await Promise.all([...sockets.slice(2), newest, another, bystander].map(pong));
    expect([...sockets.slice(2), newest, another, bystander].filter((s) => s.closed)).toEqual([]);
  }, 60_000);
});

describe('shutting down', () => {
  it('closes every socket with 1012 (service restart), so clients reconnect at once', async () => {
    const instance = await secondInstance();
    const member = await registerMember(t.app);
    const socket = await socketFor(member, instance.base);
    await pong(socket);
    others.splice(others.indexOf(instance.app), 1);
    await instance.app.close();
    expect(await socket.waitClosed()).toBe(CLOSE_SERVICE_RESTART);
    expect(socket.closed?.reason).not.toBe('');
  });
});
