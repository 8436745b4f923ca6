// Blocking and the personal filter, in every path where content appears: chat history, live events,
// replays and acks over real sockets; stories and replies; the remembrance wall; notices; the review
// queue. A blocked member can't reply or react to the blocker's words and gets exactly the answer they
// would get for something that isn't there. Moderators add warnings; HELPLINES_FILE replaces the lines.
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { call, createTestApp, makeAdmin, registerMember, type Member, type TestApp } from './helpers.ts';
import { connect, listen, type Frame, type TestSocket } from './sockets.ts';

let t: TestApp;
let base: string;
let admin: Member;
const open: TestSocket[] = [];

beforeAll(async () => {
  t = await createTestApp({
    messageLimitPerMinute: 100_000,
    newMemberLinkWaitHours: 0,
  });
  base = await listen(t.app);
  admin = await registerMember(t.app, { username: 'filters_admin' });
  await makeAdmin(t, admin);
});
afterEach(() => {
  for (const socket of open.splice(0)) socket.close();
});
afterAll(() => t.close());

let roomCounter = 0;
async function newRoom(): Promise<string> {
  roomCounter += 1;
  const slug = `filters-${roomCounter}-${process.pid}`;
  const res = await call(t.app, 'POST', '/api/rooms', {
    cookie: admin.cookie,
    body: { slug, name: slug, description: 'Filter test room', audience: 'everyone', rules: 'Be kind.' },
  });
  if (res.statusCode !== 201) throw new Error(res.body);
  return slug;
}

async function memberOf(slug: string, hiddenWarnings: string[] = []): Promise<Member> {
  const member = await registerMember(t.app);
  await call(t.app, 'POST', `/api/rooms/${slug}/join`, { cookie: member.cookie, body: { acceptRules: true } });
  if (hiddenWarnings.length) await setFilter(member, hiddenWarnings);
  return member;
}

async function setFilter(member: Member, hiddenWarnings: string[]): Promise<void> {
  const res = await call(t.app, 'PUT', '/api/me/filters', { cookie: member.cookie, body: { hiddenWarnings } });
  expect(res.statusCode).toBe(200);
}

async function block(blocker: Member, blocked: Member): Promise<void> {
  const res = await call(t.app, 'PUT', `/api/me/blocks/${blocked.user.id}`, { cookie: blocker.cookie });
  expect(res.statusCode).toBe(204);
}

async function socketFor(member: Member, slug?: string, since?: number): Promise<TestSocket> {
  const socket = await connect(base, member);
  open.push(socket);
  if (slug) expect((await socket.subscribe(slug, since)).type).toBe('subscribed');
  return socket;
}

let clientCounter = 0;
const nextClientId = () => `f${process.pid}-${(clientCounter += 1)}`;

/** Sends and waits for the answer to that clientId: an ack or an error. */
async function send(socket: TestSocket, frame: Record<string, unknown>): Promise<Frame> {
  const clientId = (frame.clientId as string | undefined) ?? nextClientId();
  const from = socket.frames.length;
  socket.send({ type: 'send', clientId, ...frame });
  return socket.next(
    (f) => (f.type === 'ack' && f.clientId === clientId) || (f.type === 'error' && f.ref === clientId),
    10_000,
    from,
  );
}

async function answerTo(socket: TestSocket, frame: Record<string, unknown>, ref: string): Promise<Frame> {
  const from = socket.frames.length;
  socket.send(frame);
  return socket.next((f) => (f.type === 'done' || f.type === 'error') && f.ref === ref, 10_000, from);
}

const eventFor = (socket: TestSocket, messageId: string, kind = 'created') =>
  socket.next((f) => f.type === 'event' && f.kind === kind && (f.message as { id: string }).id === messageId);

type Shown = { id: string; filtered: string[]; authorBlocked: boolean; contentWarnings: string[] };

