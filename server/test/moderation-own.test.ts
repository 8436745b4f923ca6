// Nobody is handed a queue item about their own words or their own person (server/src/moderation/visibility.ts):
// not in the queue, not as an urgent notice, and they may not act on it. It goes to the room's other
// moderators, and to admins (an admin who is herself the subject does not see it either).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { call, createRoom, createTestApp, makeAdmin, registerMember, type Member, type TestApp } from './helpers.ts';
import { connect, listen, type Frame, type TestSocket } from './sockets.ts';

let t: TestApp;
let base: string;
let admin: Member;
const open: TestSocket[] = [];
const DAY = 24 * 60 * 60 * 1000;
// The machine is shared: a frame may take a while under load.
const WAIT = 20_000;

beforeAll(async () => {
  t = await createTestApp({ messageLimitPerMinute: 100_000, limitOverrides: { rooms: 100_000 } });
  base = await listen(t.app);
  admin = await registerMember(t.app, { username: 'own_admin' });
  await makeAdmin(t, admin);
});
afterEach(() => {
  for (const socket of open.splice(0)) socket.close();
});
afterAll(() => t.close());

interface Item {
  id: string;
  target: { type: string; id: string };
  subject: { id: string } | null;
  urgent: boolean;
  automaticReason: string | null;
  reports: { reason: string }[];
}

let counter = 0;
async function socketFor(member: Member, slug?: string): Promise<TestSocket> {
  const socket = await connect(base, member);
  open.push(socket);
  if (slug) expect((await socket.subscribe(slug)).type).toBe('subscribed');
  return socket;
}
async function send(socket: TestSocket, room: string, body: string): Promise<Frame> {
  const clientId = `own${(counter += 1)}`;
  socket.send({ type: 'send', room, clientId, body });
  return socket.next((f) => f.clientId === clientId || f.ref === clientId, WAIT);
}
async function join(member: Member, slug: string) {
  await call(t.app, 'POST', `/api/rooms/${slug}/join`, { cookie: member.cookie, body: { acceptRules: true } });
}
async function appoint(member: Member, slug: string) {
  const res = await call(t.app, 'PUT', `/api/rooms/${slug}/moderators/${member.user.id}`, { cookie: admin.cookie });
  expect(res.statusCode).toBe(204);
}
async function queueOf(member: Member): Promise<Item[]> {
  const res = await call(t.app, 'GET', '/api/moderation/queue', { cookie: member.cookie });
  expect(res.statusCode).toBe(200);
  return res.json().items;
}
const about = (items: Item[], targetId: string) => items.filter((item) => item.target.id === targetId);
const act = (member: Member, body: Record<string, unknown>) =>
  call(t.app, 'POST', '/api/moderation/actions', { cookie: member.cookie, body });

