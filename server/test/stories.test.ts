// Stories on a real database: publication rules, anonymity in every answer, pending stories, replies,
// reactions, paging, search, personal filters, and stories as moderation targets.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createTestApp, makeAdmin, registerMember, type Member, type TestApp } from './helpers.ts';

let t: TestApp;
let admin: Member;
beforeAll(async () => {
  t = await createTestApp({
    // Some members here write many stories in one test day; the limit itself is tested in limits.test.ts.
    limitOverrides: { stories: 100_000 },
  });
  admin = await registerMember(t.app, { username: 'story_admin' });
  await makeAdmin(t, admin);
});
afterAll(() => t.close());

const DAY = 24 * 60 * 60 * 1000;
let counter = 0;

/** A member past the new-account window, so their stories publish at once. */
async function settledMember(): Promise<Member> {
  const member = await registerMember(t.app);
  t.clock.advance(DAY + 1000);
  return member;
}

async function write(member: Member, overrides: Record<string, unknown> = {}) {
  counter += 1;
  const res = await call(t.app, 'POST', '/api/stories', {
    cookie: member.cookie,
    body: {
      title: `Our story ${counter}`,
      body: `We waited ${counter} weeks for the scan. *Nothing* prepared us.`,
      tags: ['mothers_story'],
      contentWarnings: [],
      anonymous: false,
      ...overrides,
    },
  });
  if (res.statusCode !== 201) throw new Error(`story failed: ${res.statusCode} ${res.body}`);
  return res.json().story as { id: string; status: string; bodyHtml: string; author: unknown };
}