describe('block routes', () => {
  it('block, list, unblock: idempotent, with exact codes for bad input', async () => {
    const [a, b] = [await registerMember(t.app), await registerMember(t.app)];
    await block(a, b);
    await block(a, b);
    const list = await call(t.app, 'GET', '/api/me/blocks', { cookie: a.cookie });
    expect(list.json()).toEqual({
      blocks: [{ id: b.user.id, displayName: b.user.displayName, blockedAt: expect.any(String) }],
    });
    expect((await call(t.app, 'DELETE', `/api/me/blocks/${b.user.id}`, { cookie: a.cookie })).statusCode).toBe(204);
    expect((await call(t.app, 'DELETE', `/api/me/blocks/${b.user.id}`, { cookie: a.cookie })).statusCode).toBe(204);
    expect((await call(t.app, 'GET', '/api/me/blocks', { cookie: a.cookie })).json()).toEqual({ blocks: [] });
  });

  it.each<[string, (a: Member) => string, string, number, string]>([
    ['myself', (a) => a.user.id, 'PUT', 400, 'validation'],
    ['an unknown member', () => randomUUID(), 'PUT', 404, 'not_found'],
    ['a malformed id', () => 'not-a-uuid', 'PUT', 400, 'validation'],
    ['a malformed id (unblock)', () => '12345', 'DELETE', 400, 'validation'],
  ])('refuses %s', async (_case, idOf, method, status, code) => {
    const a = await registerMember(t.app);
    const res = await call(t.app, method as 'PUT', `/api/me/blocks/${idOf(a)}`, { cookie: a.cookie });
    expect(res.statusCode).toBe(status);
    expect(res.json().error.code).toBe(code);
  });

  it('needs a session', async () => {
    const b = await registerMember(t.app);
    for (const method of ['PUT', 'DELETE'] as const) {
      expect((await call(t.app, method, `/api/me/blocks/${b.user.id}`)).statusCode).toBe(401);
    }
    expect((await call(t.app, 'GET', '/api/me/blocks')).statusCode).toBe(401);
  });

  it('exports whom I blocked, never who blocked me, and goes with either account', async () => {
    const [a, b, c] = [await registerMember(t.app), await registerMember(t.app), await registerMember(t.app)];
    await block(a, b);
    await block(c, a);
    const mine = (await call(t.app, 'GET', '/api/me/export', { cookie: a.cookie })).json();
    expect(mine.blocks).toEqual([{ id: b.user.id, displayName: b.user.displayName, blockedAt: expect.any(String) }]);
    const theirs = await call(t.app, 'GET', '/api/me/export', { cookie: b.cookie });
    expect(theirs.json().blocks).toEqual([]);
    expect(theirs.body).not.toContain(a.user.id);
    const gone = await call(t.app, 'DELETE', '/api/me', { cookie: b.cookie, body: { password: b.password } });
    expect(gone.statusCode).toBe(204);
    expect((await call(t.app, 'GET', '/api/me/blocks', { cookie: a.cookie })).json()).toEqual({ blocks: [] });
  });
});

