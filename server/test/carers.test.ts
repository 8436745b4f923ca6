// Care for the carers: the private moderators' room, handover notes, the nudge after a long stretch on
// duty, stepping away, and a moderator's own month. Every route's authorization table is here.
import { schema } from '@kindred/db';
import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { call, createRoom, createTestApp, makeAdmin, registerMember, type Member, type TestApp } from './helpers.ts';
import { connect, listen, type Frame, type TestSocket } from './sockets.ts';

const NUDGE_MINUTES = 45;
const MINUTE = 60 * 1000;

let t: TestApp;
let base: string;
let admin: Member;
const open: TestSocket[] = [];

beforeAll(async () => {
  t = await createTestApp({
    messageLimitPerMinute: 100_000,
    limitOverrides: { rooms: 100_000, handoverNotes: 6 },
    dutyNudgeMinutes: NUDGE_MINUTES,
  });
  base = await listen(t.app);
  admin = await registerMember(t.app, { username: 'carers_admin' });
  await makeAdmin(t, admin);
});
afterEach(() => {
  for (const socket of open.splice(0)) socket.close();
});
afterAll(() => t.close());

async function socketFor(member: Member): Promise<TestSocket> {
  const socket = await connect(base, member);
  open.push(socket);
  return socket;
}

let counter = 0;
async function send(socket: TestSocket, room: string, body: string): Promise<Frame> {
  const clientId = `c${process.pid}x${(counter += 1)}`;
  socket.send({ type: 'send', room, clientId, body });
  return socket.next((f) => f.clientId === clientId || f.ref === clientId);
}

async function join(member: Member, slug: string) {
  const res = await call(t.app, 'POST', `/api/rooms/${slug}/join`, {
    cookie: member.cookie,
    body: { acceptRules: true },
  });
  expect(res.statusCode).toBe(200);
}

interface Cast {
  slug: string;
  roomId: string;
  member: Member;
  moderator: Member;
  secondModerator: Member;
  moderatorElsewhere: Member;
  storyModerator: Member;
}

async function cast(): Promise<Cast> {
  const room = await createRoom(t.app, admin, 'carers');
  const other = await createRoom(t.app, admin, 'elsewhere');
  const [member, moderator, secondModerator, moderatorElsewhere, storyModerator] = await Promise.all(
    Array.from({ length: 5 }, () => registerMember(t.app)),
  );
  for (const m of [member!, moderator!, secondModerator!]) await join(m, room.slug);
  await join(moderatorElsewhere!, other.slug);
  for (const [slug, m] of [
    [room.slug, moderator!],
    [room.slug, secondModerator!],
    [other.slug, moderatorElsewhere!],
  ] as const) {
    const res = await call(t.app, 'PUT', `/api/rooms/${slug}/moderators/${m.user.id}`, { cookie: admin.cookie });
    expect(res.statusCode).toBe(204);
  }
  expect(
    (await call(t.app, 'PUT', `/api/stories/moderators/${storyModerator!.user.id}`, { cookie: admin.cookie }))
      .statusCode,
  ).toBe(204);
  return {
    slug: room.slug,
    roomId: room.id,
    member: member!,
    moderator: moderator!,
    secondModerator: secondModerator!,
    moderatorElsewhere: moderatorElsewhere!,
    storyModerator: storyModerator!,
  };
}

async function staffRoomSlug(member: Member): Promise<string> {
  const res = await call(t.app, 'GET', '/api/moderation/staff-room', { cookie: member.cookie });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().room.slug as string;
}