describe('writing', () => {
  it('publishes a settled member’s story with sanitized HTML', async () => {
    const member = await settledMember();
    const story = await write(member, { body: 'A *quiet* day.\n\n<script>alert(1)</script>' });
    expect(story.status).toBe('published');
    expect(story.bodyHtml).toContain('<em>quiet</em>');
    expect(story.bodyHtml).not.toContain('<script>');
    expect(story.author).toMatchObject({ id: member.user.id });
  });

  it('holds a new account’s first story for a moderator, visible only to its author and moderators', async () => {
    const member = await registerMember(t.app);
    const story = await write(member);
    expect(story).toMatchObject({ status: 'pending', heldFor: 'new_member' });
    const stranger = await settledMember();
    expect((await call(t.app, 'GET', `/api/stories/${story.id}`, { cookie: stranger.cookie })).statusCode).toBe(404);
    expect((await call(t.app, 'GET', `/api/stories/${story.id}`, { cookie: member.cookie })).statusCode).toBe(200);
    expect((await call(t.app, 'GET', `/api/stories/${story.id}`, { cookie: admin.cookie })).statusCode).toBe(200);
    const listed = (await call(t.app, 'GET', '/api/stories', { cookie: stranger.cookie })).json().stories;
    expect(listed.map((s: { id: string }) => s.id)).not.toContain(story.id);
    const mine = (await call(t.app, 'GET', '/api/stories?mine=true', { cookie: member.cookie })).json().stories;
    expect(mine[0]).toMatchObject({ id: story.id, status: 'pending' });
    const queue = (await call(t.app, 'GET', '/api/moderation/queue', { cookie: admin.cookie })).json().items;
    expect(queue.find((i: { target: { id: string } }) => i.target.id === story.id)).toMatchObject({
      automaticReason: 'first_story',
    });
    const approved = await call(t.app, 'POST', '/api/moderation/actions', {
      cookie: admin.cookie,
      body: { action: 'approve_story', target: { type: 'story', id: story.id }, reason: 'Welcome.' },
    });
    expect(approved.statusCode).toBe(201);
    expect((await call(t.app, 'GET', `/api/stories/${story.id}`, { cookie: stranger.cookie })).statusCode).toBe(200);
  });

  it('holds a story with words that suggest risk, as urgent, and removes nothing', async () => {
    const member = await settledMember();
    const story = await write(member, { body: 'Since the loss I just want to die. I have not told anyone.' });
    expect(story).toMatchObject({ status: 'pending', heldFor: 'risk' });
    const queue = (await call(t.app, 'GET', '/api/moderation/queue', { cookie: admin.cookie })).json().items;
    expect(queue.find((i: { target: { id: string } }) => i.target.id === story.id)).toMatchObject({
      urgent: true,
      automaticReason: 'crisis_language',
    });
    expect(
      (await call(t.app, 'GET', `/api/stories/${story.id}`, { cookie: member.cookie })).json().story.body,
    ).toContain('want to die');
  });

  it('keeps drafts for their author, then shares them', async () => {
    const member = await settledMember();
    const draft = await write(member, { draft: true });
    expect(draft.status).toBe('draft');
    const patched = await call(t.app, 'PATCH', `/api/stories/${draft.id}`, {
      cookie: member.cookie,
      body: { body: 'Still writing this.' },
    });
    expect(patched.json().story.body).toBe('Still writing this.');
    expect((await call(t.app, 'GET', `/api/stories/${draft.id}`, { cookie: admin.cookie })).statusCode).toBe(404);
    const shared = await call(t.app, 'POST', `/api/stories/${draft.id}/publish`, { cookie: member.cookie });
    expect(shared.json().story.status).toBe('published');
    const again = await call(t.app, 'POST', `/api/stories/${draft.id}/publish`, { cookie: member.cookie });
    expect(again.statusCode).toBe(400);
  });

  it('lets only the author edit or delete', async () => {
    const author = await settledMember();
    const other = await settledMember();
    const story = await write(author);
    for (const [method, url, body] of [
      ['PATCH', `/api/stories/${story.id}`, { title: 'Mine now' }],
      ['DELETE', `/api/stories/${story.id}`, undefined],
      ['POST', `/api/stories/${story.id}/publish`, undefined],
    ] as const) {
      const res = await call(t.app, method, url, { cookie: other.cookie, body });
      expect(res.statusCode, `${method} ${url}`).toBe(404);
    }
    expect((await call(t.app, 'DELETE', `/api/stories/${story.id}`, { cookie: author.cookie })).statusCode).toBe(204);
    expect((await call(t.app, 'GET', `/api/stories/${story.id}`, { cookie: author.cookie })).statusCode).toBe(404);
  });

  const valid = { title: 'T', body: 'B', tags: [], contentWarnings: [], anonymous: false };
  it.each<[string, unknown, number, string]>([
    ['no title', { ...valid, title: undefined }, 400, 'validation'],
    ['a blank title', { ...valid, title: '   ' }, 400, 'validation'],
    ['too long a title', { ...valid, title: 't'.repeat(141) }, 400, 'validation'],
    ['too long a body', { ...valid, body: 'b'.repeat(40_001) }, 400, 'validation'],
    ['an unknown tag', { ...valid, tags: ['happy'] }, 400, 'validation'],
    ['a repeated tag', { ...valid, tags: ['trying_again', 'trying_again'] }, 400, 'validation'],
    ['an unknown warning', { ...valid, contentWarnings: ['sad'] }, 400, 'validation'],
    ['anonymous as text', { ...valid, anonymous: 'yes' }, 400, 'validation'],
    ['an unknown field', { ...valid, pinned: true }, 400, 'validation'],
    ['a missing list', { title: 'T', body: 'B', contentWarnings: [], anonymous: false }, 400, 'validation'],
  ])('refuses a story with %s', async (_case, body, status, code) => {
    const member = await settledMember();
    const res = await call(t.app, 'POST', '/api/stories', { cookie: member.cookie, body });
    expect(res.statusCode).toBe(status);
    expect(res.json().error.code).toBe(code);
  });

  it.each<[string, string, string, unknown, number]>([
    ['signed out', 'POST', '/api/stories', { ...valid }, 401],
    ['a malformed id', 'GET', '/api/stories/not-an-id', undefined, 400],
    ['an unknown id', 'GET', '/api/stories/00000000-0000-4000-8000-000000000000', undefined, 404],
    ['a bad cursor', 'GET', '/api/stories?cursor=zzz', undefined, 400],
    ['an unknown tag filter', 'GET', '/api/stories?tag=happy', undefined, 400],
    ['mine while signed out', 'GET', '/api/stories?mine=true', undefined, 401],
    ['an empty reply', 'POST', '/api/stories/00000000-0000-4000-8000-000000000000/replies', { body: '' }, 400],
    [
      'an unknown reaction',
      'POST',
      '/api/stories/00000000-0000-4000-8000-000000000000/reactions',
      { kind: 'like' },
      400,
    ],
    ['an empty edit', 'PATCH', '/api/stories/00000000-0000-4000-8000-000000000000', {}, 400],
  ])('answers %s with its code', async (kind, method, url, body, status) => {
    const cookie = kind.includes('signed out') ? undefined : (await settledMember()).cookie;
    const res = await call(t.app, method as 'GET', url, { cookie, body });
    expect(res.statusCode).toBe(status);
  });
});

