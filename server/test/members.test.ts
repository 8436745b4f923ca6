// The member directory: admins and room moderators find members by name and see their rooms, roles, joined
// date and sanctions in force (room moderators only within the rooms they moderate); appointing room and
// story moderators is audited like any other change of who may act.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createRoom, createTestApp, makeAdmin, registerMember, type Member, type TestApp } from './helpers.ts';

let t: TestApp;
let admin: Member;
let counter = 0;
const unique = () => `${process.pid}x${(counter += 1)}`;

beforeAll(async () => {
  t = await createTestApp({ limitOverrides: { rooms: 100_000 } });
  admin = await registerMember(t.app, { username: `dir_admin_${process.pid}` });
  await makeAdmin(t, admin);
});
afterAll(() => t.close());

const join = (member: Member, slug: string) =>
  call(t.app, 'POST', `/api/rooms/${slug}/join`, { cookie: member.cookie, body: { acceptRules: true } });
const appoint = (slug: string, member: Member, by: Member = admin) =>
  call(t.app, 'PUT', `/api/rooms/${slug}/moderators/${member.user.id}`, { cookie: by.cookie });
const search = (viewer: Member | undefined, query: string) =>
  call(t.app, 'GET', `/api/members?${query}`, viewer ? { cookie: viewer.cookie } : {});
const detail = (viewer: Member | undefined, username: string) =>
  call(t.app, 'GET', `/api/members/${username}`, viewer ? { cookie: viewer.cookie } : {});
const act = (by: Member, body: unknown) => call(t.app, 'POST', '/api/moderation/actions', { cookie: by.cookie, body });

interface Scene {
  slug: string;
  otherSlug: string;
  /** Named so a search finds them: "Rowan Alder <n>", username rowan_<n>. */
  rowan: Member;
  member: Member;
  moderator: Member;
  moderatorElsewhere: Member;
  storyModerator: Member;
  /** Only in the other room. */
  stranger: Member;
  tag: string;
}

async function scene(): Promise<Scene> {
  const tag = unique();
  const { slug } = await createRoom(t.app, admin, 'dir');
  const { slug: otherSlug } = await createRoom(t.app, admin, 'dir-other');
  const rowan = await registerMember(t.app, { username: `rowan_${tag}`, displayName: `Rowan Alder ${tag}` });
  const stranger = await registerMember(t.app, { username: `stranger_${tag}`, displayName: `Rowan Stranger ${tag}` });
  const [member, moderator, moderatorElsewhere, storyModerator] = await Promise.all(
    Array.from({ length: 4 }, () => registerMember(t.app)),
  );
  for (const m of [rowan, member!, moderator!]) await join(m, slug);
  for (const m of [stranger, moderatorElsewhere!, rowan]) await join(m, otherSlug);
  expect((await appoint(slug, moderator!)).statusCode).toBe(204);
  expect((await appoint(otherSlug, moderatorElsewhere!)).statusCode).toBe(204);
  await call(t.app, 'PUT', `/api/stories/moderators/${storyModerator!.user.id}`, { cookie: admin.cookie });
  return {
    slug,
    otherSlug,
    rowan,
    member: member!,
    moderator: moderator!,
    moderatorElsewhere: moderatorElsewhere!,
    storyModerator: storyModerator!,
    stranger,
    tag,
  };
}

/** When the member joined Kindred, as registration answered it. */
const joinedAt = (member: Member) => (member.user as Member['user'] & { createdAt: string }).createdAt;

const usernames = (res: { json: () => { members: { username: string }[] } }) =>
  res.json().members.map((m) => m.username);