describe('content warnings on chat messages, through each viewer’s filter', () => {
  it('refuses a warning outside the vocabulary', async () => {
    const room = await newRoom();
    const a = await memberOf(room);
    const answer = await send(await socketFor(a), { room, body: 'Hello', contentWarnings: ['spoilers'] });
    expect(answer).toMatchObject({ type: 'error', code: 'validation' });
  });

  it('marks `filtered` in history over HTTP, live events, the ack and a replay on resume', async () => {
    const room = await newRoom();
    const author = await memberOf(room, ['pregnancy']);
    const filtering = await memberOf(room, ['pregnancy', 'birth']);
    const plain = await memberOf(room);
    const filteringSocket = await socketFor(filtering, room);
    const plainSocket = await socketFor(plain, room);
    const authorSocket = await socketFor(author, room);

    const warned = await send(authorSocket, { room, body: 'We are expecting again.', contentWarnings: ['pregnancy'] });
    const quiet = await send(authorSocket, { room, body: 'Thinking of you all tonight.' });
    // The ack comes through the sender's own filter.
    expect((warned.message as Shown).filtered).toEqual(['pregnancy']);
    expect((warned.message as Shown).contentWarnings).toEqual(['pregnancy']);
    expect((quiet.message as Shown).filtered).toEqual([]);
    const warnedId = (warned.message as Shown).id;
    const quietId = (quiet.message as Shown).id;

    // Live events: the same event, through each socket's filter.
    expect(((await eventFor(filteringSocket, warnedId)).message as Shown).filtered).toEqual(['pregnancy']);
    expect(((await eventFor(filteringSocket, quietId)).message as Shown).filtered).toEqual([]);
    const plainEvent = (await eventFor(plainSocket, warnedId)).message as Shown;
    expect(plainEvent).toMatchObject({ filtered: [], contentWarnings: ['pregnancy'], authorBlocked: false });

    // History over HTTP.
    const history = (await call(t.app, 'GET', `/api/rooms/${room}/messages`, { cookie: filtering.cookie })).json();
    const byId = new Map<string, Shown>(history.messages.map((m: Shown) => [m.id, m]));
    expect(byId.get(warnedId)?.filtered).toEqual(['pregnancy']);
    expect(byId.get(quietId)?.filtered).toEqual([]);
    const forPlain = (await call(t.app, 'GET', `/api/rooms/${room}/messages`, { cookie: plain.cookie })).json();
    expect(forPlain.messages.every((m: Shown) => m.filtered.length === 0)).toBe(true);

    // A replay on resume: events missed while away come through the filter too.
    const resumed = await socketFor(filtering, room, 0);
    const replayed = await resumed.collect((f) => f.type === 'event', 2);
    expect(replayed.map((f) => (f.message as Shown).filtered)).toEqual([['pregnancy'], []]);
  });

  it('follows a change of filter or a new block on an open socket', async () => {
    const room = await newRoom();
    const author = await memberOf(room);
    const reader = await memberOf(room);
    const readerSocket = await socketFor(reader, room);
    const authorSocket = await socketFor(author, room);
    const before = await send(authorSocket, { room, body: 'A scan photo today.', contentWarnings: ['medical_detail'] });
    expect(((await eventFor(readerSocket, (before.message as Shown).id)).message as Shown).filtered).toEqual([]);

    await setFilter(reader, ['medical_detail']);
    await block(reader, author);
    await new Promise((resolve) => setTimeout(resolve, 100)); // the socket reloads its filter
    const after = await send(authorSocket, { room, body: 'Another scan today.', contentWarnings: ['medical_detail'] });
    const seen = (await eventFor(readerSocket, (after.message as Shown).id)).message as Shown;
    expect(seen).toMatchObject({ filtered: ['medical_detail'], authorBlocked: true });
    // The author's own socket sees its message plainly.
    expect(((await eventFor(authorSocket, (after.message as Shown).id)).message as Shown).authorBlocked).toBe(false);
  });

  it('tells every socket of the member to fetch again what it shows, once the new filter is in place', async () => {
    const room = await newRoom();
    const author = await memberOf(room);
    const reader = await memberOf(room);
    const laptop = await socketFor(reader, room);
    const phone = await socketFor(reader); // another device, in no room just now
    const authorSocket = await socketFor(author, room);
    const viewChanged = (socket: TestSocket, from: number) =>
      socket.next((f) => f.type === 'notice' && f.code === 'view_changed', 10_000, from);

    // Loading the filter when a socket opens is no change: nothing to fetch again (it is loaded before any
    // frame is handled, so the laptop's `subscribed` answer comes after anything it could have sent).
    expect(laptop.frames.some((f) => f.type === 'notice')).toBe(false);

    let from = [laptop.frames.length, phone.frames.length];
    await block(reader, author);
    await Promise.all([viewChanged(laptop, from[0]!), viewChanged(phone, from[1]!)]);
    // No sleep: the notice comes after the new filter is in place, so the next event is already marked.
    const blocked = await send(authorSocket, { room, body: 'Are you still there?' });
    expect(((await eventFor(laptop, (blocked.message as Shown).id)).message as Shown).authorBlocked).toBe(true);

    from = [laptop.frames.length, phone.frames.length];
    const res = await call(t.app, 'DELETE', `/api/me/blocks/${author.user.id}`, { cookie: reader.cookie });
    expect(res.statusCode).toBe(204);
    await Promise.all([viewChanged(laptop, from[0]!), viewChanged(phone, from[1]!)]);
    const plain = await send(authorSocket, { room, body: 'Thinking of you.' });
    expect(((await eventFor(laptop, (plain.message as Shown).id)).message as Shown).authorBlocked).toBe(false);

    from = [laptop.frames.length];
    await setFilter(reader, ['medical_detail']);
    await viewChanged(laptop, from[0]!);
    const warned = await send(authorSocket, { room, body: 'A scan today.', contentWarnings: ['medical_detail'] });
    expect(((await eventFor(laptop, (warned.message as Shown).id)).message as Shown).filtered).toEqual([
      'medical_detail',
    ]);

    // Only the member whose view changed is told.
    expect(authorSocket.frames.some((f) => f.type === 'notice' && f.code === 'view_changed')).toBe(false);
  });

  it('lets an edit add warnings, and never drop one', async () => {
    const room = await newRoom();
    const author = await memberOf(room);
    const socket = await socketFor(author, room);
    const sent = await send(socket, { room, body: 'Her birth day.', contentWarnings: ['birth'] });
    const id = (sent.message as Shown).id;
    const done = await answerTo(
      socket,
      { type: 'edit', messageId: id, body: 'Her birth day, and the hospital.', contentWarnings: ['medical_detail'] },
      id,
    );
    expect(done.type).toBe('done');
    const updated = (await eventFor(socket, id, 'updated')).message as Shown;
    expect(updated.contentWarnings.sort()).toEqual(['birth', 'medical_detail']);
  });
});