describe('the moderators’ room', () => {
  it('does not exist before the first moderator, and is made with them', async () => {
    expect((await call(t.app, 'GET', '/api/moderation/staff-room', { cookie: admin.cookie })).statusCode).toBe(404);
    const room = await createRoom(t.app, admin, 'first');
    const first = await registerMember(t.app);
    await join(first, room.slug);
    await call(t.app, 'PUT', `/api/rooms/${room.slug}/moderators/${first.user.id}`, { cookie: admin.cookie });
    const slug = await staffRoomSlug(first);
    expect(await staffRoomSlug(admin)).toBe(slug);
  });

  it('is invisible to members and visitors everywhere, and open to every kind of moderator and admins', async () => {
    const c = await cast();
    const slug = await staffRoomSlug(c.moderator);

    for (const outsider of [c.member, undefined]) {
      const cookie = outsider?.cookie;
      const list = await call(t.app, 'GET', '/api/rooms', { ...(cookie ? { cookie } : {}) });
      expect(list.json().rooms.map((r: { slug: string }) => r.slug)).not.toContain(slug);
      expect(list.body).not.toContain(slug);
      expect((await call(t.app, 'GET', `/api/rooms/${slug}`, { ...(cookie ? { cookie } : {}) })).statusCode).toBe(404);
    }
    const member = c.member.cookie;
    expect((await call(t.app, 'GET', '/api/moderation/staff-room', { cookie: member })).statusCode).toBe(404);
    expect((await call(t.app, 'GET', '/api/moderation/staff-room')).statusCode).toBe(401);
    expect((await call(t.app, 'GET', `/api/rooms/${slug}/messages`, { cookie: member })).statusCode).toBe(404);
    const joinAttempt = await call(t.app, 'POST', `/api/rooms/${slug}/join`, {
      cookie: member,
      body: { acceptRules: true },
    });
    expect(joinAttempt.statusCode).toBe(404);
    const memberSocket = await socketFor(c.member);
    expect(await memberSocket.subscribe(slug)).toMatchObject({ type: 'error', code: 'not_found' });
    expect(await send(memberSocket, slug, 'hello?')).toMatchObject({ type: 'error' });

    // Not even in the lists of those who may enter it: it is reached from the moderation pages.
    const modList = await call(t.app, 'GET', '/api/rooms', { cookie: c.moderator.cookie });
    expect(modList.json().rooms.map((r: { slug: string }) => r.slug)).not.toContain(slug);

    const sockets: TestSocket[] = [];
    for (const carer of [c.moderator, c.moderatorElsewhere, c.storyModerator, admin]) {
      expect(await staffRoomSlug(carer)).toBe(slug);
      const view = await call(t.app, 'GET', `/api/rooms/${slug}`, { cookie: carer.cookie });
      expect(view.statusCode).toBe(200);
      expect(view.json().room.joined).toBe(true);
      expect((await call(t.app, 'GET', `/api/rooms/${slug}/messages`, { cookie: carer.cookie })).statusCode).toBe(200);
      const socket = await socketFor(carer);
      expect((await socket.subscribe(slug)).type).toBe('subscribed');
      sockets.push(socket);
    }
    const ack = await send(sockets[0]!, slug, 'A long evening in partners. Anyone free to talk it over?');
    expect(ack.type).toBe('ack');
    for (const socket of sockets.slice(1)) {
      await socket.next(
        (f) => f.type === 'event' && (f.message as { id: string }).id === (ack.message as { id: string }).id,
      );
    }
  });

  it('ends a former moderator’s access at once, open sockets included', async () => {
    const c = await cast();
    const slug = await staffRoomSlug(c.moderator);
    const modSocket = await socketFor(c.moderator);
    expect((await modSocket.subscribe(slug)).type).toBe('subscribed');
    const storySocket = await socketFor(c.storyModerator);
    expect((await storySocket.subscribe(slug)).type).toBe('subscribed');

    // Still a moderator of another room? Still in. Stops moderating everywhere: out at once.
    await call(t.app, 'DELETE', `/api/rooms/${c.slug}/moderators/${c.moderator.user.id}`, { cookie: admin.cookie });
    await modSocket.next((f) => f.type === 'unsubscribed' && f.room === slug, 3000);
    expect((await call(t.app, 'GET', `/api/rooms/${slug}`, { cookie: c.moderator.cookie })).statusCode).toBe(404);
    expect((await call(t.app, 'GET', `/api/rooms/${slug}/messages`, { cookie: c.moderator.cookie })).statusCode).toBe(
      404,
    );
    expect(await send(modSocket, slug, 'still here?')).toMatchObject({ type: 'error' });
    expect(await modSocket.subscribe(slug)).toMatchObject({ type: 'error', code: 'not_found' });

    await call(t.app, 'DELETE', `/api/stories/moderators/${c.storyModerator.user.id}`, { cookie: admin.cookie });
    await storySocket.next((f) => f.type === 'unsubscribed' && f.room === slug, 3000);
    expect(
      (await call(t.app, 'GET', '/api/moderation/staff-room', { cookie: c.storyModerator.cookie })).statusCode,
    ).toBe(404);

    // A moderator who leaves the only room they moderate leaves the moderators' room too.
    const elsewhere = await socketFor(c.secondModerator);
    expect((await elsewhere.subscribe(slug)).type).toBe('subscribed');
    await call(t.app, 'POST', `/api/rooms/${c.slug}/leave`, { cookie: c.secondModerator.cookie });
    await elsewhere.next((f) => f.type === 'unsubscribed' && f.room === slug, 3000);
  });

  it('keeps crisis care there too: words of risk reach admins as urgent, and the writer sees crisis lines', async () => {
    const c = await cast();
    const slug = await staffRoomSlug(c.moderator);
    const socket = await socketFor(c.moderator);
    await socket.subscribe(slug);
    const ack = await send(socket, slug, 'After tonight I want to end my life, I can’t carry this anymore');
    expect(ack.type).toBe('ack');
    await socket.next((f) => f.type === 'notice' && f.code === 'crisis_resources');
    const messageId = (ack.message as { id: string }).id;
    let found = false;
    for (let i = 0; i < 50 && !found; i++) {
      const queue = await call(t.app, 'GET', '/api/moderation/queue', { cookie: admin.cookie });
      found = queue.json().items.some((item: { target: { id: string }; urgent: boolean; room: string }) => {
        return item.target.id === messageId && item.urgent && item.room === slug;
      });
      if (!found) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(found).toBe(true);
  });
});

describe('handover notes', () => {
  it('are read and written by the room’s moderators and admins only', async () => {
    const c = await cast();
    const url = `/api/rooms/${c.slug}/handover`;
    const body = { body: 'Quiet tonight. Someone new in partners may need a gentle welcome.' };
    const table: [string, Member | undefined, number, number][] = [
      ['signed out', undefined, 401, 401],
      ['member', c.member, 403, 403],
      ['moderator of another room', c.moderatorElsewhere, 403, 403],
      ['story moderator', c.storyModerator, 403, 403],
      ['room moderator', c.moderator, 200, 201],
      ['admin', admin, 200, 201],
    ];
    for (const [who, member, read, write] of table) {
      const cookie = member ? { cookie: member.cookie } : {};
      expect((await call(t.app, 'GET', url, cookie)).statusCode, who).toBe(read);
      expect((await call(t.app, 'POST', url, { ...cookie, body })).statusCode, who).toBe(write);
    }
    expect((await call(t.app, 'GET', '/api/rooms/no-such-room/handover', { cookie: admin.cookie })).statusCode).toBe(
      404,
    );
  });

  it('show the newest first with author and time; only the author edits or deletes; bounded', async () => {
    const c = await cast();
    const url = `/api/rooms/${c.slug}/handover`;
    const first = await call(t.app, 'POST', url, { cookie: c.moderator.cookie, body: { body: 'First note' } });
    t.clock.advance(MINUTE);
    const second = await call(t.app, 'POST', url, { cookie: c.secondModerator.cookie, body: { body: 'Second note' } });
    const notes = (await call(t.app, 'GET', url, { cookie: c.moderator.cookie })).json().notes;
    expect(notes.map((n: { body: string }) => n.body)).toEqual(['Second note', 'First note']);
    expect(notes[0]).toMatchObject({
      author: { id: c.secondModerator.user.id, displayName: c.secondModerator.user.displayName },
      mine: false,
      createdAt: t.clock.now().toISOString(),
      updatedAt: null,
    });
    expect(notes[1].mine).toBe(true);

    const firstId = first.json().note.id as string;
    const secondId = second.json().note.id as string;
    const edit = { body: 'First note, updated' };
    expect(
      (await call(t.app, 'PATCH', `${url}/${firstId}`, { cookie: c.secondModerator.cookie, body: edit })).statusCode,
    ).toBe(403);
    expect((await call(t.app, 'PATCH', `${url}/${firstId}`, { cookie: c.member.cookie, body: edit })).statusCode).toBe(
      403,
    );
    const edited = await call(t.app, 'PATCH', `${url}/${firstId}`, { cookie: c.moderator.cookie, body: edit });
    expect(edited.statusCode).toBe(200);
    expect(edited.json().note).toMatchObject({ body: 'First note, updated', updatedAt: t.clock.now().toISOString() });
    expect((await call(t.app, 'DELETE', `${url}/${secondId}`, { cookie: c.moderator.cookie })).statusCode).toBe(403);
    expect((await call(t.app, 'DELETE', `${url}/${secondId}`, { cookie: c.secondModerator.cookie })).statusCode).toBe(
      204,
    );
    expect((await call(t.app, 'DELETE', `${url}/${secondId}`, { cookie: c.secondModerator.cookie })).statusCode).toBe(
      404,
    );
    // A note of another room cannot be reached through this one.
    const other = await createRoom(t.app, admin, 'other-notes');
    expect(
      (await call(t.app, 'PATCH', `/api/rooms/${other.slug}/handover/${firstId}`, { cookie: admin.cookie, body: edit }))
        .statusCode,
    ).toBe(404);

    const tooLong = await call(t.app, 'POST', url, { cookie: c.moderator.cookie, body: { body: 'x'.repeat(2001) } });
    expect(tooLong.statusCode).toBe(400);
    expect((await call(t.app, 'POST', url, { cookie: c.moderator.cookie, body: { body: '   ' } })).statusCode).toBe(
      400,
    );
  });

  it('keep a short history, and each member may write only so many a day', async () => {
    const c = await cast();
    const url = `/api/rooms/${c.slug}/handover`;
    const writers = [c.moderator, c.secondModerator, admin];
    // The limit is 6 a day here (lowered for the test); three writers make 15 notes, past the 10 kept.
    for (const writer of writers) {
      for (let i = 0; i < 5; i++) {
        t.clock.advance(1000);
        const res = await call(t.app, 'POST', url, { cookie: writer.cookie, body: { body: `note ${i}` } });
        expect(res.statusCode, res.body).toBe(201);
      }
    }
    const notes = (await call(t.app, 'GET', url, { cookie: c.moderator.cookie })).json().notes;
    expect(notes).toHaveLength(10);
    let limited;
    for (let i = 0; i < 3 && limited?.statusCode !== 429; i++) {
      limited = await call(t.app, 'POST', url, { cookie: c.moderator.cookie, body: { body: 'one more' } });
    }
    expect(limited!.statusCode).toBe(429);
    expect(limited!.json().error.code).toBe('rate_limited');
    t.clock.advance(25 * 60 * MINUTE);
  });
});

describe('duty: the nudge, and stepping away', () => {
  it('tells the moderator when this duty began and when the gentle nudge is due, by the server’s clock', async () => {
    const c = await cast();
    const url = `/api/rooms/${c.slug}/duty`;
    const table: [string, Member | undefined, number][] = [
      ['signed out', undefined, 401],
      ['member', c.member, 403],
      ['moderator of another room', c.moderatorElsewhere, 403],
      ['story moderator', c.storyModerator, 403],
      ['room moderator', c.moderator, 200],
      ['admin', admin, 200],
    ];
    for (const [who, member, status] of table) {
      expect((await call(t.app, 'GET', url, member ? { cookie: member.cookie } : {})).statusCode, who).toBe(status);
    }
    const off = await call(t.app, 'GET', url, { cookie: c.moderator.cookie });
    expect(off.json()).toEqual({ onDuty: false, since: null, nudgeAt: null, nudgeDue: false, nudgeAfterMinutes: 45 });

    await call(t.app, 'PUT', url, { cookie: c.moderator.cookie, body: {} });
    const began = t.clock.now();
    const on = (await call(t.app, 'GET', url, { cookie: c.moderator.cookie })).json();
    expect(on).toEqual({
      onDuty: true,
      since: began.toISOString(),
      nudgeAt: new Date(began.getTime() + NUDGE_MINUTES * MINUTE).toISOString(),
      nudgeDue: false,
      nudgeAfterMinutes: NUDGE_MINUTES,
    });
    t.clock.advance((NUDGE_MINUTES - 1) * MINUTE);
    expect((await call(t.app, 'GET', url, { cookie: c.moderator.cookie })).json().nudgeDue).toBe(false);
    // Going on duty again (to change showName) does not restart the stretch.
    await call(t.app, 'PUT', url, { cookie: c.moderator.cookie, body: { showName: true } });
    t.clock.advance(2 * MINUTE);
    const due = (await call(t.app, 'GET', url, { cookie: c.moderator.cookie })).json();
    expect(due).toMatchObject({ onDuty: true, since: began.toISOString(), nudgeDue: true });
    // Never a forced stop: still on duty, still able to act.
    t.clock.advance(10 * 60 * MINUTE);
    expect((await call(t.app, 'GET', url, { cookie: c.moderator.cookie })).json().onDuty).toBe(true);
    await call(t.app, 'DELETE', url, { cookie: c.moderator.cookie });
  });

  it('stepping away hands the room’s urgent items to the moderators still on duty, else to admins', async () => {
    const c = await cast();
    const url = `/api/rooms/${c.slug}/duty/step-away`;
    const table: [string, Member | undefined, number][] = [
      ['signed out', undefined, 401],
      ['member', c.member, 403],
      ['moderator of another room', c.moderatorElsewhere, 403],
      ['story moderator', c.storyModerator, 403],
    ];
    for (const [who, member, status] of table) {
      expect((await call(t.app, 'POST', url, member ? { cookie: member.cookie } : {})).statusCode, who).toBe(status);
    }

    // An urgent item: a member worried about another.
    const author = await registerMember(t.app);
    await join(author, c.slug);
    const authorSocket = await socketFor(author);
    await authorSocket.subscribe(c.slug);
    const ack = await send(authorSocket, c.slug, 'everything feels far away today');
    const report = await call(t.app, 'POST', '/api/reports', {
      cookie: c.member.cookie,
      body: { target: { type: 'message', id: (ack.message as { id: string }).id }, reason: 'worried_about_member' },
    });
    expect(report.statusCode).toBe(201);

    await call(t.app, 'PUT', `/api/rooms/${c.slug}/duty`, { cookie: c.moderator.cookie, body: {} });
    await call(t.app, 'PUT', `/api/rooms/${c.slug}/duty`, { cookie: c.secondModerator.cookie, body: {} });
    const secondSocket = await socketFor(c.secondModerator);
    const adminSocket = await socketFor(admin);
    t.clock.advance(90 * MINUTE);

    const first = await call(t.app, 'POST', url, { cookie: c.moderator.cookie });
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toEqual({ urgentItems: 1, handedTo: 'moderators', recipients: 1 });
    await secondSocket.next((f) => f.type === 'notice' && f.code === 'urgent_item' && f.roomId === c.roomId, 3000);
    const after = (await call(t.app, 'GET', `/api/rooms/${c.slug}/duty`, { cookie: c.moderator.cookie })).json();
    expect(after.onDuty).toBe(false);

    const last = await call(t.app, 'POST', url, { cookie: c.secondModerator.cookie });
    expect(last.json()).toMatchObject({ urgentItems: 1, handedTo: 'admins' });
    await adminSocket.next((f) => f.type === 'notice' && f.code === 'urgent_item' && f.roomId === c.roomId, 3000);

    // Stepping away from a quiet room hands nothing, and says so.
    const quiet = await cast();
    await call(t.app, 'PUT', `/api/rooms/${quiet.slug}/duty`, { cookie: quiet.moderator.cookie, body: {} });
    const none = await call(t.app, 'POST', `/api/rooms/${quiet.slug}/duty/step-away`, {
      cookie: quiet.moderator.cookie,
    });
    expect(none.json()).toEqual({ urgentItems: 0, handedTo: 'none', recipients: 0 });
  });
});

describe('stepping away never tells a moderator of an item about her own words', () => {
  it('counts only the urgent items she may see, while the one about her still goes to the others', async () => {
    const c = await cast();
    await call(t.app, 'PUT', `/api/rooms/${c.slug}/duty`, { cookie: c.moderator.cookie, body: {} });
    await call(t.app, 'PUT', `/api/rooms/${c.slug}/duty`, { cookie: c.secondModerator.cookie, body: {} });
    const secondSocket = await socketFor(c.secondModerator);
    // Her own words of risk: an urgent item about her, which she never sees.
    const ownSocket = await socketFor(c.moderator);
    await ownSocket.subscribe(c.slug);
    await send(ownSocket, c.slug, 'I have been looking up how many of my pills it would take');
    await secondSocket.next((f) => f.type === 'notice' && f.code === 'urgent_item' && f.roomId === c.roomId, 3000);

    const stepped = await call(t.app, 'POST', `/api/rooms/${c.slug}/duty/step-away`, { cookie: c.moderator.cookie });
    expect(stepped.statusCode, stepped.body).toBe(200);
    expect(stepped.json()).toEqual({ urgentItems: 0, handedTo: 'none', recipients: 0 });
    // The other moderator is told of it again all the same.
    await secondSocket.next((f) => f.type === 'notice' && f.code === 'urgent_item' && f.roomId === c.roomId, 3000);
  });
});

describe('a moderator’s own month', () => {
  it('counts what they handled this month, and nothing of anyone else’s', async () => {
    const c = await cast();
    const url = '/api/moderation/me/month';
    const table: [string, Member | undefined, number][] = [
      ['signed out', undefined, 401],
      ['member', c.member, 403],
      ['moderator of another room', c.moderatorElsewhere, 200],
      ['story moderator', c.storyModerator, 200],
      ['room moderator', c.moderator, 200],
      ['admin', admin, 200],
    ];
    for (const [who, member, status] of table) {
      expect((await call(t.app, 'GET', url, member ? { cookie: member.cookie } : {})).statusCode, who).toBe(status);
    }
    const before = (await call(t.app, 'GET', url, { cookie: c.moderator.cookie })).json();
    expect(before).toMatchObject({ itemsResolved: 0, actions: [], dutyMinutes: 0 });
    expect(before.month).toBe(t.clock.now().toISOString().slice(0, 7));

    const author = await registerMember(t.app);
    await join(author, c.slug);
    const socket = await socketFor(author);
    await socket.subscribe(c.slug);
    const ack = await send(socket, c.slug, 'a message someone finds unkind');
    const messageId = (ack.message as { id: string }).id;
    const report = await call(t.app, 'POST', '/api/reports', {
      cookie: c.member.cookie,
      body: { target: { type: 'message', id: messageId }, reason: 'harassment' },
    });
    expect(report.statusCode).toBe(201);
    const queue = await call(t.app, 'GET', '/api/moderation/queue', { cookie: c.moderator.cookie });
    const item = queue.json().items.find((i: { target: { id: string } }) => i.target.id === messageId);
    const act = (member: Member, body: Record<string, unknown>) =>
      call(t.app, 'POST', '/api/moderation/actions', { cookie: member.cookie, body });
    await call(t.app, 'PUT', `/api/rooms/${c.slug}/duty`, { cookie: c.moderator.cookie, body: {} });
    expect(
      (await act(c.moderator, { action: 'hide', target: { type: 'message', id: messageId }, reason: 'unkind' }))
        .statusCode,
    ).toBe(201);
    expect(
      (
        await act(c.moderator, {
          action: 'mute',
          target: { type: 'user', id: author.user.id },
          room: c.slug,
          durationMinutes: 30,
          reason: 'a pause',
        })
      ).statusCode,
    ).toBe(201);
    expect(
      (await act(c.moderator, { action: 'resolve_report', target: { type: 'report', id: item.id }, reason: 'done' }))
        .statusCode,
    ).toBe(201);
    // Someone else's action is not theirs.
    await act(c.secondModerator, { action: 'restore', target: { type: 'message', id: messageId }, reason: 'ok' });
    t.clock.advance(90 * MINUTE);
    await call(t.app, 'DELETE', `/api/rooms/${c.slug}/duty`, { cookie: c.moderator.cookie });
    // On duty again now: the open stretch counts too.
    await call(t.app, 'PUT', `/api/rooms/${c.slug}/duty`, { cookie: c.moderator.cookie, body: {} });
    t.clock.advance(30 * MINUTE);

    const month = (await call(t.app, 'GET', url, { cookie: c.moderator.cookie })).json();
    expect(month).toMatchObject({ itemsResolved: 1, dutyMinutes: 120 });
    expect(month.actions).toEqual([
      { action: 'hide', count: 1 },
      { action: 'mute', count: 1 },
      { action: 'resolve_report', count: 1 },
    ]);
    const other = (await call(t.app, 'GET', url, { cookie: c.secondModerator.cookie })).json();
    expect(other).toMatchObject({ itemsResolved: 0, actions: [{ action: 'restore', count: 1 }], dutyMinutes: 0 });
    await call(t.app, 'DELETE', `/api/rooms/${c.slug}/duty`, { cookie: c.moderator.cookie });

    // Stretches are theirs: in their export.
    const exported = (await call(t.app, 'GET', '/api/me/export', { cookie: c.moderator.cookie })).json();
    expect(exported.moderatorCare.dutyStretches).toHaveLength(2);
    const rows = await t.database.db
      .select()
      .from(schema.dutyStretches)
      .where(eq(schema.dutyStretches.userId, c.moderator.user.id));
    expect(rows).toHaveLength(2);
  });
});
