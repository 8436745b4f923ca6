// The notice centre on a real database: each kind made by the real action (a reply to my story, a reply to
// my chat message, reactions to my story gathered into one notice, a mention by @username, a moderator's
// action, the hard-day note), each read through the member's filter and blocks (both ways), never naming
// the author of anonymous words in any answer or frame, the kinds a member turned off, who may use each
// route, and the limits (mentions per message and per member, notices kept).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { call, createTestApp, createRoom, makeAdmin, registerMember, type Member, type TestApp } from './helpers.ts';
import { connect, listen, type Frame, type TestSocket } from './sockets.ts';

const KEPT = 12;
const MENTIONS_PER_HOUR = 8;
let t: TestApp;
let base: string;
let admin: Member;
const open: TestSocket[] = [];

beforeAll(async () => {
  t = await createTestApp({
    messageLimitPerMinute: 100_000,
    noticesKept: KEPT,
    limitOverrides: { stories: 100_000, replies: 100_000, reactions: 100_000, mentions: MENTIONS_PER_HOUR },
  });
  base = await listen(t.app);
  admin = await registerMember(t.app);
  await makeAdmin(t, admin);
});
afterEach(() => {
  for (const socket of open.splice(0)) socket.close();
});
afterAll(() => t.close());

const DAY = 24 * 60 * 60 * 1000;
let counter = 0;
const unique = () => `${process.pid}_${(counter += 1)}`;

interface Notice {
  id: string;
  kind: string;
  text: string;
  preview: string | null;
  link: string | null;
  messageId: string | null;
  filtered: string[];
  read: boolean;
  createdAt: string;
}

/** A member past the new-account window (their stories publish at once), with a display name of her own. */
async function settled(name = `Member ${unique()}`): Promise<Member> {
  const member = await registerMember(t.app, { displayName: name });
  t.clock.advance(DAY + 1000);
  return member;
}

async function story(author: Member, overrides: Record<string, unknown> = {}): Promise<string> {
  const res = await call(t.app, 'POST', '/api/stories', {
    cookie: author.cookie,
    body: {
      title: `Our story ${unique()}`,
      body: 'We waited for the scan.',
      tags: [],
      contentWarnings: [],
      anonymous: false,
      ...overrides,
    },
  });
  if (res.statusCode !== 201) throw new Error(`story: ${res.statusCode} ${res.body}`);
  return res.json().story.id;
}

async function replyTo(storyId: string, member: Member, body: Record<string, unknown> = {}) {
  const res = await call(t.app, 'POST', `/api/stories/${storyId}/replies`, {
    cookie: member.cookie,
    body: { body: 'Thinking of you tonight.', ...body },
  });
  if (res.statusCode !== 201) throw new Error(`reply: ${res.statusCode} ${res.body}`);
}

async function react(storyId: string, member: Member, kind = 'love') {
  const res = await call(t.app, 'POST', `/api/stories/${storyId}/reactions`, { cookie: member.cookie, body: { kind } });
  if (res.statusCode !== 200) throw new Error(`react: ${res.statusCode} ${res.body}`);
}

async function notices(member: Member, query = ''): Promise<Notice[]> {
  const res = await call(t.app, 'GET', `/api/me/notices${query}`, { cookie: member.cookie });
  expect(res.statusCode).toBe(200);
  return res.json().notices;
}

