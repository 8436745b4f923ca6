// Validation accepts exactly what the database stores: text PostgreSQL refuses (a NUL character) or would
// quietly change (a lone surrogate, which is not valid UTF-8) is refused at the border with `validation`
// and the field it is in, over HTTP and over the socket; and an id is a uuid in its canonical form only
// (the `urn:uuid:` and braced forms a validator might take are refused before PostgreSQL sees them).
import { schema } from '@kindred/db';
import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { call, createTestApp, makeAdmin, registerMember, type Member, type TestApp } from './helpers.ts';
import { connect, listen, type TestSocket } from './sockets.ts';

let t: TestApp;
let base: string;
let admin: Member;
let member: Member;
let room: string;
const open: TestSocket[] = [];

const NUL = 'before\u0000after';
const LONE_HIGH = 'before\uD83Dafter';
const LONE_LOW = 'before\uDE00after';
const UUID = '0195f3a2-7c1e-7000-8000-0000000000aa';
const NOT_CANONICAL = [
  `urn:uuid:${UUID}`,
  `{${UUID}}`,
  UUID.replaceAll('-', ''),
  UUID.toUpperCase(),
  // PostgreSQL reads hyphens after any group of four digits.
  `${UUID.slice(0, 4)}-${UUID.slice(4)}`.replace(/-(?=[^-]{4}-[^-]{4}-[^-]{4}-[^-]{12}$)/, ''),
];

beforeAll(async () => {
  t = await createTestApp({
    messageLimitPerMinute: 100_000,
    limitOverrides: {
      rooms: 100_000,
      stories: 100_000,
      journal: 100_000,
      dates: 100_000,
      candles: 100_000,
      reports: 100_000,
      replies: 100_000,
      reactions: 100_000,
    },
  });
  base = await listen(t.app);
  admin = await registerMember(t.app, { username: 'storable_admin' });
  await makeAdmin(t, admin);
  member = await registerMember(t.app);
  room = `storable-${process.pid}`;
  const created = await call(t.app, 'POST', '/api/rooms', {
    cookie: admin.cookie,
    body: { slug: room, name: 'Storable', description: 'Storable input', audience: 'everyone', rules: 'Be kind.' },
  });
  expect(created.statusCode).toBe(201);
  await call(t.app, 'POST', `/api/rooms/${room}/join`, { cookie: member.cookie, body: { acceptRules: true } });
});
afterEach(() => {
  for (const socket of open.splice(0)) socket.close();
});
afterAll(() => t.close());

type Case = [label: string, method: 'GET' | 'POST' | 'PATCH' | 'PUT', url: string, body: unknown, field: string];

// One route for each kind of text people write, and each place a value arrives (body, query, path).
function textCases(bad: string): Case[] {
  return [
    ['a story title', 'POST', '/api/stories', story({ title: bad }), 'title'],
    ['a story body', 'POST', '/api/stories', story({ body: bad }), 'body'],
    ['a journal entry', 'POST', '/api/journal', { body: bad }, 'body'],
    ['a journal prompt', 'POST', '/api/journal', { body: 'words', prompt: bad }, 'prompt'],
    ['a hard date label', 'POST', '/api/me/dates', { label: bad, kind: 'loss', month: 3, day: 14 }, 'label'],
    ['candle words', 'POST', '/api/remembrance', { words: bad }, 'words'],
    ['a candle name', 'POST', '/api/remembrance', { name: bad }, 'name'],
    ['a report note', 'POST', '/api/reports', report({ note: bad }), 'note'],
    ['a display name', 'PATCH', '/api/me', { displayName: bad }, 'displayName'],
    ['a time zone', 'PATCH', '/api/me', { timeZone: bad }, 'timeZone'],
    ['a sign-in username', 'POST', '/api/auth/login', { username: bad, password: 'whatever it is' }, 'username'],
  ];
}

function story(overrides: Record<string, unknown>) {
  return { title: 'A title', body: 'A body', tags: [], contentWarnings: [], anonymous: false, ...overrides };
}
function report(overrides: Record<string, unknown>) {
  return { target: { type: 'user', id: UUID }, reason: 'other', room, ...overrides };
}

describe('text the database cannot store, over HTTP', () => {
  const named = (what: string, bad: string) =>
    textCases(bad).map(([label, ...rest]): Case => [`${what} in ${label}`, ...rest]);
  const cases: Case[] = [
    ...named('NUL', NUL),
    // A query string is percent-encoded UTF-8, which cannot spell a lone surrogate; it can spell a NUL.
    ['NUL in a search query', 'GET', `/api/stories?q=${encodeURIComponent(NUL)}`, undefined, 'q'],
    ...named('a lone high surrogate', LONE_HIGH),
    ...named('a lone low surrogate', LONE_LOW),
  ];
  it.each(cases)('refuses %s with validation and the field', async (_label, method, url, body, field) => {
    const res = await call(t.app, method, url, { cookie: member.cookie, ...(body === undefined ? {} : { body }) });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: { code: 'validation', message: expect.any(String), field } });
    expect(res.json().error.message).toMatch(/can’t be stored/);
  });

  it('stores nothing it refused, and still stores the same words without the character', async () => {
    const before = await t.database.db.select().from(schema.stories).where(eq(schema.stories.authorId, member.user.id));
    await call(t.app, 'POST', '/api/stories', { cookie: member.cookie, body: story({ title: `x${NUL}` }) });
    await call(t.app, 'POST', '/api/stories', { cookie: member.cookie, body: story({ title: `x${LONE_HIGH}` }) });
    const after = await t.database.db.select().from(schema.stories).where(eq(schema.stories.authorId, member.user.id));
    expect(after).toHaveLength(before.length);
    const fine = await call(t.app, 'POST', '/api/journal', {
      cookie: member.cookie,
      body: { body: 'before after — and a whole emoji 🕯️ stays' },
    });
    expect(fine.statusCode).toBe(201);
  });
});