describe('anonymity', () => {
  it('never reveals the author of an anonymous story or reply to another member, in any answer', async () => {
    const author = await settledMember();
    const reader = await settledMember();
    const story = await write(author, { anonymous: true, title: 'Without my name', body: 'A word like lighthouse.' });
    const reply = await call(t.app, 'POST', `/api/stories/${story.id}/replies`, {
      cookie: author.cookie,
      body: { body: 'Thank you all.', anonymous: true },
    });
    expect(reply.statusCode).toBe(201);
    await call(t.app, 'POST', `/api/stories/${story.id}/reactions`, {
      cookie: reader.cookie,
      body: { kind: 'candle' },
    });
    const answers = [
      await call(t.app, 'GET', '/api/stories', { cookie: reader.cookie }),
      await call(t.app, 'GET', `/api/stories/${story.id}`, { cookie: reader.cookie }),
      await call(t.app, 'GET', '/api/stories?q=lighthouse', { cookie: reader.cookie }),
      await call(t.app, 'POST', `/api/stories/${story.id}/reactions`, {
        cookie: reader.cookie,
        body: { kind: 'love' },
      }),
      await call(t.app, 'GET', '/api/me/export', { cookie: reader.cookie }),
      await call(t.app, 'GET', `/api/stories/${story.id}`),
    ];
    for (const res of answers) {
      expect(res.statusCode).toBeLessThan(300);
      expect(res.body).not.toContain(author.user.id);
      expect(res.body).not.toContain(author.username);
      expect(res.body).not.toContain(author.user.displayName);
    }
    const own = await call(t.app, 'GET', `/api/stories/${story.id}`, { cookie: author.cookie });
    expect(own.json().story).toMatchObject({ mine: true, author: { id: author.user.id } });

    // A volunteer story moderator can act on it without learning who wrote it.
    const volunteer = await settledMember();
    const named = await call(t.app, 'PUT', `/api/stories/moderators/${volunteer.user.id}`, { cookie: admin.cookie });
    expect(named.statusCode, named.body).toBe(204);
    const reported = await call(t.app, 'POST', '/api/reports', {
      cookie: reader.cookie,
      body: { target: { type: 'story', id: story.id }, reason: 'triggering_content' },
    });
    expect(reported.statusCode, reported.body).toBe(201);
    const queue = await call(t.app, 'GET', '/api/moderation/queue', { cookie: volunteer.cookie });
    expect(queue.statusCode).toBe(200);
    expect(queue.body).toContain(story.id);
    expect(queue.body).not.toContain(author.user.id);
    const hidden = await call(t.app, 'POST', '/api/moderation/actions', {
      cookie: volunteer.cookie,
      body: { action: 'hide', target: { type: 'story', id: story.id }, reason: 'Needs a content note.' },
    });
    expect(hidden.statusCode).toBe(201);
    expect((await call(t.app, 'GET', `/api/stories/${story.id}`, { cookie: reader.cookie })).statusCode).toBe(404);
    const notices = (await call(t.app, 'GET', '/api/me/notices', { cookie: author.cookie })).json().notices;
    expect(notices[0]).toMatchObject({ kind: 'story_hidden' });
  });
});

