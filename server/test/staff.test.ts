// Telling the people who look after Kindred apart (issue 18, finding 5): a staff mark on what they write that
// nobody can fake (computed on the server from the roles as they are now), display names that cannot claim a
// role or pass for a staff member's name, and a room header that names a moderator only when they chose it.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
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
import { connect, listen, type Frame, type TestSocket } from './sockets.ts';

let t: TestApp;
let base: string;
let admin: Member;
const open: TestSocket[] = [];
let runCounter = 0;
/** A word unique to this run and this file, so names made here never meet another test's. */
const unique = (): string => {
  runCounter += 1;
  return `${'abcdefghij'[process.pid % 10]}${'qrstuvwxyz'[runCounter % 10]}${String.fromCharCode(97 + (Math.floor(runCounter / 10) % 26))}`;
};

beforeAll(async () => {
  t = await createTestApp({ newMemberLinkWaitHours: 0, limitOverrides: { rooms: 100_000 } });
  base = await listen(t.app);
  admin = await registerMember(t.app, { username: `staff_admin_${process.pid}` });
  await makeAdmin(t, admin);
});
afterEach(() => {
  for (const socket of open.splice(0)) socket.close();
});
afterAll(() => t.close());

async function socketFor(member: Member, ...slugs: string[]): Promise<TestSocket> {
  const socket = await connect(base, member);
  open.push(socket);
  for (const slug of slugs) expect((await socket.subscribe(slug)).type).toBe('subscribed');
  return socket;
}

let clientCounter = 0;
async function send(socket: TestSocket, room: string, body: string): Promise<Frame> {
  clientCounter += 1;
  const clientId = `staff-${process.pid}-${clientCounter}`;
  socket.send({ type: 'send', room, clientId, body });
  const ack = await socket.next((f) => f.ref === clientId || f.clientId === clientId);
  expect(ack.type).toBe('ack');
  return ack;
}

type Authored = { author: { id: string; displayName: string; staff?: unknown } | null };
const staffOf = (item: Authored): unknown =>
  item.author ? ('staff' in item.author ? item.author.staff : 'missing') : 'no author';

async function appoint(slug: string, member: Member): Promise<void> {
  const res = await call(t.app, 'PUT', `/api/rooms/${slug}/moderators/${member.user.id}`, { cookie: admin.cookie });
  expect(res.statusCode).toBe(204);
}

describe('the staff mark on chat messages', () => {
  it('marks a moderator in their own room only, an admin everywhere, and nobody else, over HTTP and live', async () => {
    const a = await createRoom(t.app, admin, 'staff-a');
    const b = await createRoom(t.app, admin, 'staff-b');
    const moderator = await joinedMember(t.app, a.slug);
    await call(t.app, 'POST', `/api/rooms/${b.slug}/join`, { cookie: moderator.cookie, body: { acceptRules: true } });
    await appoint(a.slug, moderator);
    for (const slug of [a.slug, b.slug]) {
      await call(t.app, 'POST', `/api/rooms/${slug}/join`, { cookie: admin.cookie, body: { acceptRules: true } });
    }
    const member = await joinedMember(t.app, a.slug);
    await call(t.app, 'POST', `/api/rooms/${b.slug}/join`, { cookie: member.cookie, body: { acceptRules: true } });

    const watcher = await socketFor(member, a.slug, b.slug);
    const moderatorSocket = await socketFor(moderator);
    const adminSocket = await socketFor(admin);
    const memberSocket = await socketFor(member);

    const writes: [TestSocket, string, string, unknown][] = [
      [moderatorSocket, a.slug, 'moderator in A', 'moderator'],
      [moderatorSocket, b.slug, 'moderator in B', null],
      [adminSocket, a.slug, 'admin in A', 'admin'],
      [adminSocket, b.slug, 'admin in B', 'admin'],
      [memberSocket, a.slug, 'member in A', null],
    ];
    for (const [socket, room, body, staff] of writes) {
      const ack = await send(socket, room, body);
      expect(staffOf(ack.message as Authored), `ack of "${body}"`).toBe(staff);
      const event = await watcher.next((f) => f.type === 'event' && (f.message as { body: string }).body === body);
      expect(staffOf(event.message as Authored), `live event of "${body}"`).toBe(staff);
    }

    // History over HTTP, and a resumed socket (events read back from the database), say the same.
    for (const [, room, body, staff] of writes) {
      const history = await call(t.app, 'GET', `/api/rooms/${room}/messages`, { cookie: member.cookie });
      const found = (history.json().messages as (Authored & { body: string })[]).find((m) => m.body === body);
      expect(staffOf(found!), `history of "${body}"`).toBe(staff);
    }
    const resumed = await connect(base, member);
    open.push(resumed);
    resumed.send({ type: 'subscribe', room: a.slug, since: 0 });
    const replayed = await resumed.collect((f) => f.type === 'event' && f.room === a.slug, 3);
    expect(replayed.map((f) => [(f.message as { body: string }).body, staffOf(f.message as Authored)])).toEqual([
      ['moderator in A', 'moderator'],
      ['admin in A', 'admin'],
      ['member in A', null],
    ]);
  });

  it('follows the role as it is now: a moderator who steps down loses the mark on what they wrote', async () => {
    const room = await createRoom(t.app, admin, 'staff-now');
    const moderator = await joinedMember(t.app, room.slug);
    await appoint(room.slug, moderator);
    await send(await socketFor(moderator), room.slug, 'written while a moderator');
    const read = async () =>
      staffOf(
        (await call(t.app, 'GET', `/api/rooms/${room.slug}/messages`, { cookie: moderator.cookie })).json()
          .messages[0] as Authored,
      );
    expect(await read()).toBe('moderator');
    await call(t.app, 'DELETE', `/api/rooms/${room.slug}/moderators/${moderator.user.id}`, { cookie: admin.cookie });
    expect(await read()).toBe(null);
  });
});