describe('blocking in chat', () => {
  it('folds the blocked member’s messages for the blocker only, in history and live', async () => {
    const room = await newRoom();
    const [blocker, blocked, other] = [await memberOf(room), await memberOf(room), await memberOf(room)];
    await block(blocker, blocked);
    const blockerSocket = await socketFor(blocker, room);
    const otherSocket = await socketFor(other, room);
    const sent = await send(await socketFor(blocked, room), { room, body: 'Is anyone awake?' });
    const id = (sent.message as Shown).id;
    expect((sent.message as Shown).authorBlocked).toBe(false);
    expect(((await eventFor(blockerSocket, id)).message as Shown).authorBlocked).toBe(true);
    expect(((await eventFor(otherSocket, id)).message as Shown).authorBlocked).toBe(false);
    const history = (await call(t.app, 'GET', `/api/rooms/${room}/messages`, { cookie: blocker.cookie })).json();
    // Folded, not removed: the words are there to open.
    expect(history.messages.find((m: Shown) => m.id === id)).toMatchObject({
      authorBlocked: true,
      body: 'Is anyone awake?',
    });
  });

  it('refuses the blocked member’s reply and reaction exactly as for a message that isn’t there', async () => {
    const room = await newRoom();
    const [blocker, blocked, other] = [await memberOf(room), await memberOf(room), await memberOf(room)];
    const blockerSocket = await socketFor(blocker, room);
    const blockedSocket = await socketFor(blocked, room);
    const target = ((await send(blockerSocket, { room, body: 'Today was hard.' })).message as Shown).id;
    const gone = ((await send(blockerSocket, { room, body: 'Never mind.' })).message as Shown).id;
    expect((await answerTo(blockerSocket, { type: 'delete', messageId: gone }, gone)).type).toBe('done');
    const fromOther = ((await send(await socketFor(other, room), { room, body: 'Here with you.' })).message as Shown)
      .id;
    await block(blocker, blocked);

    // A reply: the same clientId (a refused send stores nothing), once to a message that doesn't exist.
    const clientId = nextClientId();
    const missing = await send(blockedSocket, { room, clientId, body: 'Me too.', replyTo: randomUUID() });
    const refused = await send(blockedSocket, { room, clientId, body: 'Me too.', replyTo: target });
    expect(missing.type).toBe('error');
    expect(JSON.stringify(refused)).toBe(JSON.stringify(missing));

    // A reaction: the same answer as for a deleted message, but for the id it names.
    const toGone = await answerTo(blockedSocket, { type: 'react', messageId: gone, kind: 'heart' }, gone);
    const toBlocker = await answerTo(blockedSocket, { type: 'react', messageId: target, kind: 'heart' }, target);
    expect(toGone.type).toBe('error');
    expect(JSON.stringify({ ...toBlocker, ref: gone })).toBe(JSON.stringify(toGone));
    expect(JSON.stringify([missing, toBlocker])).not.toMatch(/block/i);

    // Everyone else's words are still open to them.
    expect((await send(blockedSocket, { room, body: 'Thank you.', replyTo: fromOther })).type).toBe('ack');
    expect((await answerTo(blockedSocket, { type: 'react', messageId: fromOther, kind: 'hug' }, fromOther)).type).toBe(
      'done',
    );
    // And once unblocked, the blocker's too.
    await call(t.app, 'DELETE', `/api/me/blocks/${blocked.user.id}`, { cookie: blocker.cookie });
    expect((await send(blockedSocket, { room, body: 'Me too.', replyTo: target })).type).toBe('ack');
  });
});

