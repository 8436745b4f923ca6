// Anonymity as a table: for every kind of anonymous content (a story, a reply, a candle, and a story made
// anonymous after moderators had acted on it) and every viewer but its author (a room moderator, a story
// moderator, an admin, another member, a member who reported it), every path that returns moderation or
// member data is called, and no answer links the author to the content: no part of an answer that mentions
// the content names its author (id, username or display name), and no part about the author mentions it.
// The content has a full moderation history first: approval, reports, warnings, hides and restores, a
// report about the author as a member, all of it by others.
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createTestApp, makeAdmin, registerMember, type Member, type TestApp } from './helpers.ts';
import { connect, listen, type TestSocket } from './sockets.ts';

const DAY = 24 * 60 * 60 * 1000;
const SEARCH_WORD = 'lanternfish';

type Viewer = 'roomModerator' | 'storyModerator' | 'admin' | 'otherMember' | 'reporter';
const viewers: Viewer[] = ['roomModerator', 'storyModerator', 'admin', 'otherMember', 'reporter'];
type Kind = 'story' | 'reply' | 'candle' | 'storyMadeAnonymous';
const kinds: [string, Kind][] = [
  ['an anonymous story', 'story'],
  ['an anonymous reply', 'reply'],
  ['an anonymous candle', 'candle'],
  ['a story made anonymous after moderators acted on it', 'storyMadeAnonymous'],
];

let t: TestApp;
let author: Member;
let people: Record<Viewer, Member>;
let room: string;
let ids: Record<Kind, string> & { parentStory: string };
/** Every answer each viewer was given while the history was made, with the frames their sockets received. */
const seen: Record<Viewer, { label: string; body: string }[]> = {
  roomModerator: [],
  storyModerator: [],
  admin: [],
  otherMember: [],
  reporter: [],
};
const sockets: Partial<Record<Viewer, TestSocket>> = {};

/** A call by a viewer whose answer is kept for the table; fails the setup when it is refused. */
async function as(
  viewer: Viewer,
  method: 'POST' | 'PUT' | 'PATCH',
  url: string,
  body?: unknown,
): Promise<LightMyRequestResponse> {
  const res = await call(t.app, method, url, { cookie: people[viewer].cookie, body });
  if (res.statusCode >= 300) throw new Error(`${method} ${url} as ${viewer}: ${res.statusCode} ${res.body}`);
  if (res.body) seen[viewer].push({ label: `${method} ${url}`, body: res.body });
  return res;
}

async function byAuthor(method: 'POST' | 'PATCH', url: string, body: unknown): Promise<LightMyRequestResponse> {
  const res = await call(t.app, method, url, { cookie: author.cookie, body });
  if (res.statusCode >= 300) throw new Error(`${method} ${url} as the author: ${res.statusCode} ${res.body}`);
  return res;
}

const story = (title: string, anonymous: boolean) => ({
  title,
  body: `The ${SEARCH_WORD} night light stayed on. ${title}`,
  tags: [],
  contentWarnings: [],
  anonymous,
});