describe('the staff mark on stories and replies', () => {
  it('marks admins and story moderators, never anonymous words, and nobody else', async () => {
    const storyModerator = await registerMember(t.app);
    expect(
      (await call(t.app, 'PUT', `/api/stories/moderators/${storyModerator.user.id}`, { cookie: admin.cookie }))
        .statusCode,
    ).toBe(204);
    const member = await registerMember(t.app);
    const write = async (who: Member, anonymous: boolean) => {
      const res = await call(t.app, 'POST', '/api/stories', {
        cookie: who.cookie,
        body: { title: 'Our story', body: 'We think of her every day.', tags: [], contentWarnings: [], anonymous },
      });
      expect(res.statusCode).toBe(201);
      return res.json().story as Authored & { id: string };
    };
    const story = await write(member, false);
    const reply = async (who: Member, anonymous: boolean) => {
      const res = await call(t.app, 'POST', `/api/stories/${story.id}/replies`, {
        cookie: who.cookie,
        body: { body: `Holding you close (${who.user.id})`, anonymous },
      });
      expect(res.statusCode).toBe(201);
      return res.json().reply as Authored & { id: string };
    };
    const adminStory = await write(admin, false);
    const anonymousAdminStory = await write(admin, true);
    const byAdmin = await reply(admin, false);
    const byStoryModerator = await reply(storyModerator, false);
    const byMember = await reply(member, false);
    const anonymousByAdmin = await reply(admin, true);
    const anonymousByStoryModerator = await reply(storyModerator, true);

    const reader = await registerMember(t.app);
    for (const cookie of [undefined, reader.cookie, storyModerator.cookie]) {
      const { story: seen, replies } = (await call(t.app, 'GET', `/api/stories/${story.id}`, { cookie })).json() as {
        story: Authored;
        replies: (Authored & { id: string })[];
      };
      expect(staffOf(seen)).toBe(null);
      const of = (id: string) => staffOf(replies.find((r) => r.id === id)!);
      expect(of(byAdmin.id)).toBe('admin');
      expect(of(byStoryModerator.id)).toBe('story_moderator');
      expect(of(byMember.id)).toBe(null);
      expect(of(anonymousByAdmin.id)).toBe('no author');
      // Its own writer sees it as theirs, still with no mark.
      expect(of(anonymousByStoryModerator.id)).toBe(cookie === storyModerator.cookie ? null : 'no author');
      expect(staffOf((await call(t.app, 'GET', `/api/stories/${adminStory.id}`, { cookie })).json().story)).toBe(
        'admin',
      );
      const anonymous = await call(t.app, 'GET', `/api/stories/${anonymousAdminStory.id}`, { cookie });
      expect(anonymous.json().story.author).toBe(null);
      expect(anonymous.body).not.toContain('"staff":"admin"');
      const list = await call(t.app, 'GET', '/api/stories', { cookie });
      const listed = list.json().stories as (Authored & { id: string })[];
      expect(staffOf(listed.find((s) => s.id === adminStory.id)!)).toBe('admin');
      expect(listed.find((s) => s.id === anonymousAdminStory.id)!.author).toBe(null);
    }
    // Even to its own author an anonymous reply carries no mark (a screenshot of it would name them).
    const own = (await call(t.app, 'GET', `/api/stories/${story.id}`, { cookie: admin.cookie })).json()
      .replies as (Authored & { id: string })[];
    expect(own.find((r) => r.id === anonymousByAdmin.id)!.author?.staff ?? null).toBe(null);
  });
});

