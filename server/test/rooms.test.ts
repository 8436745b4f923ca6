// Rooms: default rooms, membership after accepting rules, privacy of who is in a room, admin tools,
// archived rooms, and an authorization table over every room route.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createTestApp, makeAdmin, registerMember, type Member, type TestApp } from './helpers.ts';

let t: TestApp;
let admin: Member;
beforeAll(async () => {
  t = await createTestApp({
    // One admin makes a room for nearly every test here; the limit itself is tested in limits.test.ts.
    limitOverrides: { rooms: 100_000 },
  });
  admin = await registerMember(t.app, { username: 'rooms_admin' });
  await makeAdmin(t, admin);
});
afterAll(() => t.close());

let roomCounter = 0;
async function createRoom(overrides: Record<string, unknown> = {}) {
  roomCounter += 1;
  const res = await call(t.app, 'POST', '/api/rooms', {
    cookie: admin.cookie,
    body: {
      slug: `room-${roomCounter}-${process.pid}`,
      name: `Room ${roomCounter}`,
      description: 'A quiet room for testing.',
      audience: 'everyone',
      rules: '1. Be gentle.',
      ...overrides,
    },
  });
  if (res.statusCode !== 201) throw new Error(`create room failed: ${res.statusCode} ${res.body}`);
  return res.json().room as { slug: string; id: string };
}

async function join(member: Member, slug: string) {
  return call(t.app, 'POST', `/api/rooms/${slug}/join`, { cookie: member.cookie, body: { acceptRules: true } });
}

describe('default rooms', () => {
  it('are created on first start, each with rules, pregnancy after loss with its content note', async () => {
    const res = await call(t.app, 'GET', '/api/rooms');
    expect(res.statusCode).toBe(200);
    const rooms = res.json().rooms as { slug: string; rules: string; contentNote: string | null; audience: string }[];
    const slugs = rooms.map((room) => room.slug);
    expect(slugs).toEqual(
      expect.arrayContaining([
        'mothers',
        'partners',
        'family-and-friends',
        'delayed-grief',
        'pregnancy-after-loss',
        'faith-and-meaning',
      ]),
    );
    for (const room of rooms) expect(room.rules.length).toBeGreaterThan(100);
    expect(rooms.find((room) => room.slug === 'pregnancy-after-loss')?.contentNote).toMatch(/pregnanc/);
    expect(rooms.find((room) => room.slug === 'partners')?.audience).toBe('partners');
  });

  it('are created only once, even when the app starts again on the same database', async () => {
    const { buildApp } = await import('../src/app.ts');
    const again = await buildApp(t.config, { database: t.database, now: t.clock.now });
    await again.close();
    const rooms = (await call(t.app, 'GET', '/api/rooms')).json().rooms as { slug: string }[];
    expect(rooms.filter((room) => room.slug === 'mothers')).toHaveLength(1);
  });
});