beforeAll(async () => {
  t = await createTestApp({ messageLimitPerMinute: 100_000 });
  const base = await listen(t.app);
  const admin = await registerMember(t.app, { username: 'anon_admin', displayName: 'Heron' });
  await makeAdmin(t, admin);
  const [roomModerator, storyModerator, otherMember, reporter, otherWriter] = await Promise.all(
    ['Finch', 'Story Keeper Wren', 'Member Sparrow', 'Reporter Lark', 'Writer Plover'].map((displayName) =>
      registerMember(t.app, { displayName }),
    ),
  );
  people = {
    roomModerator: roomModerator!,
    storyModerator: storyModerator!,
    admin,
    otherMember: otherMember!,
    reporter: reporter!,
  };
  // Everyone else is settled; the author is new, so their first story waits for a moderator, as most do.
  t.clock.advance(DAY + 1000);
  author = await registerMember(t.app, {
    username: `anon_author_${process.pid}`,
    displayName: `Willow Quietly ${process.pid}`,
  });

  room = `anon-${process.pid}`;
  await as('admin', 'POST', '/api/rooms', {
    slug: room,
    name: 'Anonymity room',
    description: 'Where the author and the reporter both talk',
    audience: 'everyone',
    rules: 'Be kind.',
  });
  for (const member of [author, roomModerator!, reporter!]) {
    await call(t.app, 'POST', `/api/rooms/${room}/join`, { cookie: member.cookie, body: { acceptRules: true } });
  }
  await call(t.app, 'PUT', `/api/rooms/${room}/moderators/${roomModerator!.user.id}`, { cookie: admin.cookie });
  await call(t.app, 'PUT', `/api/stories/moderators/${storyModerator!.user.id}`, { cookie: admin.cookie });
  await as('roomModerator', 'PUT', `/api/rooms/${room}/duty`, { showName: true });
  for (const viewer of viewers) {
    const socket = await connect(base, people[viewer]);
    // Following their counts too: the count frames are in the table as every other frame is.
    socket.send({ type: 'counts' });
    sockets[viewer] = socket;
  }

  // The author talks in the room (a member can be reported only where both are), and writes.
  const authorSocket = await connect(base, author);
  await authorSocket.subscribe(room);
  authorSocket.send({ type: 'send', room, clientId: 'anon-1', body: 'Some days are heavier than others.' });
  const ack = await authorSocket.next((f) => f.clientId === 'anon-1');
  const messageId = (ack.message as { id: string }).id;
  authorSocket.close();

  const anonymousStory = (await byAuthor('POST', '/api/stories', story('What nobody says', true))).json().story;
  expect(anonymousStory.status).toBe('pending');
  const parent = (
    await call(t.app, 'POST', '/api/stories', { cookie: otherWriter!.cookie, body: story('A shared story', false) })
  ).json().story;
  const reply = (
    await byAuthor('POST', `/api/stories/${parent.id}/replies`, { body: 'I know this night.', anonymous: true })
  ).json().reply;
  const candle = (await byAuthor('POST', '/api/remembrance', { name: 'Little one', anonymous: true })).json().candle;
  ids = {
    story: anonymousStory.id,
    reply: reply.id,
    candle: candle.id,
    storyMadeAnonymous: '',
    parentStory: parent.id,
  };

  // Moderators act on the anonymous content.
  await as('storyModerator', 'POST', '/api/moderation/actions', {
    action: 'approve_story',
    target: { type: 'story', id: ids.story },
    reason: 'Welcome.',
  });
  const later = (await byAuthor('POST', '/api/stories', story('Said under my name', false))).json().story;
  expect(later.status).toBe('published');
  ids.storyMadeAnonymous = later.id;
  await as('storyModerator', 'PUT', `/api/moderation/candles/${ids.candle}/warnings`, { contentWarnings: ['birth'] });
  for (const action of ['hide', 'restore']) {
    await as('storyModerator', 'POST', '/api/moderation/actions', {
      action,
      target: { type: 'candle', id: ids.candle },
      reason: 'Checking the wall.',
    });
  }
  for (const [type, id] of [
    ['story', ids.story],
    ['reply', ids.reply],
    ['story', ids.storyMadeAnonymous],
  ] as const) {
    await as('reporter', 'POST', '/api/reports', { target: { type, id }, reason: 'triggering_content' });
    await as('storyModerator', 'PUT', `/api/moderation/${type === 'story' ? 'stories' : 'replies'}/${id}/warnings`, {
      contentWarnings: ['medical_detail'],
    });
  }
  for (const action of ['hide', 'restore']) {
    await as('storyModerator', 'POST', '/api/moderation/actions', {
      action,
      target: { type: 'reply', id: ids.reply },
      reason: 'A second look.',
    });
    await as('admin', 'POST', '/api/moderation/actions', {
      action,
      target: { type: 'story', id: ids.storyMadeAnonymous },
      reason: 'A second look.',
    });
  }
  // A story under the author's own name, reported: its item names them to story moderators, rightly.
  const named = (await byAuthor('POST', '/api/stories', story('Under my own name', false))).json().story;
  await as('reporter', 'POST', '/api/reports', { target: { type: 'story', id: named.id }, reason: 'other' });
  // And on the author as a member, in the room they share with the reporter.
  await as('reporter', 'POST', '/api/reports', { target: { type: 'message', id: messageId }, reason: 'other' });
  await as('reporter', 'POST', '/api/reports', {
    target: { type: 'user', id: author.user.id },
    reason: 'worried_about_member',
    room,
  });
  await as('roomModerator', 'POST', '/api/moderation/actions', {
    action: 'mute',
    target: { type: 'user', id: author.user.id },
    room,
    durationMinutes: 15,
    reason: 'A short pause.',
  });
  // Then the author chooses anonymity for the story moderators had acted on under their name.
  await byAuthor('PATCH', `/api/stories/${ids.storyMadeAnonymous}`, { anonymous: true });
  await new Promise((resolve) => setTimeout(resolve, 200));
});
afterAll(async () => {
  for (const socket of Object.values(sockets)) socket.close();
  await t.close();
});