describe('stories and replies', () => {
  async function publish(author: Member, overrides: Record<string, unknown> = {}): Promise<string> {
    const res = await call(t.app, 'POST', '/api/stories', {
      cookie: author.cookie,
      body: {
        title: 'Our Rowan',
        body: 'We lost Rowan in spring.',
        tags: [],
        contentWarnings: [],
        anonymous: false,
        ...overrides,
      },
    });
    expect(res.json().story.status).toBe('published');
    return res.json().story.id;
  }

  it('marks `authorBlocked` for the blocker in lists, details and replies, never for anonymous words', async () => {
    const [blocker, blocked, other] = [
      await registerMember(t.app),
      await registerMember(t.app),
      await registerMember(t.app),
    ];
    await block(blocker, blocked);
    const named = await publish(blocked);
    const anonymous = await publish(blocked, { anonymous: true });
    const others = await publish(other);
    await call(t.app, 'POST', `/api/stories/${others}/replies`, {
      cookie: blocked.cookie,
      body: { body: 'With you.' },
    });

    const list = (await call(t.app, 'GET', '/api/stories', { cookie: blocker.cookie })).json().stories;
    const byId = new Map<string, Shown>(list.map((s: Shown) => [s.id, s]));
    expect(byId.get(named)?.authorBlocked).toBe(true);
    expect(byId.get(anonymous)?.authorBlocked).toBe(false);
    expect(byId.get(others)?.authorBlocked).toBe(false);
    const detail = (await call(t.app, 'GET', `/api/stories/${named}`, { cookie: blocker.cookie })).json();
    expect(detail.story.authorBlocked).toBe(true);
    const thread = (await call(t.app, 'GET', `/api/stories/${others}`, { cookie: blocker.cookie })).json();
    expect(thread.replies[0].authorBlocked).toBe(true);
    const forOther = (await call(t.app, 'GET', `/api/stories/${others}`, { cookie: other.cookie })).json();
    expect(forOther.replies[0].authorBlocked).toBe(false);
  });

  it('refuses the blocked member’s reply and reaction with the answer for a story that isn’t there', async () => {
    const [blocker, blocked] = [await registerMember(t.app), await registerMember(t.app)];
    const story = await publish(blocker);
    await block(blocker, blocked);
    const nowhere = randomUUID();
    for (const [path, body] of [
      ['replies', { body: 'I am so sorry.' }],
      ['reactions', { kind: 'love' }],
    ] as const) {
      const missing = await call(t.app, 'POST', `/api/stories/${nowhere}/${path}`, { cookie: blocked.cookie, body });
      const refused = await call(t.app, 'POST', `/api/stories/${story}/${path}`, { cookie: blocked.cookie, body });
      expect(missing.statusCode).toBe(404);
      expect(refused.statusCode).toBe(404);
      expect(refused.body).toBe(missing.body);
    }
    // They can still read it; nothing they read says they are blocked.
    const read = await call(t.app, 'GET', `/api/stories/${story}`, { cookie: blocked.cookie });
    expect(read.statusCode).toBe(200);
    expect(read.json().story.authorBlocked).toBe(false);
    const stranger = await registerMember(t.app);
    const open = await call(t.app, 'POST', `/api/stories/${story}/replies`, {
      cookie: stranger.cookie,
      body: { body: 'Holding you.' },
    });
    expect(open.statusCode).toBe(201);
  });

  it('takes the blocked member’s reply to the blocker’s anonymous story, so a refusal never names its author', async () => {
    const [blocker, blocked] = [await registerMember(t.app), await registerMember(t.app)];
    const story = await publish(blocker, { anonymous: true });
    await block(blocker, blocked);
    const reply = await call(t.app, 'POST', `/api/stories/${story}/replies`, {
      cookie: blocked.cookie,
      body: { body: 'I am so sorry.' },
    });
    expect(reply.statusCode).toBe(201);
    // The blocker still sees it folded: the reply itself is not anonymous.
    const thread = (await call(t.app, 'GET', `/api/stories/${story}`, { cookie: blocker.cookie })).json();
    expect(thread.replies[0].authorBlocked).toBe(true);
  });

  it('keeps a moderator’s warning through the author’s later edit of a shared story; a draft’s are the author’s', async () => {
    const author = await registerMember(t.app);
    const story = await publish(author, { contentWarnings: ['birth'] });
    const added = await call(t.app, 'PUT', `/api/moderation/stories/${story}/warnings`, {
      cookie: admin.cookie,
      body: { contentWarnings: ['tfmr'] },
    });
    expect(added.statusCode).toBe(200);
    // The author's editor was opened before the moderator's change and saves the list it had.
    const edited = await call(t.app, 'PATCH', `/api/stories/${story}`, {
      cookie: author.cookie,
      body: { body: 'We lost Rowan in spring. We planted a tree.', contentWarnings: ['birth'] },
    });
    expect(edited.statusCode).toBe(200);
    expect(edited.json().story.contentWarnings).toEqual(['birth', 'tfmr']);

    const draft = await call(t.app, 'POST', '/api/stories', {
      cookie: author.cookie,
      body: { title: 'Draft', body: 'Not yet.', tags: [], contentWarnings: ['birth'], anonymous: false, draft: true },
    });
    const draftId = draft.json().story.id;
    const changed = await call(t.app, 'PATCH', `/api/stories/${draftId}`, {
      cookie: author.cookie,
      body: { contentWarnings: [] },
    });
    expect(changed.json().story.contentWarnings).toEqual([]);
  });
});

