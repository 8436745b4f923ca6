// The gentle tools: a journal and hard dates nobody but their owner can read, the hard-date note on the
// member's own day (and not the day before or after), the daily mantra, and the remembrance wall.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createTestApp, makeAdmin, registerMember, type Member, type TestApp } from './helpers.ts';

let t: TestApp;
let admin: Member;
beforeAll(async () => {
  t = await createTestApp();
  admin = await registerMember(t.app, { username: 'care_admin' });
  await makeAdmin(t, admin);
});
afterAll(() => t.close());

describe('journal and hard dates belong to their owner alone', () => {
  type Actor = 'owner' | 'otherMember' | 'moderator' | 'admin';
  async function actors(): Promise<Record<Actor, Member>> {
    const [owner, otherMember, moderator] = await Promise.all([
      registerMember(t.app),
      registerMember(t.app),
      registerMember(t.app),
    ]);
    await call(t.app, 'POST', '/api/rooms/mothers/join', { cookie: moderator!.cookie, body: { acceptRules: true } });
    await call(t.app, 'PUT', `/api/rooms/mothers/moderators/${moderator!.user.id}`, { cookie: admin.cookie });
    return { owner: owner!, otherMember: otherMember!, moderator: moderator!, admin };
  }

  it('answers the owner, and 404 to everyone else on every route that names an entry or a date', async () => {
    const people = await actors();
    const entry = (
      await call(t.app, 'POST', '/api/journal', {
        cookie: people.owner.cookie,
        body: { body: 'I keep her scan in my drawer.', prompt: 'What do I want to remember?' },
      })
    ).json().entry;
    const date = (
      await call(t.app, 'POST', '/api/me/dates', {
        cookie: people.owner.cookie,
        body: { label: 'Her due date', kind: 'due_date', month: 7, day: 14 },
      })
    ).json().date;
    const routes: [string, string, unknown?][] = [
      ['PATCH', `/api/journal/${entry.id}`, { body: 'changed' }],
      ['POST', `/api/journal/${entry.id}/story`],
      ['DELETE', `/api/journal/${entry.id}`],
      ['DELETE', `/api/me/dates/${date.id}`],
    ];
    for (const actor of ['otherMember', 'moderator', 'admin'] as const) {
      for (const [method, url, body] of routes) {
        const res = await call(t.app, method as 'GET', url, { cookie: people[actor].cookie, body });
        expect(res.statusCode, `${actor} ${method} ${url}`).toBe(404);
      }
      const lists = [
        await call(t.app, 'GET', '/api/journal', { cookie: people[actor].cookie }),
        await call(t.app, 'GET', '/api/me/dates', { cookie: people[actor].cookie }),
        await call(t.app, 'GET', '/api/me/export', { cookie: people[actor].cookie }),
        await call(t.app, 'GET', '/api/moderation/queue', { cookie: people[actor].cookie }),
      ];
      for (const res of lists) {
        expect(res.body).not.toContain('scan in my drawer');
        expect(res.body).not.toContain('Her due date');
      }
    }
    expect((await call(t.app, 'GET', '/api/journal', { cookie: people.owner.cookie })).json().entries).toEqual([
      expect.objectContaining({ id: entry.id, body: 'I keep her scan in my drawer.' }),
    ]);
    for (const [method, url, body] of routes.slice(0, 1)) {
      expect((await call(t.app, method as 'GET', url, { cookie: people.owner.cookie, body })).statusCode).toBe(200);
    }
    const exported = (await call(t.app, 'GET', '/api/me/export', { cookie: people.owner.cookie })).json();
    expect(exported.care.journal[0].body).toBe('changed');
    expect(exported.care.hardDates[0]).toMatchObject({ label: 'Her due date', month: 7, day: 14 });
  });

  it('needs a session for all of it', async () => {
    for (const [method, url] of [
      ['GET', '/api/journal'],
      ['POST', '/api/journal'],
      ['GET', '/api/me/dates'],
      ['POST', '/api/remembrance'],
    ]) {
      const res = await call(t.app, method as 'GET', url!, { body: method === 'POST' ? {} : undefined });
      expect([400, 401], `${method} ${url}`).toContain(res.statusCode);
      if (method === 'GET') expect(res.statusCode).toBe(401);
    }
  });

  it('turns a journal entry into a draft story in one step, seen only by its author', async () => {
    const owner = await registerMember(t.app);
    const entry = (
      await call(t.app, 'POST', '/api/journal', {
        cookie: owner.cookie,
        body: {
          body: 'What I wish they knew:\nthat it still hurts.',
          prompt: 'What do I wish others understood about my grief?',
        },
      })
    ).json().entry;
    const res = await call(t.app, 'POST', `/api/journal/${entry.id}/story`, { cookie: owner.cookie });
    expect(res.statusCode).toBe(201);
    expect(res.json().story).toMatchObject({
      status: 'draft',
      title: 'What do I wish others understood about my grief?',
    });
    expect(res.json().story.body).toContain('it still hurts');
    const other = await registerMember(t.app);
    expect((await call(t.app, 'GET', `/api/stories/${res.json().story.id}`, { cookie: other.cookie })).statusCode).toBe(
      404,
    );
  });

  it.each<[string, string, unknown]>([
    ['an empty entry', '/api/journal', { body: '   ' }],
    ['an entry with an unknown field', '/api/journal', { body: 'x', mood: 3 }],
    ['a date with month 13', '/api/me/dates', { label: 'x', kind: 'loss', month: 13, day: 1 }],
    ['a date of 31 April', '/api/me/dates', { label: 'x', kind: 'loss', month: 4, day: 31 }],
    ['a date of an unknown kind', '/api/me/dates', { label: 'x', kind: 'birthday', month: 1, day: 1 }],
    ['a date without a label', '/api/me/dates', { kind: 'loss', month: 1, day: 1 }],
  ])('refuses %s with 400 validation', async (_case, url, body) => {
    const owner = await registerMember(t.app);
    const res = await call(t.app, 'POST', url, { cookie: owner.cookie, body });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('validation');
  });
});