describe('a session cookie the database could not look up', () => {
  it.each([
    ['a NUL', 'ab%00cd.secret'],
    ['a lone surrogate', 'ab%ED%A0%80cd.secret'],
    ['letters outside the token alphabet', 'AB_CD.secret'],
  ])('holding %s is no session at all, not an error', async (_case, token) => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/api/session',
      headers: { cookie: `kindred_session=${token}` },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().user).toBeNull();
  });
});

describe('ids that are not canonical uuids, over HTTP', () => {
  const cases: [string, 'GET' | 'POST' | 'PUT', (id: string) => string, (id: string) => unknown, string][] = [
    ['a story in the path', 'GET', (id) => `/api/stories/${encodeURIComponent(id)}`, () => undefined, 'id'],
    [
      'a member to block in the path',
      'PUT',
      (id) => `/api/me/blocks/${encodeURIComponent(id)}`,
      () => undefined,
      'userId',
    ],
    [
      'a journal entry in the path',
      'POST',
      (id) => `/api/journal/${encodeURIComponent(id)}/story`,
      () => undefined,
      'id',
    ],
    [
      'a report target in the body',
      'POST',
      () => '/api/reports',
      (id) => report({ target: { type: 'message', id } }),
      'target.id',
    ],
  ];
  const table = cases.flatMap(([label, method, url, body, field]) =>
    NOT_CANONICAL.map((id) => [`${id} as ${label}`, method, url(id), body(id), field] as const),
  );
  it.each(table)('refuses %s with validation and the field', async (_label, method, url, body, field) => {
    const res = await call(t.app, method, url, { cookie: member.cookie, ...(body === undefined ? {} : { body }) });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: { code: 'validation', field } });
  });

  it('takes the canonical form', async () => {
    const res = await call(t.app, 'GET', `/api/stories/${UUID}`, { cookie: member.cookie });
    expect(res.statusCode).toBe(404);
  });
});

describe('over the socket', () => {
  async function socket(): Promise<TestSocket> {
    const s = await connect(base, member);
    open.push(s);
    expect((await s.subscribe(room)).type).toBe('subscribed');
    return s;
  }
  let n = 0;
  const frames: [string, (bad: string) => Record<string, unknown>, string][] = [
    ['a send body', (bad) => ({ type: 'send', room, clientId: `s${(n += 1)}`, body: bad }), 'body'],
    ['an edit body', (bad) => ({ type: 'edit', messageId: UUID, body: bad }), 'body'],
  ];
  const table = frames.flatMap(([label, frame, field]) =>
    [NUL, LONE_HIGH, LONE_LOW].map((bad) => [`${JSON.stringify(bad)} in ${label}`, frame, bad, field] as const),
  );
  it.each(table)('refuses %s with validation and the field', async (_label, frame, bad, field) => {
    const s = await socket();
    const sent = frame(bad);
    s.send(sent);
    const answer = await s.next((f) => f.type === 'error');
    expect(answer).toMatchObject({ type: 'error', code: 'validation', field });
    const history = await call(t.app, 'GET', `/api/rooms/${room}/messages`, { cookie: member.cookie });
    expect(history.json().messages.map((m: { body: string }) => m.body)).not.toContain(bad);
  });

  const ids = ['react', 'edit', 'delete'].flatMap((type) =>
    NOT_CANONICAL.map((id) => [`${id} as the messageId of ${type}`, type, id] as const),
  );
  it.each(ids)('refuses %s with validation and the field', async (_label, type, id) => {
    const s = await socket();
    const frame: Record<string, unknown> = { type, messageId: id };
    if (type === 'react') frame.kind = 'heart';
    if (type === 'edit') frame.body = 'changed';
    s.send(frame);
    expect(await s.next((f) => f.type === 'error')).toMatchObject({
      type: 'error',
      code: 'validation',
      field: 'messageId',
    });
  });

  it('refuses a reply to an id that is not canonical', async () => {
    const s = await socket();
    s.send({ type: 'send', room, clientId: 'reply-urn', body: 'a reply', replyTo: `urn:uuid:${UUID}` });
    expect(await s.next((f) => f.type === 'error')).toMatchObject({ code: 'validation', field: 'replyTo' });
  });
});