describe('display names that claim a role', () => {
  const claims = [
    'Kim (admin)',
    'Admin',
    'ADMIN',
    'Kim the Mod',
    'mods',
    'Moderator Kim',
    'Kim_moderator',
    'KimAdmin',
    'kimadmin',
    'Kindred Team',
    'Team Kindred',
    'The Kindred team',
    'kindred',
    'Kindred Support',
    'Support Team',
    'Official',
    'Staff',
    'Kim [staff]',
    'Administrator',
    'A.D.M.I.N',
    'a d m i n',
    'Adm1n',
    '4dmin',
    'M0D Kim',
    'St4ff',
    'Kim – admin',
    'аdmin', // Cyrillic а
    'ⓐⓓⓜⓘⓝ',
    'ＡＤＭＩＮ',
    'Ádmín',
    'Modérateur',
    'Safety team',
    'Trust & Safety',
    'Helpdesk',
    'Team',
  ];
  const legit = [
    'Modesty',
    'Madmin',
    'Modupe',
    'Admire',
    'Stafford',
    'Staffy mum',
    'Team Leo',
    'Moderately okay',
    'Officially tired',
    'Kindness',
    'Mo D.',
    'Grace (Leo’s mum)',
    'Ayesha',
    'Rainbow mama 🌈',
    'Mummy to Theo',
    'Kin',
    'Teamwork',
    'Supportive sister',
    'Dad of Ada',
  ];

  it.each(claims)('refuses %j at sign-up and on change, kindly, with display_name_claims_role', async (name) => {
    const registered = await call(t.app, 'POST', '/api/auth/register', {
      body: { username: `claim_${unique()}_${process.pid}`, password: 'a quiet evening river', displayName: name },
    });
    expect(registered.statusCode, registered.body).toBe(400);
    expect(registered.json().error).toMatchObject({ code: 'display_name_claims_role', field: 'displayName' });
    expect(registered.json().error.message).toMatch(/look after Kindred/);
    const member = await registerMember(t.app);
    const changed = await call(t.app, 'PATCH', '/api/me', { cookie: member.cookie, body: { displayName: name } });
    expect(changed.statusCode, changed.body).toBe(400);
    expect(changed.json().error.code).toBe('display_name_claims_role');
  });

  it.each(legit)('accepts the ordinary name %j', async (name) => {
    const member = await registerMember(t.app);
    const changed = await call(t.app, 'PATCH', '/api/me', { cookie: member.cookie, body: { displayName: name } });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json().user.displayName).toBe(name);
  });
});

describe('display names that pass for a staff member’s', () => {
  it('refuses look-alikes of an admin, a room moderator and a story moderator, names and usernames', async () => {
    const word = unique();
    const kim = `Kim${word}`;
    const adminKim = await registerMember(t.app, { displayName: kim });
    await makeAdmin(t, adminKim);
    const room = await createRoom(t.app, admin, 'staff-names');
    const wren = await joinedMember(t.app, room.slug);
    await call(t.app, 'PATCH', '/api/me', { cookie: wren.cookie, body: { displayName: `Wren ${word}` } });
    await appoint(room.slug, wren);
    const sol = await registerMember(t.app, { displayName: `Sol ${word}` });
    await call(t.app, 'PUT', `/api/stories/moderators/${sol.user.id}`, { cookie: admin.cookie });

    const cyrillic = (text: string) => text.replace(/a/g, 'а').replace(/e/g, 'е').replace(/o/g, 'о').replace(/i/g, 'і');
    const lookalikes = [
      kim,
      kim.toUpperCase(),
      `K${cyrillic('i')}m${word}`,
      `К${'im'}${word}`, // Cyrillic capital К
      `Kím${word}`,
      `K i m ${word}`,
      `Kim-${word}`,
      `Ｋｉｍ${word}`,
      `KIm${word}`,
      `Wren ${word}`,
      `wren_${word}`,
      cyrillic(`Wren ${word}`),
      `Sol ${word}`,
      `S0l ${word}`,
      wren.username,
      sol.username.toUpperCase(),
    ];
    for (const name of lookalikes) {
      const member = await registerMember(t.app);
      const changed = await call(t.app, 'PATCH', '/api/me', { cookie: member.cookie, body: { displayName: name } });
      expect(changed.statusCode, `${name}: ${changed.body}`).toBe(409);
      expect(changed.json().error).toMatchObject({ code: 'display_name_like_staff', field: 'displayName' });
      const registered = await call(t.app, 'POST', '/api/auth/register', {
        body: { username: `like_${unique()}_${process.pid}`, password: 'a quiet evening river', displayName: name },
      });
      expect(registered.statusCode, `${name} at sign-up`).toBe(409);
      expect(registered.json().error.code).toBe('display_name_like_staff');
    }
    // Names that only share a part, and a staff member keeping (or re-typing) their own name, are fine.
    for (const name of [`Kimberly ${word}`, `Kim ${word} too`, `Wrenna ${word}`]) {
      const member = await registerMember(t.app);
      const changed = await call(t.app, 'PATCH', '/api/me', { cookie: member.cookie, body: { displayName: name } });
      expect(changed.statusCode, `${name}: ${changed.body}`).toBe(200);
    }
    const again = await call(t.app, 'PATCH', '/api/me', { cookie: wren.cookie, body: { displayName: `WREN ${word}` } });
    expect(again.statusCode, again.body).toBe(200);
  });

  it('leaves an existing look-alike alone when someone becomes staff: nobody is renamed', async () => {
    const word = unique();
    const first = await registerMember(t.app, { displayName: `Rowan ${word}` });
    const room = await createRoom(t.app, admin, 'staff-later');
    const second = await joinedMember(t.app, room.slug);
    await call(t.app, 'PATCH', '/api/me', { cookie: second.cookie, body: { displayName: `Rowan ${word}` } });
    await appoint(room.slug, second);
    const me = await call(t.app, 'GET', '/api/me', { cookie: first.cookie });
    expect(me.json().user.displayName).toBe(`Rowan ${word}`);
    const other = await call(t.app, 'PATCH', '/api/me', { cookie: first.cookie, body: { timeZone: 'Europe/London' } });
    expect(other.statusCode).toBe(200);
  });
});