describe('membership', () => {
  it('needs the rules accepted: 400 rules_not_accepted otherwise', async () => {
    const member = await registerMember(t.app);
    for (const body of [{}, { acceptRules: false }]) {
      const res = await call(t.app, 'POST', '/api/rooms/mothers/join', { cookie: member.cookie, body });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('rules_not_accepted');
    }
    const res = await join(member, 'mothers');
    expect(res.statusCode).toBe(200);
    expect(res.json().room).toMatchObject({ joined: true, myRole: 'member' });
  });

  it('counts members, and joining twice counts once', async () => {
    const room = await createRoom();
    const a = await registerMember(t.app);
    const b = await registerMember(t.app);
    await join(a, room.slug);
    await join(a, room.slug);
    const res = await join(b, room.slug);
    expect(res.json().room.memberCount).toBe(2);
    const left = await call(t.app, 'POST', `/api/rooms/${room.slug}/leave`, { cookie: a.cookie });
    expect(left.statusCode).toBe(204);
    expect((await call(t.app, 'GET', `/api/rooms/${room.slug}`)).json().room.memberCount).toBe(1);
  });

  it('never shows who is in a room: only the count and the moderators', async () => {
    const room = await createRoom();
    const member = await registerMember(t.app, { displayName: 'Hidden Member' });
    await join(member, room.slug);
    const outsider = await registerMember(t.app);
    for (const cookie of [undefined, outsider.cookie]) {
      const one = await call(t.app, 'GET', `/api/rooms/${room.slug}`, { cookie });
      const all = await call(t.app, 'GET', '/api/rooms', { cookie });
      for (const body of [one.body, all.body]) {
        expect(body).not.toContain(member.user.id);
        expect(body).not.toContain('Hidden Member');
      }
      expect(one.json().room).toMatchObject({ memberCount: 1, joined: false, myRole: null });
    }
  });

  it('shows a room’s volunteer moderators by display name, to those the moderators chose', async () => {
    const room = await createRoom();
    const volunteer = await registerMember(t.app, { displayName: 'Volunteer Vi' });
    await join(volunteer, room.slug);
    const res = await call(t.app, 'PUT', `/api/rooms/${room.slug}/moderators/${volunteer.user.id}`, {
      cookie: admin.cookie,
    });
    expect(res.statusCode).toBe(204);
    // Named to admins and the room's own moderators; to others only while on duty with their name shown.
    const seen = (await call(t.app, 'GET', `/api/rooms/${room.slug}`)).json().room;
    expect(seen).toMatchObject({ moderators: [], moderatorCount: 1 });
    const mine = (await call(t.app, 'GET', `/api/rooms/${room.slug}`, { cookie: volunteer.cookie })).json().room;
    expect(mine.myRole).toBe('moderator');
    expect(mine.moderators).toEqual([{ id: volunteer.user.id, displayName: 'Volunteer Vi' }]);
    await call(t.app, 'DELETE', `/api/rooms/${room.slug}/moderators/${volunteer.user.id}`, { cookie: admin.cookie });
    const after = (await call(t.app, 'GET', `/api/rooms/${room.slug}`, { cookie: volunteer.cookie })).json().room;
    expect(after).toMatchObject({ myRole: 'member', moderators: [] });
  });

  it('refuses to make a non-member a moderator with 400 validation', async () => {
    const room = await createRoom();
    const outsider = await registerMember(t.app);
    const res = await call(t.app, 'PUT', `/api/rooms/${room.slug}/moderators/${outsider.user.id}`, {
      cookie: admin.cookie,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('validation');
  });

  it('shows joined rooms in the export and forgets them with the account', async () => {
    const member = await registerMember(t.app);
    await join(member, 'partners');
    const exported = (await call(t.app, 'GET', '/api/me/export', { cookie: member.cookie })).json();
    expect(exported.memberships).toEqual([expect.objectContaining({ room: 'partners', role: 'member' })]);
    const before = (await call(t.app, 'GET', '/api/rooms/partners')).json().room.memberCount;
    await call(t.app, 'DELETE', '/api/me', { cookie: member.cookie, body: { password: member.password } });
    expect((await call(t.app, 'GET', '/api/rooms/partners')).json().room.memberCount).toBe(before - 1);
  });
});

describe('first visit', () => {
  it('remembers who a member is here as, or that they would rather not say', async () => {
    const member = await registerMember(t.app);
    for (const identity of ['partner', 'prefer_not', null]) {
      const res = await call(t.app, 'PATCH', '/api/me', { cookie: member.cookie, body: { identity } });
      expect(res.statusCode).toBe(200);
      expect(res.json().user.identity).toBe(identity);
    }
    const bad = await call(t.app, 'PATCH', '/api/me', { cookie: member.cookie, body: { identity: 'someone' } });
    expect(bad.statusCode).toBe(400);
    const empty = await call(t.app, 'PATCH', '/api/me', { cookie: member.cookie, body: {} });
    expect(empty.statusCode).toBe(400);
  });
});

describe('admin tools', () => {
  it('creates a room that does not make the admin a member', async () => {
    const room = await createRoom({ contentNote: 'Talks about later losses.', slowModeSeconds: 30 });
    const seen = (await call(t.app, 'GET', `/api/rooms/${room.slug}`, { cookie: admin.cookie })).json().room;
    expect(seen).toMatchObject({
      joined: false,
      myRole: null,
      memberCount: 0,
      contentNote: 'Talks about later losses.',
      slowModeSeconds: 30,
      archived: false,
      locked: false,
    });
  });

  it('refuses a taken address with 409 slug_taken and keeps the first room', async () => {
    const room = await createRoom({ name: 'The first' });
    const res = await call(t.app, 'POST', '/api/rooms', {
      cookie: admin.cookie,
      body: { slug: room.slug, name: 'The second', description: 'x', audience: 'everyone', rules: 'x' },
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('slug_taken');
    expect((await call(t.app, 'GET', `/api/rooms/${room.slug}`)).json().room.name).toBe('The first');
  });

  it('edits a room', async () => {
    const room = await createRoom();
    const res = await call(t.app, 'PATCH', `/api/rooms/${room.slug}`, {
      cookie: admin.cookie,
      body: { name: 'Renamed', audience: 'partners', contentNote: null },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().room).toMatchObject({ name: 'Renamed', audience: 'partners', contentNote: null });
  });

  const valid = { slug: 'valid-slug', name: 'N', description: 'D', audience: 'everyone', rules: 'R' };
  it.each<[string, unknown, string | undefined]>([
    ['a slug with capitals', { ...valid, slug: 'Bad-Slug' }, 'slug'],
    ['a one-letter slug', { ...valid, slug: 'a' }, 'slug'],
    ['a slug with a slash', { ...valid, slug: 'a/b' }, 'slug'],
    ['a missing name', { ...valid, name: undefined }, 'name'],
    ['a blank name', { ...valid, name: '   ' }, 'name'],
    ['a too long name', { ...valid, name: 'n'.repeat(81) }, 'name'],
    ['an unknown audience', { ...valid, audience: 'strangers' }, 'audience'],
    ['too long rules', { ...valid, rules: 'r'.repeat(10_001) }, 'rules'],
    ['a negative slow mode', { ...valid, slowModeSeconds: -1 }, 'slowModeSeconds'],
    ['a fractional slow mode', { ...valid, slowModeSeconds: 1.5 }, 'slowModeSeconds'],
    ['a slow mode as text', { ...valid, slowModeSeconds: '10' }, 'slowModeSeconds'],
    ['an unknown field', { ...valid, locked: true }, 'locked'],
  ])('refuses a room with %s: 400 validation', async (_case, body, field) => {
    const res = await call(t.app, 'POST', '/api/rooms', { cookie: admin.cookie, body });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('validation');
    if (field) expect(res.json().error.field).toBe(field);
  });

  it.each<[string, string, unknown]>([
    ['an empty edit', 'PATCH', {}],
    ['an edit with an unknown field', 'PATCH', { lastSeq: 5 }],
    ['a join with acceptRules as text', 'POST', { acceptRules: 'yes' }],
  ])('refuses %s: 400 validation', async (_case, method, body) => {
    const url = method === 'PATCH' ? '/api/rooms/mothers' : '/api/rooms/mothers/join';
    const res = await call(t.app, method as 'POST', url, { cookie: admin.cookie, body });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('validation');
  });

  it.each([
    ['GET', '/api/rooms/NOT_A_SLUG'],
    ['GET', '/api/rooms/x'],
    ['PUT', '/api/rooms/mothers/moderators/not-a-uuid'],
  ])('refuses a malformed address %s %s with 400 validation', async (method, url) => {
    const res = await call(t.app, method as 'GET', url, { cookie: admin.cookie });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('validation');
  });
});

describe('archived rooms', () => {
  it('cannot be joined, disappear for outsiders, and stay readable for those who were in them', async () => {
    const room = await createRoom();
    const former = await registerMember(t.app);
    await join(former, room.slug);
    const archived = await call(t.app, 'PATCH', `/api/rooms/${room.slug}`, {
      cookie: admin.cookie,
      body: { archived: true },
    });
    expect(archived.json().room.archived).toBe(true);

    const newcomer = await registerMember(t.app);
    const res = await join(newcomer, room.slug);
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('room_archived');
    expect((await call(t.app, 'GET', `/api/rooms/${room.slug}`, { cookie: newcomer.cookie })).statusCode).toBe(404);
    const listed = (await call(t.app, 'GET', '/api/rooms', { cookie: newcomer.cookie })).json().rooms;
    expect(listed.map((r: { slug: string }) => r.slug)).not.toContain(room.slug);

    const mine = await call(t.app, 'GET', `/api/rooms/${room.slug}`, { cookie: former.cookie });
    expect(mine.statusCode).toBe(200);
    expect(mine.json().room).toMatchObject({ archived: true, joined: true });
    const myList = (await call(t.app, 'GET', '/api/rooms', { cookie: former.cookie })).json().rooms;
    expect(myList.map((r: { slug: string }) => r.slug)).toContain(room.slug);
  });
});

describe('authorization', () => {
  // Each actor, against one fresh room per row: anonymous, member, non-member, moderator of this room,
  // moderator of another room, admin.
  type Actor = 'anonymous' | 'member' | 'nonMember' | 'moderatorHere' | 'moderatorElsewhere' | 'admin';
  const actors: Actor[] = ['anonymous', 'member', 'nonMember', 'moderatorHere', 'moderatorElsewhere', 'admin'];

  interface Setup {
    slug: string;
    cookie: Record<Actor, string | undefined>;
    target: Member; // a plain member of the room, for moderator routes
  }

  async function setup(): Promise<Setup> {
    const room = await createRoom();
    const other = await createRoom();
    const [member, nonMember, moderatorHere, moderatorElsewhere, target] = await Promise.all(
      Array.from({ length: 5 }, () => registerMember(t.app)),
    );
    for (const m of [member!, moderatorHere!, target!]) await join(m, room.slug);
    await join(moderatorElsewhere!, other.slug);
    await call(t.app, 'PUT', `/api/rooms/${room.slug}/moderators/${moderatorHere!.user.id}`, { cookie: admin.cookie });
    await call(t.app, 'PUT', `/api/rooms/${other.slug}/moderators/${moderatorElsewhere!.user.id}`, {
      cookie: admin.cookie,
    });
    return {
      slug: room.slug,
      target: target!,
      cookie: {
        anonymous: undefined,
        member: member!.cookie,
        nonMember: nonMember!.cookie,
        moderatorHere: moderatorHere!.cookie,
        moderatorElsewhere: moderatorElsewhere!.cookie,
        admin: admin.cookie,
      },
    };
  }

  interface Route {
    name: string;
    request: (s: Setup) => { method: string; url: string; body?: unknown };
    expected: Record<Actor, number>;
  }

  const routes: Route[] = [
    {
      name: 'GET /api/rooms',
      request: () => ({ method: 'GET', url: '/api/rooms' }),
      expected: {
        anonymous: 200,
        member: 200,
        nonMember: 200,
        moderatorHere: 200,
        moderatorElsewhere: 200,
        admin: 200,
      },
    },
    {
      name: 'GET /api/rooms/:slug',
      request: (s) => ({ method: 'GET', url: `/api/rooms/${s.slug}` }),
      expected: {
        anonymous: 200,
        member: 200,
        nonMember: 200,
        moderatorHere: 200,
        moderatorElsewhere: 200,
        admin: 200,
      },
    },
    {
      name: 'POST /api/rooms',
      request: (s) => ({
        method: 'POST',
        url: '/api/rooms',
        body: { slug: `${s.slug}-new`, name: 'New', description: 'New room', audience: 'everyone', rules: 'Be kind.' },
      }),
      expected: {
        anonymous: 401,
        member: 403,
        nonMember: 403,
        moderatorHere: 403,
        moderatorElsewhere: 403,
        admin: 201,
      },
    },
    {
      name: 'PATCH /api/rooms/:slug',
      request: (s) => ({ method: 'PATCH', url: `/api/rooms/${s.slug}`, body: { name: 'Changed' } }),
      expected: {
        anonymous: 401,
        member: 403,
        nonMember: 403,
        moderatorHere: 403,
        moderatorElsewhere: 403,
        admin: 200,
      },
    },
    {
      name: 'POST /api/rooms/:slug/join',
      request: (s) => ({ method: 'POST', url: `/api/rooms/${s.slug}/join`, body: { acceptRules: true } }),
      expected: {
        anonymous: 401,
        member: 200,
        nonMember: 200,
        moderatorHere: 200,
        moderatorElsewhere: 200,
        admin: 200,
      },
    },
    {
      name: 'POST /api/rooms/:slug/leave',
      request: (s) => ({ method: 'POST', url: `/api/rooms/${s.slug}/leave` }),
      expected: {
        anonymous: 401,
        member: 204,
        nonMember: 204,
        moderatorHere: 204,
        moderatorElsewhere: 204,
        admin: 204,
      },
    },
    {
      name: 'PUT /api/rooms/:slug/moderators/:userId',
      request: (s) => ({ method: 'PUT', url: `/api/rooms/${s.slug}/moderators/${s.target.user.id}` }),
      expected: {
        anonymous: 401,
        member: 403,
        nonMember: 403,
        moderatorHere: 403,
        moderatorElsewhere: 403,
        admin: 204,
      },
    },
    {
      name: 'DELETE /api/rooms/:slug/moderators/:userId',
      request: (s) => ({ method: 'DELETE', url: `/api/rooms/${s.slug}/moderators/${s.target.user.id}` }),
      expected: {
        anonymous: 401,
        member: 403,
        nonMember: 403,
        moderatorHere: 403,
        moderatorElsewhere: 403,
        admin: 204,
      },
    },
  ];

  it.each(routes.flatMap((route) => actors.map((actor) => [route.name, actor, route] as const)))(
    '%s as %s',
    async (_name, actor, route) => {
      const s = await setup();
      const { method, url, body } = route.request(s);
      const res = await call(t.app, method as 'GET', url, { cookie: s.cookie[actor], body });
      expect(res.statusCode).toBe(route.expected[actor]);
      if (res.statusCode >= 400) {
        expect(res.json().error.code).toBe(res.statusCode === 401 ? 'unauthenticated' : 'forbidden');
      }
    },
  );

  it.each(['GET', 'PATCH', 'POST join', 'POST leave', 'PUT moderator'])(
    'answers 404 not_found for a room that does not exist (%s)',
    async (kind) => {
      const url = {
        GET: '/api/rooms/no-such-room',
        PATCH: '/api/rooms/no-such-room',
        'POST join': '/api/rooms/no-such-room/join',
        'POST leave': '/api/rooms/no-such-room/leave',
        'PUT moderator': `/api/rooms/no-such-room/moderators/${admin.user.id}`,
      }[kind]!;
      const method = kind.split(' ')[0]!;
      const body = kind === 'PATCH' ? { name: 'x' } : kind === 'POST join' ? { acceptRules: true } : undefined;
      const res = await call(t.app, method as 'GET', url, { cookie: admin.cookie, body });
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('not_found');
    },
  );
});