describe('searching the directory', () => {
  it.each<[string, (s: Scene) => Member | undefined, number, string | undefined]>([
    ['someone signed out', () => undefined, 401, 'unauthenticated'],
    ['a member', (s) => s.member, 403, 'forbidden'],
    ['a story moderator', (s) => s.storyModerator, 403, 'forbidden'],
    ['a moderator of another room', (s) => s.moderatorElsewhere, 200, undefined],
    ['the room’s moderator', (s) => s.moderator, 200, undefined],
    ['an admin', () => admin, 200, undefined],
  ])('answers %s', async (_who, who, status, code) => {
    const s = await scene();
    const res = await search(who(s), `q=rowan_${s.tag}`);
    expect(res.statusCode).toBe(status);
    if (code) expect(res.json().error.code).toBe(code);
  });

  it('finds members by username or display name, any case, prefix or within, with their joined date', async () => {
    const s = await scene();
    for (const q of [`ROWAN_${s.tag}`, `alder ${s.tag}`, `Rowan Alder`]) {
      const res = await search(admin, `q=${encodeURIComponent(q)}`);
      expect(res.statusCode).toBe(200);
      expect(res.json().members).toContainEqual({
        id: s.rowan.user.id,
        username: s.rowan.username,
        displayName: s.rowan.user.displayName,
        joinedAt: joinedAt(s.rowan),
      });
    }
    // Underscores and percent signs are letters here, not patterns.
    expect(usernames(await search(admin, `q=${encodeURIComponent('%')}`))).toEqual([]);
  });

  it('shows a room moderator only members of the rooms they moderate (and those removed from them)', async () => {
    const s = await scene();
    const found = usernames(await search(s.moderator, `q=${s.tag}`));
    expect(found).toContain(s.rowan.username);
    expect(found).not.toContain(s.stranger.username);
    expect(usernames(await search(s.moderatorElsewhere, `q=${s.tag}`)).sort()).toEqual(
      [s.rowan.username, s.stranger.username].sort(),
    );
    await act(s.moderator, {
      action: 'remove_from_room',
      target: { type: 'user', id: s.rowan.user.id },
      room: s.slug,
      reason: 'Spam.',
    });
    expect(usernames(await search(s.moderator, `q=${s.tag}`))).toContain(s.rowan.username);
    // Admins see everyone.
    expect(usernames(await search(admin, `q=${s.tag}`))).toEqual(
      expect.arrayContaining([s.rowan.username, s.stranger.username]),
    );
  });

  it('narrows to one room’s members with room=, for appointing its moderators', async () => {
    const s = await scene();
    expect(usernames(await search(admin, `q=${s.tag}&room=${s.slug}`))).toEqual([s.rowan.username]);
    const elsewhere = await search(s.moderator, `q=${s.tag}&room=${s.otherSlug}`);
    expect([elsewhere.statusCode, elsewhere.json().error?.code]).toEqual([403, 'forbidden']);
    expect((await search(admin, `q=x&room=no-such-room-${s.tag}`)).statusCode).toBe(404);
  });

  it('answers in bounded pages, prefix matches first', async () => {
    const tag = unique();
    const { slug } = await createRoom(t.app, admin, 'dir-many');
    const names = Array.from({ length: 23 }, (_, i) => `page_${tag}_${String(i).padStart(2, '0')}`);
    for (const username of names) await join(await registerMember(t.app, { username }), slug);
    // Within the display name only: after every prefix match.
    await join(await registerMember(t.app, { username: `zz_${tag}`, displayName: `Not page_${tag}` }), slug);
    const first = await search(admin, `q=page_${tag}`);
    expect(first.json().members).toHaveLength(20);
    expect(usernames(first)).toEqual(names.slice(0, 20));
    const second = await search(admin, `q=page_${tag}&cursor=${encodeURIComponent(first.json().nextCursor)}`);
    expect(usernames(second)).toEqual([...names.slice(20), `zz_${tag}`]);
    expect(second.json().nextCursor).toBeNull();
  });

  it.each([
    ['q too long', `q=${'a'.repeat(65)}`],
    ['a malformed cursor', 'q=a&cursor=%27%3B--'],
    ['an unknown field', 'q=a&sort=name'],
  ])('refuses %s with validation', async (_what, query) => {
    const res = await search(admin, query);
    expect([res.statusCode, res.json().error.code]).toEqual([400, 'validation']);
  });

  it('counts each reader’s searches and reads (120 a minute), in the database', async () => {
    const s = await scene();
    for (let i = 0; i < 60; i += 1) {
      expect((await search(s.moderator, `q=r${i}`)).statusCode).toBe(200);
      expect((await detail(s.moderator, s.rowan.username)).statusCode).toBe(200);
    }
    const over = await search(s.moderator, 'q=r');
    expect([over.statusCode, over.json().error.code]).toEqual([429, 'rate_limited']);
    expect(over.headers['retry-after']).toBeDefined();
    expect((await search(admin, 'q=r')).statusCode).toBe(200);
    t.clock.advance(61_000);
    expect((await search(s.moderator, 'q=r')).statusCode).toBe(200);
  });
});