describe('reading', () => {
  it('pages newest first with a cursor and filters by tag', async () => {
    const member = await settledMember();
    const ids: string[] = [];
    for (let i = 0; i < 23; i += 1) {
      t.clock.advance(1000);
      ids.push((await write(member, { tags: i % 2 ? ['trying_again'] : ['delayed_grief'] })).id);
    }
    const first = (await call(t.app, 'GET', '/api/stories', { cookie: member.cookie })).json();
    expect(first.stories).toHaveLength(20);
    expect(first.stories[0].id).toBe(ids.at(-1));
    const second = (
      await call(t.app, 'GET', `/api/stories?cursor=${first.nextCursor}`, { cookie: member.cookie })
    ).json();
    const seen = [...first.stories, ...second.stories].map((s: { id: string }) => s.id);
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of ids) expect(seen).toContain(id);
    const tagged = (await call(t.app, 'GET', '/api/stories?tag=trying_again', { cookie: member.cookie })).json()
      .stories;
    expect(tagged.every((s: { tags: string[] }) => s.tags.includes('trying_again'))).toBe(true);
  });

  it('finds a published story by a word in its body, and never a pending, hidden or deleted one', async () => {
    const member = await settledMember();
    const published = await write(member, { body: 'We planted a magnolia for her.' });
    const deleted = await write(member, { body: 'A magnolia by the window, too.' });
    await call(t.app, 'DELETE', `/api/stories/${deleted.id}`, { cookie: member.cookie });
    const hidden = await write(member, { body: 'The magnolia bloomed late.' });
    await call(t.app, 'POST', '/api/moderation/actions', {
      cookie: admin.cookie,
      body: { action: 'hide', target: { type: 'story', id: hidden.id }, reason: 'x' },
    });
    const newcomer = await registerMember(t.app);
    const pending = await write(newcomer, { body: 'Our magnolia was a gift.' });
    expect(pending.status).toBe('pending');
    const found = (await call(t.app, 'GET', '/api/stories?q=magnolias', { cookie: member.cookie })).json().stories;
    expect(found.map((s: { id: string }) => s.id)).toEqual([published.id]);
  });

  it('keeps a list apart in the excerpt, so its items never run together', async () => {
    const member = await settledMember();
    const story = await write(member, {
      body: 'What helped, a little:\n\n- a candle\n- a tree we planted\n- her name said aloud\n\nIt gets softer.',
    });
    const listed = (await call(t.app, 'GET', '/api/stories?mine=true', { cookie: member.cookie })).json().stories;
    expect(listed.find((entry: { id: string }) => entry.id === story.id).excerpt).toBe(
      'What helped, a little: a candle · a tree we planted · her name said aloud · It gets softer.',
    );
  });

  it('collapses what matches a member’s personal filter, and only for them', async () => {
    const author = await settledMember();
    const reader = await settledMember();
    const story = await write(author, { contentWarnings: ['pregnancy', 'birth'] });
    const set = await call(t.app, 'PUT', '/api/me/filters', {
      cookie: reader.cookie,
      body: { hiddenWarnings: ['pregnancy'] },
    });
    expect(set.json()).toEqual({ hiddenWarnings: ['pregnancy'] });
    const forReader = (await call(t.app, 'GET', `/api/stories/${story.id}`, { cookie: reader.cookie })).json().story;
    expect(forReader.filtered).toEqual(['pregnancy']);
    const inList = (await call(t.app, 'GET', '/api/stories', { cookie: reader.cookie })).json().stories;
    expect(inList.find((s: { id: string }) => s.id === story.id).filtered).toEqual(['pregnancy']);
    const forAuthor = (await call(t.app, 'GET', `/api/stories/${story.id}`, { cookie: author.cookie })).json().story;
    expect(forAuthor.filtered).toEqual([]);
    const bad = await call(t.app, 'PUT', '/api/me/filters', { cookie: reader.cookie, body: { hiddenWarnings: ['x'] } });
    expect(bad.statusCode).toBe(400);
  });

  it('counts reactions per kind and takes one back', async () => {
    const author = await settledMember();
    const [a, b] = [await settledMember(), await settledMember()];
    const story = await write(author);
    await call(t.app, 'POST', `/api/stories/${story.id}/reactions`, { cookie: a.cookie, body: { kind: 'candle' } });
    await call(t.app, 'POST', `/api/stories/${story.id}/reactions`, { cookie: a.cookie, body: { kind: 'candle' } });
    const res = await call(t.app, 'POST', `/api/stories/${story.id}/reactions`, {
      cookie: b.cookie,
      body: { kind: 'candle' },
    });
    expect(res.json()).toEqual({ reactions: { candle: 2 }, myReactions: ['candle'] });
    const off = await call(t.app, 'POST', `/api/stories/${story.id}/reactions`, {
      cookie: b.cookie,
      body: { kind: 'candle', on: false },
    });
    expect(off.json()).toEqual({ reactions: { candle: 1 }, myReactions: [] });
  });

  it('exports a member’s stories and replies and deletes them with the account', async () => {
    const author = await settledMember();
    const story = await write(author, { anonymous: true });
    const exported = (await call(t.app, 'GET', '/api/me/export', { cookie: author.cookie })).json();
    expect(exported.stories.written[0]).toMatchObject({ id: story.id, anonymous: true });
    await call(t.app, 'DELETE', '/api/me', { cookie: author.cookie, body: { password: author.password } });
    expect((await call(t.app, 'GET', `/api/stories/${story.id}`, { cookie: admin.cookie })).statusCode).toBe(404);
  });
});