describe('the remembrance wall', () => {
  it('takes warnings when lighting, and marks `filtered` and `authorBlocked` per viewer', async () => {
    const [lighter, filtering, blocker] = [
      await registerMember(t.app),
      await registerMember(t.app),
      await registerMember(t.app),
    ];
    await setFilter(filtering, ['later_loss']);
    await block(blocker, lighter);
    const lit = await call(t.app, 'POST', '/api/remembrance', {
      cookie: lighter.cookie,
      body: { name: 'Willow', words: 'Born still at 30 weeks.', contentWarnings: ['later_loss'] },
    });
    expect(lit.statusCode).toBe(201);
    const quiet = await call(t.app, 'POST', '/api/remembrance', { cookie: lighter.cookie, body: { name: 'Bean' } });
    const hidden = await call(t.app, 'POST', '/api/remembrance', {
      cookie: lighter.cookie,
      body: { name: 'Little one', anonymous: true },
    });
    const wall = async (member: Member) =>
      new Map<string, Shown>(
        (await call(t.app, 'GET', '/api/remembrance', { cookie: member.cookie }))
          .json()
          .candles.map((c: Shown) => [c.id, c]),
      );
    const forFiltering = await wall(filtering);
    expect(forFiltering.get(lit.json().candle.id)).toMatchObject({ filtered: ['later_loss'], authorBlocked: false });
    expect(forFiltering.get(quiet.json().candle.id)?.filtered).toEqual([]);
    const forBlocker = await wall(blocker);
    expect(forBlocker.get(quiet.json().candle.id)?.authorBlocked).toBe(true);
    expect(forBlocker.get(hidden.json().candle.id)?.authorBlocked).toBe(false);
    // A moderator adds a warning to a candle.
    const added = await call(t.app, 'PUT', `/api/moderation/candles/${quiet.json().candle.id}/warnings`, {
      cookie: admin.cookie,
      body: { contentWarnings: ['later_loss'] },
    });
    expect(added.statusCode).toBe(200);
    expect((await wall(filtering)).get(quiet.json().candle.id)?.filtered).toEqual(['later_loss']);
  });
});