describe('an item about a moderator’s own words or person', () => {
  it('never reaches her once she is appointed; another moderator and an admin see it', async () => {
    const room = await createRoom(t.app, admin, 'own');
    const [writer, friend, other] = await Promise.all([
      registerMember(t.app),
      registerMember(t.app),
      registerMember(t.app),
    ]);
    for (const m of [writer, friend, other]) await join(m!, room.slug);
    // She writes words of risk in a room with no moderator; a friend is worried about her.
    const socket = await socketFor(writer!, room.slug);
    const ack = await send(socket, room.slug, 'since the scan i just want to die');
    const messageId = (ack.message as { id: string }).id;
    await socket.next((f) => f.code === 'crisis_resources', WAIT);
    const worried = await call(t.app, 'POST', '/api/reports', {
      cookie: friend!.cookie,
      body: { target: { type: 'user', id: writer!.user.id }, room: room.slug, reason: 'worried_about_member' },
    });
    expect(worried.statusCode).toBe(201);

    // With no other moderator, the admin sees both.
    const adminItems = await queueOf(admin);
    const crisisItem = about(adminItems, messageId)[0]!;
    expect(crisisItem).toMatchObject({
      urgent: true,
      automaticReason: 'crisis_language',
      subject: { id: writer!.user.id },
    });
    const personItem = about(adminItems, writer!.user.id)[0]!;
    expect(personItem.reports).toMatchObject([{ reason: 'worried_about_member' }]);

    // She is appointed moderator of that room: neither item is hers to see or to act on.
    await appoint(writer!, room.slug);
    const hers = await queueOf(writer!);
    expect(about(hers, messageId)).toEqual([]);
    expect(about(hers, writer!.user.id)).toEqual([]);
    for (const item of [crisisItem, personItem]) {
      const resolve = await act(writer!, {
        action: 'resolve_report',
        target: { type: 'report', id: item.id },
        reason: 'fine',
      });
      expect(resolve.statusCode).toBe(403);
      expect(resolve.json().error.code).toBe('forbidden');
    }
    for (const action of ['hide', 'restore']) {
      const res = await act(writer!, { action, target: { type: 'message', id: messageId }, reason: 'mine' });
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe('forbidden');
    }
    const warnings = await call(t.app, 'PUT', `/api/moderation/messages/${messageId}/warnings`, {
      cookie: writer!.cookie,
      body: { contentWarnings: ['self_harm'] },
    });
    expect(warnings.statusCode).toBe(403);
    // Both are still open, for someone else.
    expect(about(await queueOf(admin), messageId)).toHaveLength(1);
    expect(about(await queueOf(admin), writer!.user.id)).toHaveLength(1);

    // Another moderator of the room sees both, and may act.
    await appoint(other!, room.slug);
    const theirs = await queueOf(other!);
    expect(about(theirs, messageId)).toMatchObject([{ urgent: true, subject: { id: writer!.user.id } }]);
    expect(about(theirs, writer!.user.id)).toHaveLength(1);
    const resolved = await act(other!, {
      action: 'resolve_report',
      target: { type: 'report', id: crisisItem.id },
      reason: 'Reached out gently',
    });
    expect(resolved.statusCode).toBe(201);
  });

  it('is never sent to her as an urgent notice while she is on duty; the other moderator on duty hears', async () => {
    const room = await createRoom(t.app, admin, 'own-live');
    const [writer, other, friend] = await Promise.all([
      registerMember(t.app),
      registerMember(t.app),
      registerMember(t.app),
    ]);
    for (const m of [writer, other, friend]) await join(m!, room.slug);
    await appoint(writer!, room.slug);
    await appoint(other!, room.slug);
    for (const m of [writer, other]) {
      expect(
        (await call(t.app, 'PUT', `/api/rooms/${room.slug}/duty`, { cookie: m!.cookie, body: {} })).statusCode,
      ).toBe(204);
    }
    const hersSocket = await socketFor(writer!, room.slug);
    const otherSocket = await socketFor(other!);
    await send(hersSocket, room.slug, 'i dont want to be here anymore');
    await otherSocket.next((f) => f.code === 'urgent_item', WAIT);
    await call(t.app, 'POST', '/api/reports', {
      cookie: friend!.cookie,
      body: { target: { type: 'user', id: writer!.user.id }, room: room.slug, reason: 'worried_about_member' },
    });
    await otherSocket.next(
      (f) => f.code === 'urgent_item',
      2000,
      otherSocket.frames.findIndex((f) => f.code === 'urgent_item') + 1,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(hersSocket.frames.filter((f) => f.code === 'urgent_item')).toEqual([]);
  });

  it('keeps an admin’s own words from her, and shows them to another admin', async () => {
    const room = await createRoom(t.app, admin, 'own-admin');
    const secondAdmin = await registerMember(t.app);
    await makeAdmin(t, secondAdmin);
    await join(secondAdmin, room.slug);
    const socket = await socketFor(secondAdmin, room.slug);
    const ack = await send(socket, room.slug, "i can't go on like this, i want to end it all");
    const messageId = (ack.message as { id: string }).id;
    await socket.next((f) => f.code === 'crisis_resources', WAIT);
    expect(about(await queueOf(secondAdmin), messageId)).toEqual([]);
    expect(about(await queueOf(admin), messageId)).toHaveLength(1);
  });

  it('keeps the writer of anonymous words from the item about them, and still names no one to others', async () => {
    const [writer, keeper] = await Promise.all([registerMember(t.app), registerMember(t.app)]);
    for (const m of [writer, keeper]) {
      await call(t.app, 'PUT', `/api/stories/moderators/${m!.user.id}`, { cookie: admin.cookie });
    }
    t.clock.advance(DAY + 1000);
    const story = await call(t.app, 'POST', '/api/stories', {
      cookie: writer!.cookie,
      body: {
        title: 'The night after',
        body: 'There is no point in me being alive anymore. I want to die.',
        tags: [],
        contentWarnings: [],
        anonymous: true,
      },
    });
    expect(story.statusCode).toBe(201);
    expect(story.json().story).toMatchObject({ status: 'pending' });
    const storyId = story.json().story.id as string;
    expect(about(await queueOf(writer!), storyId)).toEqual([]);
    const forKeeper = about(await queueOf(keeper!), storyId);
    expect(forKeeper).toMatchObject([{ urgent: true, subject: null }]);
    expect(JSON.stringify(forKeeper)).not.toContain(writer!.user.id);
    const approve = await act(writer!, {
      action: 'approve_story',
      target: { type: 'story', id: storyId },
      reason: 'ok',
    });
    expect(approve.statusCode).toBe(403);
    const resolve = await act(writer!, {
      action: 'resolve_report',
      target: { type: 'report', id: forKeeper[0]!.id },
      reason: 'ok',
    });
    expect(resolve.statusCode).toBe(403);
  });
});

describe('the crisis answer to the writer', () => {
  async function answerIn(slug: string, writer: Member): Promise<Frame> {
    const socket = await socketFor(writer, slug);
    await send(socket, slug, 'i have the tablets saved up and i want to die');
    return socket.next((f) => f.code === 'crisis_resources', WAIT);
  }

  it('says a moderator is on duty only when one who may see it is, at the time of the message', async () => {
    const room = await createRoom(t.app, admin, 'own-duty');
    const [writer, moderator] = await Promise.all([registerMember(t.app), registerMember(t.app)]);
    for (const m of [writer, moderator]) await join(m!, room.slug);
    // No moderator at all.
    expect(await answerIn(room.slug, writer!)).toMatchObject({ moderatorOnDuty: false, resources: { country: null } });
    // A moderator, off duty.
    await appoint(moderator!, room.slug);
    expect((await answerIn(room.slug, writer!)).moderatorOnDuty).toBe(false);
    // On duty now.
    await call(t.app, 'PUT', `/api/rooms/${room.slug}/duty`, { cookie: moderator!.cookie, body: {} });
    expect((await answerIn(room.slug, writer!)).moderatorOnDuty).toBe(true);
  });

  it('does not count the writer herself, on duty in her own room', async () => {
    const room = await createRoom(t.app, admin, 'own-duty-self');
    const writer = await registerMember(t.app);
    await join(writer, room.slug);
    await appoint(writer, room.slug);
    await call(t.app, 'PUT', `/api/rooms/${room.slug}/duty`, { cookie: writer.cookie, body: {} });
    expect((await answerIn(room.slug, writer)).moderatorOnDuty).toBe(false);
  });
});