describe('bad input on every route', () => {
  it.each<[string, string, (id: string) => string, unknown]>([
    ['a too long search', 'GET', () => `/api/stories?q=${'w'.repeat(201)}`, undefined],
    ['mine as a word', 'GET', () => '/api/stories?mine=perhaps', undefined],
    ['an unknown list parameter', 'GET', () => '/api/stories?sort=popular', undefined],
    ['an edit with a blank title', 'PATCH', (id) => `/api/stories/${id}`, { title: ' ' }],
    ['an edit with an unknown field', 'PATCH', (id) => `/api/stories/${id}`, { status: 'published' }],
    ['an edit with a bad warning', 'PATCH', (id) => `/api/stories/${id}`, { contentWarnings: ['gore'] }],
    ['publishing a malformed id', 'POST', () => '/api/stories/123/publish', undefined],
    ['deleting a malformed id', 'DELETE', () => '/api/stories/123', undefined],
    ['a reply too long', 'POST', (id) => `/api/stories/${id}/replies`, { body: 'r'.repeat(10_001) }],
    ['a reply with an unknown field', 'POST', (id) => `/api/stories/${id}/replies`, { body: 'hi', pinned: true }],
    ['a reply with anonymous as text', 'POST', (id) => `/api/stories/${id}/replies`, { body: 'hi', anonymous: 'no' }],
    [
      'a reply with a bad warning',
      'POST',
      (id) => `/api/stories/${id}/replies`,
      { body: 'hi', contentWarnings: ['x'] },
    ],
    ['a reaction without a kind', 'POST', (id) => `/api/stories/${id}/reactions`, {}],
    ['a reaction with on as text', 'POST', (id) => `/api/stories/${id}/reactions`, { kind: 'love', on: 'off' }],
    ['filters that are not a list', 'PUT', () => '/api/me/filters', { hiddenWarnings: 'pregnancy' }],
    ['filters with an unknown field', 'PUT', () => '/api/me/filters', { hiddenWarnings: [], also: 1 }],
    ['a malformed story moderator id', 'PUT', () => '/api/stories/moderators/abc', undefined],
  ])('answers %s with 400 validation and changes nothing', async (_case, method, url, body) => {
    const author = await settledMember();
    const story = await write(author, { title: 'Unchanged' });
    const res = await call(t.app, method as 'GET', url(story.id), {
      cookie: method === 'PUT' && url(story.id).includes('moderators') ? admin.cookie : author.cookie,
      body,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('validation');
    const after = (await call(t.app, 'GET', `/api/stories/${story.id}`, { cookie: author.cookie })).json();
    expect(after.story).toMatchObject({ title: 'Unchanged', status: 'published' });
    expect(after.replies).toEqual([]);
  });

  it.each<[string, string, string, number]>([
    ['a member naming a story moderator', 'PUT', 'member', 403],
    ['an admin naming someone unknown', 'PUT', 'unknown', 404],
    ['a signed-out visitor', 'DELETE', 'anonymous', 401],
  ])('answers %s with its status', async (_case, method, who, status) => {
    const member = await settledMember();
    const id = who === 'unknown' ? '00000000-0000-4000-8000-000000000000' : member.user.id;
    const cookie = who === 'member' ? member.cookie : who === 'unknown' ? admin.cookie : undefined;
    const res = await call(t.app, method as 'PUT', `/api/stories/moderators/${id}`, { cookie });
    expect(res.statusCode).toBe(status);
  });

  it('refuses replies and reactions on a story that is not shared', async () => {
    const author = await settledMember();
    const draft = await write(author, { draft: true });
    const reply = await call(t.app, 'POST', `/api/stories/${draft.id}/replies`, {
      cookie: author.cookie,
      body: { body: 'x' },
    });
    expect(reply.statusCode).toBe(400);
    const react = await call(t.app, 'POST', `/api/stories/${draft.id}/reactions`, {
      cookie: author.cookie,
      body: { kind: 'love' },
    });
    expect(react.statusCode).toBe(400);
    const stranger = await settledMember();
    const hidden = await call(t.app, 'POST', `/api/stories/${draft.id}/replies`, {
      cookie: stranger.cookie,
      body: { body: 'x' },
    });
    expect(hidden.statusCode).toBe(404);
  });
});

describe('the new-member sandbox', () => {
  it('keeps links out of a new member’s stories and replies, and lets them through later', async () => {
    const author = await settledMember();
    const story = await write(author);
    const member = await registerMember(t.app);
    const linked = await call(t.app, 'POST', '/api/stories', {
      cookie: member.cookie,
      body: { title: 'T', body: 'Read https://spam.example/now', tags: [], contentWarnings: [], anonymous: false },
    });
    expect(linked.statusCode).toBe(400);
    expect(linked.json().error).toMatchObject({ code: 'validation', field: 'body' });
    const reply = await call(t.app, 'POST', `/api/stories/${story.id}/replies`, {
      cookie: member.cookie,
      body: { body: 'see www.cheap-pills.example' },
    });
    expect(reply.statusCode).toBe(400);
    t.clock.advance(DAY + 1000);
    const later = await call(t.app, 'POST', `/api/stories/${story.id}/replies`, {
      cookie: member.cookie,
      body: { body: 'This helped me: https://www.miscarriageassociation.org.uk' },
    });
    expect(later.statusCode).toBe(201);
  });
});