describe('moderators add warnings', () => {
  it('to a message: an `updated` event through each filter, and one audit entry', async () => {
    const room = await newRoom();
    const [author, moderator, filtering, plain] = [
      await memberOf(room),
      await memberOf(room),
      await memberOf(room, ['birth']),
      await memberOf(room),
    ];
    await call(t.app, 'PUT', `/api/rooms/${room}/moderators/${moderator.user.id}`, { cookie: admin.cookie });
    const filteringSocket = await socketFor(filtering, room);
    const plainSocket = await socketFor(plain, room);
    const id = ((await send(await socketFor(author, room), { room, body: 'She arrived at 3am.' })).message as Shown).id;

    const refused = await call(t.app, 'PUT', `/api/moderation/messages/${id}/warnings`, {
      cookie: plain.cookie,
      body: { contentWarnings: ['birth'] },
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('forbidden');
    // The same answer for an id that does not exist: a member learns nothing about which ids are real.
    for (const kind of ['messages', 'stories', 'replies', 'candles']) {
      const unknown = await call(t.app, 'PUT', `/api/moderation/${kind}/${randomUUID()}/warnings`, {
        cookie: plain.cookie,
        body: { contentWarnings: ['birth'] },
      });
      expect(unknown.statusCode, kind).toBe(403);
    }

    const res = await call(t.app, 'PUT', `/api/moderation/messages/${id}/warnings`, {
      cookie: moderator.cookie,
      body: { contentWarnings: ['birth'] },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ contentWarnings: ['birth'], action: { action: 'add_warnings', room } });
    expect(((await eventFor(filteringSocket, id, 'updated')).message as Shown).filtered).toEqual(['birth']);
    expect((await eventFor(plainSocket, id, 'updated')).message).toMatchObject({
      contentWarnings: ['birth'],
      filtered: [],
    });
    const log = (await call(t.app, 'GET', `/api/moderation/log?room=${room}`, { cookie: moderator.cookie })).json();
    const entries = log.actions.filter((a: { action: string }) => a.action === 'add_warnings');
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ target: { type: 'message', id }, actor: { id: moderator.user.id } });
  });

  it.each<[string, () => string, unknown, number, string]>([
    [
      'an unknown kind',
      () => `/api/moderation/photos/${randomUUID()}/warnings`,
      { contentWarnings: ['birth'] },
      400,
      'validation',
    ],
    [
      'an unknown message',
      () => `/api/moderation/messages/${randomUUID()}/warnings`,
      { contentWarnings: ['birth'] },
      404,
      'not_found',
    ],
    [
      'a warning outside the vocabulary',
      () => `/api/moderation/messages/${randomUUID()}/warnings`,
      { contentWarnings: ['gore'] },
      400,
      'validation',
    ],
    [
      'no warnings',
      () => `/api/moderation/messages/${randomUUID()}/warnings`,
      { contentWarnings: [] },
      400,
      'validation',
    ],
    ['a malformed id', () => '/api/moderation/messages/42/warnings', { contentWarnings: ['birth'] }, 400, 'validation'],
  ])('refuses %s', async (_case, url, body, status, code) => {
    const res = await call(t.app, 'PUT', url(), { cookie: admin.cookie, body });
    expect(res.statusCode).toBe(status);
    expect(res.json().error.code).toBe(code);
  });
});