describe('the hard-date note', () => {
  it('shows on the day in the member’s own time zone, and not the day before or after', async () => {
    const owner = await registerMember(t.app);
    await call(t.app, 'PATCH', '/api/me', { cookie: owner.cookie, body: { timeZone: 'Pacific/Auckland' } });
    const date = (
      await call(t.app, 'POST', '/api/me/dates', {
        cookie: owner.cookie,
        body: { label: 'The day we lost him', kind: 'loss', month: 6, day: 3, year: 2025 },
      })
    ).json().date;
    const today = async () => (await call(t.app, 'GET', '/api/care/today', { cookie: owner.cookie })).json();
    // The clock starts at 2026-06-01T12:00Z: already 2 June (00:00) in Auckland (UTC+12 in winter).
    expect((await today()).date).toBe('2026-06-02');
    expect((await today()).hardDates).toEqual([]);
    // 2026-06-02T12:00Z is 3 June, 00:00 in Auckland: the day itself, though still 2 June in UTC.
    t.clock.advance(24 * 60 * 60 * 1000);
    const onTheDay = await today();
    expect(onTheDay.date).toBe('2026-06-03');
    expect(onTheDay.hardDates).toEqual([expect.objectContaining({ id: date.id, label: 'The day we lost him' })]);
    t.clock.advance(23 * 60 * 60 * 1000);
    expect((await today()).hardDates).toHaveLength(1); // 23:00 on 3 June in Auckland
    t.clock.advance(60 * 60 * 1000);
    expect((await today()).hardDates).toEqual([]); // 4 June in Auckland
    const stranger = await registerMember(t.app);
    expect((await call(t.app, 'GET', '/api/care/today', { cookie: stranger.cookie })).json().hardDates).toEqual([]);
  });

  it('gives everyone the same mantra on a given day, and refuses an unknown time zone', async () => {
    const [a, b] = [await registerMember(t.app), await registerMember(t.app)];
    const ma = (await call(t.app, 'GET', '/api/care/today', { cookie: a.cookie })).json();
    const mb = (await call(t.app, 'GET', '/api/care/today', { cookie: b.cookie })).json();
    const visitor = (await call(t.app, 'GET', '/api/care/today')).json();
    expect(ma.mantra).toBe(mb.mantra);
    expect(visitor.mantra).toBe(ma.mantra);
    const bad = await call(t.app, 'PATCH', '/api/me', { cookie: a.cookie, body: { timeZone: 'Mars/Olympus' } });
    expect(bad.statusCode).toBe(400);
  });
});

describe('the remembrance wall', () => {
  it('counts candles, keeps anonymous ones anonymous, and lets a moderator hide one', async () => {
    const [lighter, reader] = [await registerMember(t.app), await registerMember(t.app)];
    const before = (await call(t.app, 'GET', '/api/remembrance', { cookie: reader.cookie })).json().count;
    const lit = await call(t.app, 'POST', '/api/remembrance', {
      cookie: lighter.cookie,
      body: { name: 'Little Bean', words: 'Always loved.', anonymous: true },
    });
    expect(lit.statusCode).toBe(201);
    const wall = await call(t.app, 'GET', '/api/remembrance', { cookie: reader.cookie });
    expect(wall.json().count).toBe(before + 1);
    expect(wall.json().candles[0]).toMatchObject({ name: 'Little Bean', anonymous: true, litBy: null, mine: false });
    expect(wall.body).not.toContain(lighter.user.id);
    const hide = await call(t.app, 'POST', '/api/moderation/actions', {
      cookie: admin.cookie,
      body: { action: 'hide', target: { type: 'candle', id: lit.json().candle.id }, reason: 'A real name of a child.' },
    });
    expect(hide.statusCode).toBe(201);
    const after = (await call(t.app, 'GET', '/api/remembrance', { cookie: reader.cookie })).json();
    expect(after.count).toBe(before);
    expect(after.candles.map((c: { id: string }) => c.id)).not.toContain(lit.json().candle.id);
    const bad = await call(t.app, 'POST', '/api/remembrance', {
      cookie: reader.cookie,
      body: { words: 'w'.repeat(281) },
    });
    expect(bad.statusCode).toBe(400);
  });
});