describe('"Looked after by": the moderator’s choice wins', () => {
  it('names a moderator to signed-out visitors and members only while on duty with their name shown', async () => {
    const room = await createRoom(t.app, admin, 'staff-header');
    const word = unique();
    const moderator = await joinedMember(t.app, room.slug);
    await call(t.app, 'PATCH', '/api/me', { cookie: moderator.cookie, body: { displayName: `Juniper ${word}` } });
    await appoint(room.slug, moderator);
    const member = await joinedMember(t.app, room.slug);
    const outsider = await registerMember(t.app);
    const name = `Juniper ${word}`;
    const roomAs = async (cookie: string | undefined) => {
      const one = await call(t.app, 'GET', `/api/rooms/${room.slug}`, { cookie });
      const all = await call(t.app, 'GET', '/api/rooms', { cookie });
      return { room: one.json().room, bodies: [one.body, all.body] };
    };

    // Off duty: nobody but the room's moderators and admins learns who looks after it; all learn that someone does.
    for (const cookie of [undefined, member.cookie, outsider.cookie]) {
      const seen = await roomAs(cookie);
      for (const body of seen.bodies) expect(body).not.toContain(name);
      expect(seen.room).toMatchObject({ moderators: [], moderatorCount: 1, onDuty: { count: 0, names: [] } });
    }
    for (const cookie of [moderator.cookie, admin.cookie]) {
      expect((await roomAs(cookie)).room).toMatchObject({
        moderators: [{ id: moderator.user.id, displayName: name }],
        moderatorCount: 1,
      });
    }

    // On duty without "Let members see my name": a moderator is here, not who.
    await call(t.app, 'PUT', `/api/rooms/${room.slug}/duty`, { cookie: moderator.cookie, body: {} });
    for (const cookie of [undefined, member.cookie]) {
      const seen = await roomAs(cookie);
      for (const body of seen.bodies) expect(body).not.toContain(name);
      expect(seen.room).toMatchObject({ moderators: [], onDuty: { count: 1, names: [] } });
    }
    expect((await roomAs(moderator.cookie)).room.moderators).toEqual([{ id: moderator.user.id, displayName: name }]);

    // On duty with the name shown: everyone may see it.
    await call(t.app, 'PUT', `/api/rooms/${room.slug}/duty`, { cookie: moderator.cookie, body: { showName: true } });
    for (const cookie of [undefined, member.cookie, moderator.cookie]) {
      expect((await roomAs(cookie)).room).toMatchObject({
        moderators: [{ id: moderator.user.id, displayName: name }],
        onDuty: { count: 1, names: [name] },
      });
    }

    // Off duty again: the name is the moderator's own again.
    await call(t.app, 'DELETE', `/api/rooms/${room.slug}/duty`, { cookie: moderator.cookie });
    for (const body of (await roomAs(undefined)).bodies) expect(body).not.toContain(name);
  });
});