/** Every path that returns moderation or member data, as this viewer reads it now. */
async function answersFor(viewer: Viewer): Promise<{ label: string; body: string }[]> {
  const paths = [
    '/api/moderation/queue',
    '/api/moderation/log',
    `/api/moderation/log?room=${room}`,
    `/api/moderation/rooms/${room}/sanctions`,
    '/api/moderation/bans',
    '/api/me/notices',
    '/api/me/export',
    '/api/me/blocks',
    '/api/me',
    '/api/session',
    '/api/stories',
    `/api/stories?q=${SEARCH_WORD}`,
    '/api/stories?tag=mothers_story',
    `/api/stories/${ids.story}`,
    `/api/stories/${ids.storyMadeAnonymous}`,
    `/api/stories/${ids.parentStory}`,
    '/api/remembrance',
    `/api/rooms/${room}`,
    `/api/rooms/${room}/messages`,
    '/api/rooms',
    `/api/members?q=${author.username}`,
    '/api/members?q=willow',
    `/api/members/${author.username}`,
  ];
  const answers = [];
  for (const path of paths) {
    const res = await call(t.app, 'GET', path, { cookie: people[viewer].cookie });
    expect(res.statusCode, `GET ${path} as ${viewer}: ${res.body}`).toBeLessThan(500);
    if (res.statusCode === 200) answers.push({ label: `GET ${path}`, body: res.body });
  }
  const frames = sockets[viewer]!.frames.map((frame) => ({
    label: `socket ${frame.type}`,
    body: JSON.stringify(frame),
  }));
  return [...answers, ...seen[viewer], ...frames];
}

/**
 * The parts of an answer that each stand for one thing: every element of every list at any depth (a queue
 * item, a log entry, a story in a list, an earlier action), and every top-level field that is not a
 * gathering of such lists (the export's sections are).
 */
function partsOf(value: unknown): unknown[] {
  const parts: unknown[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) {
      for (const element of node) {
        parts.push(element);
        walk(element);
      }
    } else if (node && typeof node === 'object') {
      for (const child of Object.values(node)) walk(child);
    }
  };
  const holdsLists = (node: unknown): boolean =>
    Array.isArray(node)
      ? node.some((element) => element !== null && typeof element === 'object')
      : node !== null && typeof node === 'object' && Object.values(node).some(holdsLists);
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    parts.push(...Object.values(value).filter((field) => !holdsLists(field)));
  }
  walk(value);
  return parts.length ? parts : [value];
}

describe.each(kinds)('%s', (_name, kind) => {
  it.each(viewers)('is never linked to its author for the %s', async (viewer) => {
    const contentId = ids[kind];
    const authorMarks = [author.user.id, author.username, author.user.displayName];
    const links: string[] = [];
    for (const answer of await answersFor(viewer)) {
      for (const part of partsOf(JSON.parse(answer.body))) {
        const text = JSON.stringify(part);
        const named = authorMarks.find((mark) => text.toLowerCase().includes(mark.toLowerCase()));
        if (named && text.includes(contentId)) links.push(`${answer.label}: ${text.slice(0, 400)}`);
      }
    }
    expect(links).toEqual([]);
  });
});

describe('the table can see a link', () => {
  it('because moderators are shown the content and its author, each on their own', async () => {
    const queueOf = async (viewer: Viewer) =>
      (await call(t.app, 'GET', '/api/moderation/queue', { cookie: people[viewer].cookie })).body;
    const forStories = await queueOf('storyModerator');
    for (const id of [ids.story, ids.reply, ids.storyMadeAnonymous]) expect(forStories).toContain(id);
    expect(forStories).toContain(author.user.id);
    expect(await queueOf('roomModerator')).toContain(author.user.id);
    const forAdmin = await queueOf('admin');
    for (const id of [ids.story, ids.reply, ids.storyMadeAnonymous, author.user.id]) expect(forAdmin).toContain(id);
    const wall = (await call(t.app, 'GET', '/api/remembrance', { cookie: people.storyModerator.cookie })).body;
    expect(wall).toContain(ids.candle);
  });
});

describe('the member directory', () => {
  it.each<Viewer>(['roomModerator', 'admin'])(
    'shows the %s the author, and nothing of their anonymous words',
    async (viewer) => {
      const words = [ids.story, ids.reply, ids.candle, ids.storyMadeAnonymous, 'What nobody says', 'Little one'];
      for (const path of [`/api/members?q=${author.username}`, `/api/members/${author.username}`]) {
        const res = await call(t.app, 'GET', path, { cookie: people[viewer].cookie });
        expect(res.statusCode, `GET ${path}`).toBe(200);
        expect(res.body).toContain(author.user.id);
        for (const word of [...words, SEARCH_WORD]) expect(res.body, `GET ${path}`).not.toContain(word);
      }
    },
  );
});

describe('a report', () => {
  it.each<[string, () => { type: string; id: string }]>([
    ['story', () => ({ type: 'story', id: ids.story })],
    ['reply', () => ({ type: 'reply', id: ids.reply })],
  ])('of one’s own anonymous %s is refused, since admins see who reports', async (_kind, target) => {
    const res = await call(t.app, 'POST', '/api/reports', {
      cookie: author.cookie,
      body: { target: target(), reason: 'worried_about_member' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'validation' });
    expect(res.json().error.message).toMatch(/yours/);
  });
});