describe('a member’s page', () => {
  it.each<[string, (s: Scene) => Member | undefined, number, string | undefined]>([
    ['someone signed out', () => undefined, 401, 'unauthenticated'],
    ['a member', (s) => s.member, 403, 'forbidden'],
    ['a story moderator', (s) => s.storyModerator, 403, 'forbidden'],
    ['a moderator of another room, about a member not in it', (s) => s.moderatorElsewhere, 404, 'not_found'],
    ['the room’s moderator', (s) => s.moderator, 200, undefined],
    ['an admin', () => admin, 200, undefined],
  ])('answers %s', async (_who, who, status, code) => {
    const s = await scene();
    const res = await detail(who(s), s.member.username);
    expect(res.statusCode).toBe(status);
    if (code) expect(res.json().error.code).toBe(code);
  });

  it('shows an admin every room, role and sanction in force, and nothing of what they wrote', async () => {
    const s = await scene();
    await call(t.app, 'PUT', `/api/stories/moderators/${s.rowan.user.id}`, { cookie: admin.cookie });
    await appoint(s.otherSlug, s.rowan);
    await act(s.moderator, {
      action: 'mute',
      target: { type: 'user', id: s.rowan.user.id },
      room: s.slug,
      durationMinutes: 60,
      reason: 'A pause.',
    });
    const res = await detail(admin, s.rowan.username.toUpperCase());
    expect(res.statusCode).toBe(200);
    const { member } = res.json();
    expect(member).toMatchObject({
      id: s.rowan.user.id,
      username: s.rowan.username,
      displayName: s.rowan.user.displayName,
      joinedAt: joinedAt(s.rowan),
      roles: { admin: false, storyModerator: true, roomModerator: [{ slug: s.otherSlug, name: s.otherSlug }] },
    });
    expect(member.rooms.map((r: { slug: string; role: string }) => [r.slug, r.role]).sort()).toEqual(
      [
        [s.otherSlug, 'moderator'],
        [s.slug, 'member'],
      ].sort(),
    );
    expect(member.sanctions.mutes).toEqual([
      {
        room: { slug: s.slug, name: s.slug },
        since: t.clock.now().toISOString(),
        until: new Date(t.clock.now().getTime() + 3_600_000).toISOString(),
      },
    ]);
    expect(member.sanctions.removals).toEqual([]);
    expect(member.sanctions.ban).toBeNull();
    await act(admin, { action: 'ban', target: { type: 'user', id: s.rowan.user.id }, reason: 'Spam account.' });
    expect((await detail(admin, s.rowan.username)).json().member.sanctions.ban).toEqual({
      since: t.clock.now().toISOString(),
    });
  });

  it('shows a room moderator only their rooms and those rooms’ sanctions, and no bans', async () => {
    const s = await scene();
    await act(s.moderatorElsewhere, {
      action: 'mute',
      target: { type: 'user', id: s.rowan.user.id },
      room: s.otherSlug,
      durationMinutes: 60,
      reason: 'A pause.',
    });
    await act(s.moderator, {
      action: 'remove_from_room',
      target: { type: 'user', id: s.rowan.user.id },
      room: s.slug,
      reason: 'Spam.',
    });
    const { member } = (await detail(s.moderator, s.rowan.username)).json();
    expect(member.rooms).toEqual([]);
    expect(member.sanctions).toEqual({
      mutes: [],
      removals: [{ room: { slug: s.slug, name: s.slug }, since: t.clock.now().toISOString() }],
    });
    const elsewhere = (await detail(s.moderatorElsewhere, s.rowan.username)).json().member;
    expect(elsewhere.rooms.map((r: { slug: string }) => r.slug)).toEqual([s.otherSlug]);
    expect(elsewhere.sanctions.mutes.map((m: { room: { slug: string } }) => m.room.slug)).toEqual([s.otherSlug]);
    expect(elsewhere.sanctions.removals).toEqual([]);
  });

  it('is 404 for a name nobody has, and 400 for one that cannot be a username', async () => {
    expect((await detail(admin, `nobody_${unique()}`)).statusCode).toBe(404);
    expect((await detail(admin, 'no%20spaces')).statusCode).toBe(400);
  });
});