describe('notices and the review queue', () => {
  it('a notice quoting a story carries `filtered` for its reader', async () => {
    const author = await registerMember(t.app);
    await setFilter(author, ['religion']);
    const story = (
      await call(t.app, 'POST', '/api/stories', {
        cookie: author.cookie,
        body: {
          title: 'Where I found her',
          body: 'I want to die. I can’t do this without her.',
          tags: [],
          contentWarnings: ['religion'],
          anonymous: false,
        },
      })
    ).json().story;
    expect(story.status).toBe('pending');
    const socket = await socketFor(author);
    const declined = await call(t.app, 'POST', '/api/moderation/actions', {
      cookie: admin.cookie,
      body: { action: 'reject_story', target: { type: 'story', id: story.id }, reason: 'Let us talk first.' },
    });
    expect(declined.statusCode).toBe(201);
    const live = await socket.next((f) => f.type === 'notice' && f.code === 'story_declined');
    expect(live.filtered).toEqual(['religion']);
    const notices = (await call(t.app, 'GET', '/api/me/notices', { cookie: author.cookie })).json().notices;
    expect(notices.find((n: { kind: string }) => n.kind === 'story_declined').filtered).toEqual(['religion']);
    const other = notices.filter((n: { kind: string }) => n.kind !== 'story_declined');
    expect(other.every((n: { filtered: string[] }) => n.filtered.length === 0)).toBe(true);
  });

  it('previews in the queue carry the moderator’s own `filtered`', async () => {
    const room = await newRoom();
    const [author, reporter, moderator] = [await memberOf(room), await memberOf(room), await memberOf(room, ['tfmr'])];
    await call(t.app, 'PUT', `/api/rooms/${room}/moderators/${moderator.user.id}`, { cookie: admin.cookie });
    const socket = await socketFor(author, room);
    await send(socket, { room, body: 'Before it happened.' });
    const id = (
      (await send(socket, { room, body: 'We chose to let him go.', contentWarnings: ['tfmr'] })).message as Shown
    ).id;
    const reported = await call(t.app, 'POST', '/api/reports', {
      cookie: reporter.cookie,
      body: { target: { type: 'message', id }, reason: 'triggering_content' },
    });
    expect(reported.statusCode).toBe(201);
    const story = (
      await call(t.app, 'POST', '/api/stories', {
        cookie: author.cookie,
        body: { title: 'Our choice', body: 'The hardest week.', tags: [], contentWarnings: ['tfmr'], anonymous: false },
      })
    ).json().story;
    await call(t.app, 'POST', '/api/reports', {
      cookie: reporter.cookie,
      body: { target: { type: 'story', id: story.id }, reason: 'triggering_content' },
    });

    const forModerator = (await call(t.app, 'GET', '/api/moderation/queue', { cookie: moderator.cookie })).json();
    const item = forModerator.items.find((i: { target: { id: string } }) => i.target.id === id);
    expect(item.context.message).toMatchObject({ id, filtered: ['tfmr'] });
    expect(item.context.surrounding.every((m: Shown) => m.filtered.length === 0)).toBe(true);
    const forAdmin = (await call(t.app, 'GET', '/api/moderation/queue', { cookie: admin.cookie })).json();
    expect(forAdmin.items.find((i: { target: { id: string } }) => i.target.id === id).context.message.filtered).toEqual(
      [],
    );
    const storyItem = forAdmin.items.find((i: { target: { id: string } }) => i.target.id === story.id);
    expect(storyItem.context.story).toMatchObject({ contentWarnings: ['tfmr'], filtered: [] });
  });
});

describe('HELPLINES_FILE', () => {
  it('feeds the resources routes and the lines a writer is shown', async () => {
    const helplines = {
      updated: '2026-11-01',
      international: [{ name: 'Our own line', url: 'https://help.example', description: 'Someone to listen.' }],
      countries: {
        IE: {
          name: 'Ireland',
          emergency: '112',
          lines: [{ name: 'Test line', phone: '116 123', description: 'Free.' }],
        },
      },
    };
    const custom = await createTestApp({ helplines });
    try {
      const crisis = await call(custom.app, 'GET', '/api/resources/crisis?country=IE');
      expect(crisis.json()).toMatchObject({ country: 'IE', lines: [{ name: 'Test line' }] });
      const fallback = await call(custom.app, 'GET', '/api/resources/crisis?country=GB');
      expect(fallback.json()).toMatchObject({ country: null, lines: helplines.international });
      expect((await call(custom.app, 'GET', '/api/resources/countries')).json()).toEqual({
        countries: [{ code: 'IE', name: 'Ireland' }],
      });
      expect((await call(custom.app, 'GET', '/api/resources')).json()).toEqual({
        updated: '2026-11-01',
        international: helplines.international,
        countries: [{ code: 'IE', ...helplines.countries.IE }],
      });
      const customBase = await listen(custom.app);
      const writer = await registerMember(custom.app);
      await call(custom.app, 'PATCH', '/api/me', { cookie: writer.cookie, body: { country: 'IE' } });
      await call(custom.app, 'POST', '/api/rooms/mothers/join', { cookie: writer.cookie, body: { acceptRules: true } });
      const socket = await connect(customBase, writer);
      open.push(socket);
      await send(socket, { room: 'mothers', body: 'I want to die. I can’t do this without her.' });
      const notice = await socket.next((f) => f.type === 'notice' && f.code === 'crisis_resources');
      expect(notice.resources).toMatchObject({ country: 'IE', lines: [{ name: 'Test line' }] });
    } finally {
      await custom.close();
    }
  });

  it('the shipped list by default', async () => {
    const all = (await call(t.app, 'GET', '/api/resources')).json();
    expect(all.countries.length).toBeGreaterThan(3);
    expect(all.countries.find((c: { code: string }) => c.code === 'GB')).toMatchObject({ name: expect.any(String) });
  });
});