/** Notices are made after the action answers (off its path): wait until the list settles on `n` of a kind. */
async function eventually(member: Member, kind: string, n: number): Promise<Notice[]> {
  for (let i = 0; i < 100; i += 1) {
    const of = (await notices(member)).filter((notice) => notice.kind === kind);
    if (of.length === n) return of;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return (await notices(member)).filter((notice) => notice.kind === kind);
}

async function block(blocker: Member, blocked: Member) {
  const res = await call(t.app, 'PUT', `/api/me/blocks/${blocked.user.id}`, { cookie: blocker.cookie });
  expect(res.statusCode).toBe(204);
}

async function joinAll(slug: string, ...members: Member[]) {
  for (const member of members) {
    await call(t.app, 'POST', `/api/rooms/${slug}/join`, { cookie: member.cookie, body: { acceptRules: true } });
  }
}

async function socketOf(member: Member): Promise<TestSocket> {
  const socket = await connect(base, member);
  open.push(socket);
  return socket;
}

async function send(socket: TestSocket, room: string, body: string, extra: Record<string, unknown> = {}) {
  const clientId = `c${unique()}`;
  socket.send({ type: 'send', room, clientId, body, ...extra });
  const ack = await socket.next((f) => f.clientId === clientId || f.ref === clientId);
  expect(ack.type).toBe('ack');
  return (ack.message as { id: string }).id;
}

/** A room with these members joined, and a socket for the writer subscribed to it. */
async function chatScene(count: number) {
  const room = await createRoom(t.app, admin, 'notices');
  const members = await Promise.all(Array.from({ length: count }, () => registerMember(t.app)));
  await joinAll(room.slug, ...members);
  const writer = await socketOf(members[0]!);
  await writer.subscribe(room.slug);
  return { room, members, writer };
}

describe('each kind, made by the real action', () => {
  it('a reply to my story: named, previewed, linked, told live; my own reply makes none', async () => {
    const [author, replier] = [await settled('Ana'), await settled('Bea Replies')];
    const following = await socketOf(author);
    following.send({ type: 'counts' });
    const first = await following.next((f) => f.type === 'notices');
    expect(first.unread).toBe(0);
    const id = await story(author);
    await replyTo(id, author, { body: 'Thank you all.' });
    await replyTo(id, replier, { body: 'I am so sorry for your loss.' });
    const [notice] = await eventually(author, 'story_reply', 1);
    expect(notice).toMatchObject({ preview: 'I am so sorry for your loss.', link: `/stories/${id}`, read: false });
    expect(notice!.text).toContain('Bea Replies');
    const live = await following.next((f) => f.type === 'notice' && f.code === 'story_reply');
    expect(live).toMatchObject({ id: notice!.id, preview: 'I am so sorry for your loss.' });
    await following.next((f) => f.type === 'notices' && f.unread === 1);
    expect(await notices(replier)).toEqual([]);
  });

  it('a reply to my chat message', async () => {
    const { room, members, writer } = await chatScene(2);
    const [first, second] = members as [Member, Member];
    const mine = await send(writer, room.slug, 'Does anyone else dread Sunday evenings?');
    const other = await socketOf(second);
    await other.subscribe(room.slug);
    await send(other, room.slug, 'Every week. You are not alone.', { replyTo: mine });
    const [notice] = await eventually(first, 'message_reply', 1);
    expect(notice).toMatchObject({ preview: 'Every week. You are not alone.', link: `/rooms/${room.slug}` });
    expect(notice!.text).toContain(second.user.displayName);
    expect(await notices(second)).toEqual([]);
  });

  it('reactions to my story gather into one notice that grows, and comes back unread', async () => {
    const author = await settled();
    const id = await story(author);
    const [a, b, c] = [await settled(), await settled(), await settled()];
    await react(id, a, 'love');
    await react(id, a, 'candle');
    await react(id, b, 'me_too');
    let [notice] = await eventually(author, 'story_reactions', 1);
    expect(notice!.text).toMatch(/^2 people sent/);
    await call(t.app, 'POST', `/api/me/notices/${notice!.id}/read`, { cookie: author.cookie });
    await react(id, c, 'love');
    for (let i = 0; i < 100 && !(await notices(author))[0]!.text.startsWith('3'); i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const all = await notices(author);
    expect(all.filter((n) => n.kind === 'story_reactions')).toHaveLength(1);
    [notice] = all;
    expect(notice).toMatchObject({ kind: 'story_reactions', read: false, link: `/stories/${id}` });
    expect(notice!.text).toMatch(/^3 people sent support to your story/);
    for (const member of [a, b, c]) expect(JSON.stringify(all)).not.toContain(member.user.displayName);
  });

  it('a mention by @username reaches a member of the room, whatever the case, and not one outside it', async () => {
    const { room, members, writer } = await chatScene(2);
    const [, named] = members as [Member, Member];
    const outsider = await registerMember(t.app);
    await send(
      writer,
      room.slug,
      `Thank you @${named.username.toUpperCase()} and @${outsider.username}, and @nobody_here`,
    );
    const [notice] = await eventually(named, 'mention', 1);
    expect(notice!.preview).toContain('Thank you');
    expect(notice!.link).toBe(`/rooms/${room.slug}`);
    expect(await notices(outsider)).toEqual([]);
    // Myself: no notice.
    await send(writer, room.slug, `Note to self, @${members[0]!.username}`);
    await eventually(named, 'mention', 1);
    expect(await notices(members[0]!)).toEqual([]);
    // Words a moderator hides take their notice with them.
    const hidden = await call(t.app, 'POST', '/api/moderation/actions', {
      cookie: admin.cookie,
      body: { action: 'hide', target: { type: 'message', id: notice!.messageId }, reason: 'Off topic.' },
    });
    expect(hidden.statusCode).toBe(201);
    expect((await notices(named)).filter((n) => n.kind === 'mention')).toEqual([]);
  });

  it('a moderator’s action on my words', async () => {
    const { room, members, writer } = await chatScene(1);
    const messageId = await send(writer, room.slug, 'Something a moderator will hide.');
    const res = await call(t.app, 'POST', '/api/moderation/actions', {
      cookie: admin.cookie,
      body: { action: 'hide', target: { type: 'message', id: messageId }, reason: 'It named someone.' },
    });
    expect(res.statusCode).toBe(201);
    const [notice] = await notices(members[0]!);
    expect(notice).toMatchObject({ kind: 'message_hidden', read: false, preview: null });
    expect(notice!.text).toContain('It named someone.');
    expect(room.slug).toBeTruthy();
  });

  it('the hard-day note, once on the day, in the member’s own time zone', async () => {
    const member = await registerMember(t.app);
    await call(t.app, 'PATCH', '/api/me', { cookie: member.cookie, body: { timeZone: 'Europe/London' } });
    const today = (await call(t.app, 'GET', '/api/care/today', { cookie: member.cookie })).json().date as string;
    const [, month, day] = today.split('-').map(Number);
    await call(t.app, 'POST', '/api/me/dates', {
      cookie: member.cookie,
      body: { label: 'the day we said goodbye', kind: 'loss', month, day },
    });
    expect((await notices(member)).filter((n) => n.kind === 'hard_day')).toHaveLength(1);
    const [note] = (await notices(member)).filter((n) => n.kind === 'hard_day');
    expect(note!.text).toContain('the day we said goodbye');
    t.clock.advance(DAY);
    expect((await notices(member)).filter((n) => n.kind === 'hard_day')).toHaveLength(1); // kept, not repeated
  });
});

describe('filters and blocks', () => {
  it('a preview my filter matches comes folded, in the list and the frame', async () => {
    const [author, replier] = [await settled(), await settled()];
    await call(t.app, 'PUT', '/api/me/filters', { cookie: author.cookie, body: { hiddenWarnings: ['pregnancy'] } });
    const id = await story(author);
    const socket = await socketOf(author);
    await replyTo(id, replier, { body: 'We are expecting again.', contentWarnings: ['pregnancy'] });
    const [notice] = await eventually(author, 'story_reply', 1);
    expect(notice!.filtered).toEqual(['pregnancy']);
    const live = await socket.next((f) => f.type === 'notice' && f.code === 'story_reply');
    expect(live.filtered).toEqual(['pregnancy']);
  });

  it('a member I blocked, or who blocked me, makes no notice; a block hides the ones made before', async () => {
    const [author, blockedByAuthor, blockerOfAuthor, later] = [
      await settled(),
      await settled(),
      await settled(),
      await settled(),
    ];
    const id = await story(author);
    await replyTo(id, later, { body: 'Before any block.' });
    await eventually(author, 'story_reply', 1);
    await block(author, blockedByAuthor);
    await block(blockerOfAuthor, author);
    // The author's block refuses the reply itself; a member who blocked the author may still write one.
    await call(t.app, 'POST', `/api/stories/${id}/replies`, { cookie: blockedByAuthor.cookie, body: { body: 'x' } });
    await replyTo(id, blockerOfAuthor, { body: 'From someone who blocked you.' });
    await react(id, blockerOfAuthor);
    await block(author, later);
    // A reply after everything: once its notice is there, the ones before it would be too.
    await replyTo(id, await settled(), { body: 'A marker.' });
    const [marker] = await eventually(author, 'story_reply', 1);
    expect(marker!.preview).toBe('A marker.');
    const all = await notices(author);
    expect(all.map((n) => n.preview)).not.toContain('From someone who blocked you.');
    expect(all.map((n) => n.preview)).not.toContain('Before any block.');
    expect(all.filter((n) => n.kind === 'story_reactions')).toEqual([]);
  });

  it('mentions across a block, either way, make no notice', async () => {
    const { room, members, writer } = await chatScene(3);
    const [me, blockedMe, iBlocked] = members as [Member, Member, Member];
    await block(blockedMe, me);
    await block(me, iBlocked);
    await send(writer, room.slug, `Hello @${blockedMe.username} and @${iBlocked.username}`);
    const control = await registerMember(t.app);
    await joinAll(room.slug, control);
    await send(writer, room.slug, `And @${control.username}`);
    await eventually(control, 'mention', 1);
    expect(await notices(blockedMe)).toEqual([]);
    expect(await notices(iBlocked)).toEqual([]);
  });
});

describe('anonymity', () => {
  const cases = [
    { name: 'an anonymous reply to a named story', storyAnonymous: false, replyAnonymous: true },
    { name: 'an anonymous reply to an anonymous story', storyAnonymous: true, replyAnonymous: true },
    { name: 'a named reply to an anonymous story', storyAnonymous: true, replyAnonymous: false },
  ];
  it.each(cases)('$name: no answer or frame links anyone to anonymous words', async (c) => {
    const author = await settled(`Author ${unique()}`);
    const replier = await settled(`Replier ${unique()}`);
    const onlooker = await settled(`Onlooker ${unique()}`);
    const id = await story(author, { anonymous: c.storyAnonymous });
    const sockets = await Promise.all([author, replier, onlooker].map(socketOf));
    for (const socket of sockets) socket.send({ type: 'counts' });
    await replyTo(id, replier, { body: 'Holding you in my thoughts.', anonymous: c.replyAnonymous });
    await react(id, replier);
    await eventually(author, 'story_reply', 1);
    await sockets[0]!.next((f) => f.type === 'notice' && f.code === 'story_reply');
    const answers: Record<string, string> = {};
    for (const [who, member] of Object.entries({ author, replier, onlooker })) {
      answers[who] = JSON.stringify(await notices(member));
    }
    const frames = (i: number) => JSON.stringify(sockets[i]!.frames.filter((f: Frame) => f.type.startsWith('notice')));
    if (c.replyAnonymous) {
      for (const text of [answers.author!, frames(0)]) {
        for (const secret of [replier.user.id, replier.username, replier.user.displayName]) {
          expect(text).not.toContain(secret);
        }
      }
      expect(answers.author).toContain('Someone replied');
    }
    // The story's author is never told to anyone else, anonymous or not.
    for (const text of [answers.replier!, answers.onlooker!, frames(1), frames(2)]) {
      for (const secret of [author.user.id, author.username, author.user.displayName]) {
        expect(text).not.toContain(secret);
      }
    }
    expect(JSON.parse(answers.replier!)).toEqual([]);
    expect(JSON.parse(answers.onlooker!)).toEqual([]);
  });
});

describe('settings', () => {
  it('all kinds are on by default; a kind turned off makes no notice', async () => {
    const { room, members, writer } = await chatScene(2);
    const named = members[1]!;
    const got = await call(t.app, 'GET', '/api/me/notice-settings', { cookie: named.cookie });
    expect(got.json()).toEqual({
      kinds: { story_reply: true, message_reply: true, story_reactions: true, mention: true, hard_day: true },
    });
    const put = await call(t.app, 'PUT', '/api/me/notice-settings', {
      cookie: named.cookie,
      body: { kinds: { mention: false } },
    });
    expect(put.statusCode).toBe(200);
    expect(put.json().kinds).toMatchObject({ mention: false, story_reply: true });
    await send(writer, room.slug, `Hello @${named.username}`);
    const mine = await send(writer, room.slug, 'A message to reply to');
    const other = await socketOf(named);
    await other.subscribe(room.slug);
    await send(other, room.slug, 'A reply', { replyTo: mine });
    await eventually(members[0]!, 'message_reply', 1);
    expect(await notices(named)).toEqual([]);
  });

  it.each([
    ['an unknown kind', { kinds: { everything: false } }],
    ['not a yes or no', { kinds: { mention: 'no' } }],
    ['no kinds', {}],
  ])('refuses %s with a validation error and keeps what was stored', async (_name, body) => {
    const member = await registerMember(t.app);
    await call(t.app, 'PUT', '/api/me/notice-settings', {
      cookie: member.cookie,
      body: { kinds: { hard_day: false } },
    });
    const res = await call(t.app, 'PUT', '/api/me/notice-settings', { cookie: member.cookie, body });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('validation');
    const kept = await call(t.app, 'GET', '/api/me/notice-settings', { cookie: member.cookie });
    expect(kept.json().kinds.hard_day).toBe(false);
  });
});

describe('who may use each route', () => {
  it.each([
    ['GET', '/api/me/notices'],
    ['GET', '/api/me/notice-settings'],
    ['PUT', '/api/me/notice-settings'],
    ['POST', '/api/me/notices/00000000-0000-4000-8000-000000000000/read'],
    ['GET', '/api/rooms/anything/mentionable'],
  ] as const)('%s %s: signed out is 401', async (method, url) => {
    const res = await call(t.app, method, url, method === 'PUT' ? { body: { kinds: { mention: true } } } : {});
    expect(res.statusCode).toBe(401);
  });

  it('another member’s notice cannot be read or marked', async () => {
    const [author, replier, stranger] = [await settled(), await settled(), await settled()];
    await replyTo(await story(author), replier);
    const [notice] = await eventually(author, 'story_reply', 1);
    const res = await call(t.app, 'POST', `/api/me/notices/${notice!.id}/read`, { cookie: stranger.cookie });
    expect(res.statusCode).toBe(404);
    expect((await notices(author))[0]!.read).toBe(false);
    expect(await notices(stranger)).toEqual([]);
  });

  it('the mention picker lists a room’s members to its members only, by name and username, blocks apart', async () => {
    const { room, members } = await chatScene(3);
    const [me, other, blocked] = members as [Member, Member, Member];
    await block(me, blocked);
    const outsider = await registerMember(t.app);
    const mine = await call(t.app, 'GET', `/api/rooms/${room.slug}/mentionable`, { cookie: me.cookie });
    expect(mine.statusCode).toBe(200);
    const names = mine.json().members.map((m: { username: string }) => m.username);
    expect(names).toContain(other.username);
    expect(names).not.toContain(blocked.username);
    expect(names).not.toContain(me.username);
    expect(mine.json().members[0]).toEqual({ username: expect.any(String), displayName: expect.any(String) });
    const query = await call(t.app, 'GET', `/api/rooms/${room.slug}/mentionable?q=${other.username.slice(-3)}`, {
      cookie: me.cookie,
    });
    expect(query.json().members.map((m: { username: string }) => m.username)).toContain(other.username);
    const refused = await call(t.app, 'GET', `/api/rooms/${room.slug}/mentionable`, { cookie: outsider.cookie });
    expect(refused.statusCode).toBe(403);
    const none = await call(t.app, 'GET', '/api/rooms/no-such-room-here/mentionable', { cookie: me.cookie });
    expect(none.statusCode).toBe(404);
  });
});

describe('limits', () => {
  it('five mentions a message at most', async () => {
    const { room, members, writer } = await chatScene(7);
    const named = members.slice(1);
    await send(writer, room.slug, named.map((m) => `@${m.username}`).join(' '));
    await eventually(named[4]!, 'mention', 1);
    expect(await notices(named[5]!)).toEqual([]);
  });

  it('a member’s mentions an hour are limited, across messages; the messages still go', async () => {
    const { room, members, writer } = await chatScene(2);
    const named = members[1]!;
    for (let i = 0; i < MENTIONS_PER_HOUR + 3; i += 1) await send(writer, room.slug, `@${named.username} ${i}`);
    const control = await registerMember(t.app);
    await joinAll(room.slug, control);
    await eventually(named, 'mention', MENTIONS_PER_HOUR);
    // Let any late notices land before counting.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await notices(named)).filter((n) => n.kind === 'mention')).toHaveLength(MENTIONS_PER_HOUR);
  });

  it(`keeps the newest ${KEPT} notices, and older pages stay readable`, async () => {
    const author = await settled();
    const id = await story(author);
    const replier = await settled();
    for (let i = 0; i < KEPT + 4; i += 1) {
      await replyTo(id, replier, { body: `Reply ${i}` });
      t.clock.advance(1000);
    }
    for (let i = 0; i < 100; i += 1) {
      const first = (await notices(author))[0];
      if (first?.preview === `Reply ${KEPT + 3}`) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const firstPage = await notices(author, '?limit=8');
    expect(firstPage).toHaveLength(8);
    const older = await notices(author, `?limit=50&before=${encodeURIComponent(firstPage.at(-1)!.createdAt)}`);
    const previews = [...firstPage, ...older].map((n) => n.preview);
    expect(previews).toHaveLength(KEPT);
    expect(previews[0]).toBe(`Reply ${KEPT + 3}`);
    expect(previews).not.toContain('Reply 0');
  });

  it('a bad cursor is a validation error', async () => {
    const member = await registerMember(t.app);
    const res = await call(t.app, 'GET', '/api/me/notices?before=yesterday', { cookie: member.cookie });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('validation');
  });
});