describe('appointing moderators', () => {
  const log = async (viewer: Member, room?: string) =>
    (await call(t.app, 'GET', `/api/moderation/log${room ? `?room=${room}` : ''}`, { cookie: viewer.cookie })).json()
      .actions as {
      action: string;
      target: { type: string; id: string };
      room: string | null;
      actor: { id: string };
    }[];

  it('writes one audit row for each room moderator appointed or removed, and none for no change', async () => {
    const s = await scene();
    expect((await appoint(s.slug, s.rowan)).statusCode).toBe(204);
    expect((await appoint(s.slug, s.rowan)).statusCode).toBe(204);
    const removed = await call(t.app, 'DELETE', `/api/rooms/${s.slug}/moderators/${s.rowan.user.id}`, {
      cookie: admin.cookie,
    });
    expect(removed.statusCode).toBe(204);
    const about = (await log(s.moderator, s.slug)).filter((entry) => entry.target.id === s.rowan.user.id);
    expect(about.map((entry) => entry.action).sort()).toEqual(['appoint_moderator', 'remove_moderator']);
    expect(about[0]).toMatchObject({ room: s.slug, actor: { id: admin.user.id }, target: { type: 'user' } });
  });

  it('writes one audit row for each story moderator named or stood down, seen by admins only', async () => {
    const s = await scene();
    const path = `/api/stories/moderators/${s.rowan.user.id}`;
    for (const method of ['PUT', 'PUT', 'DELETE', 'DELETE'] as const) {
      expect((await call(t.app, method, path, { cookie: admin.cookie })).statusCode).toBe(204);
    }
    const about = (await log(admin)).filter((entry) => entry.target.id === s.rowan.user.id);
    expect(about.map((entry) => entry.action).sort()).toEqual(['appoint_story_moderator', 'remove_story_moderator']);
    expect((await log(s.storyModerator)).filter((entry) => entry.target.id === s.rowan.user.id)).toEqual([]);
    expect((await detail(admin, s.rowan.username)).json().member.roles.storyModerator).toBe(false);
  });

  it.each<[string, (s: Scene) => Member | undefined, number]>([
    ['someone signed out', () => undefined, 401],
    ['a member', (s) => s.member, 403],
    ['the room’s moderator', (s) => s.moderator, 403],
    ['a story moderator', (s) => s.storyModerator, 403],
  ])('is refused to %s, with no audit row', async (_who, who, status) => {
    const s = await scene();
    const by = who(s);
    const opts = by ? { cookie: by.cookie } : {};
    expect((await call(t.app, 'PUT', `/api/rooms/${s.slug}/moderators/${s.rowan.user.id}`, opts)).statusCode).toBe(
      status,
    );
    expect((await call(t.app, 'PUT', `/api/stories/moderators/${s.rowan.user.id}`, opts)).statusCode).toBe(status);
    expect((await log(admin)).filter((entry) => entry.target.id === s.rowan.user.id)).toEqual([]);
  });
});
