// Limits that hold: every route that creates something has a per-member limit sized for a person, the
// per-address limits are keyed by the address alone (a session cookie buys no fresh bucket), and every
// count is kept in the database, so a second instance on the same database sees the first one's hits.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { call, createTestApp, makeAdmin, ORIGIN, registerMember, type Member, type TestApp } from './helpers.ts';

const DAY = 24 * 60 * 60 * 1000;
const LIMIT = 2;

let t: TestApp;
let other: FastifyInstance;
let author: Member;
let story: { id: string };
beforeAll(async () => {
  t = await createTestApp({
    limitOverrides: {
      candles: LIMIT,
      reports: LIMIT,
      stories: LIMIT,
      replies: LIMIT,
      reactions: LIMIT,
      journal: LIMIT,
      dates: LIMIT,
      rooms: LIMIT,
    },
  });
  // A second instance of the server on the same database, as behind a load balancer.
  other = await buildApp(t.config, { database: t.database, now: t.clock.now });
  await other.ready();
  author = await registerMember(t.app);
  t.clock.advance(DAY + 1000); // past the new-account window, so the author's story is published at once
  const res = await call(t.app, 'POST', '/api/stories', {
    cookie: author.cookie,
    body: {
      title: 'The spring we lost her',
      body: 'We planted a tree.',
      tags: [],
      contentWarnings: [],
      anonymous: false,
    },
  });
  story = res.json().story;
});
afterAll(async () => {
  await other.close();
  await t.close();
});

let counter = 0;
/** A fresh member, or (for what only admins may do) a fresh admin. */
async function newMember(asAdmin: boolean): Promise<Member> {
  const member = await registerMember(t.app);
  if (asAdmin) await makeAdmin(t, member);
  return member;
}

type Create = (app: FastifyInstance, member: Member) => Promise<LightMyRequestResponse>;

/** One request that creates something, for each route that does; the member is a fresh one per case. */
const creations: [name: string, create: Create, words: RegExp, asAdmin?: boolean][] = [
  [
    'lighting a candle',
    (app, m) => call(app, 'POST', '/api/remembrance', { cookie: m.cookie, body: { name: `Bean ${++counter}` } }),
    /candles/,
  ],
  [
    'reporting a member',
    async (app, m) => {
      await call(app, 'POST', '/api/rooms/mothers/join', { cookie: m.cookie, body: { acceptRules: true } });
      await call(app, 'POST', '/api/rooms/mothers/join', { cookie: author.cookie, body: { acceptRules: true } });
      return call(app, 'POST', '/api/reports', {
        cookie: m.cookie,
        body: { target: { type: 'user', id: author.user.id }, reason: 'other', room: 'mothers' },
      });
    },
    /reports/,
  ],
  [
    'writing a story',
    (app, m) =>
      call(app, 'POST', '/api/stories', {
        cookie: m.cookie,
        body: {
          title: `Draft ${++counter}`,
          body: 'Not ready yet.',
          tags: [],
          contentWarnings: [],
          anonymous: false,
          draft: true,
        },
      }),
    /stories/,
  ],
  [
    'replying to a story',
    (app, m) =>
      call(app, 'POST', `/api/stories/${story.id}/replies`, {
        cookie: m.cookie,
        body: { body: `Thinking of you ${++counter}` },
      }),
    /replies/,
  ],
  [
    'reacting to a story',
    (app, m) => call(app, 'POST', `/api/stories/${story.id}/reactions`, { cookie: m.cookie, body: { kind: 'candle' } }),
    /reactions/,
  ],
  [
    'writing in the journal',
    (app, m) => call(app, 'POST', '/api/journal', { cookie: m.cookie, body: { body: `Today ${++counter}` } }),
    /journal/,
  ],
  [
    'keeping a date',
    (app, m) =>
      call(app, 'POST', '/api/me/dates', {
        cookie: m.cookie,
        body: { label: `Her day ${++counter}`, kind: 'due_date', month: 7, day: 14 },
      }),
    /dates/,
  ],
  [
    'creating a room',
    (app, m) => {
      const slug = `limited-${++counter}-${process.pid}`;
      return call(app, 'POST', '/api/rooms', {
        cookie: m.cookie,
        body: { slug, name: slug, description: 'A room', audience: 'everyone', rules: 'Be kind.' },
      });
    },
    /rooms/,
    true,
  ],
];

describe('per-member limits on creating things', () => {
  it.each(creations)(
    '%s: the limit bites, on every instance, and says so kindly',
    async (_case, create, words, asAdmin = false) => {
      const member = await newMember(asAdmin);
      // Half the allowance on each instance: the count is shared, not kept per instance.
      expect([200, 201]).toContain((await create(t.app, member)).statusCode);
      expect([200, 201]).toContain((await create(other, member)).statusCode);
      for (const app of [t.app, other]) {
        const refused = await create(app, member);
        expect(refused.statusCode).toBe(429);
        expect(refused.json().error.code).toBe('rate_limited');
        expect(refused.json().error.message).toMatch(words);
        expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      }
      // Someone else is not held back by this member's count.
      expect([200, 201]).toContain((await create(t.app, await newMember(asAdmin))).statusCode);
    },
  );

  it('counts a journal entry turned into a story as a story', async () => {
    const member = await registerMember(t.app);
    const entry = (
      await call(t.app, 'POST', '/api/journal', { cookie: member.cookie, body: { body: 'For her.' } })
    ).json().entry;
    for (let i = 0; i < LIMIT; i += 1) {
      const draft = await call(t.app, 'POST', '/api/stories', {
        cookie: member.cookie,
        body: {
          title: `Draft ${i}`,
          body: 'Not ready yet.',
          tags: [],
          contentWarnings: [],
          anonymous: false,
          draft: true,
        },
      });
      expect(draft.statusCode).toBe(201);
    }
    const refused = await call(other, 'POST', `/api/journal/${entry.id}/story`, { cookie: member.cookie });
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error.message).toMatch(/stories/);
  });

  it('keeps what was created before the limit, and opens again when the window ends', async () => {
    const member = await registerMember(t.app);
    const light = (name: string) => call(t.app, 'POST', '/api/remembrance', { cookie: member.cookie, body: { name } });
    expect((await light('Robin')).statusCode).toBe(201);
    expect((await light('Wren')).statusCode).toBe(201);
    expect((await light('Finch')).statusCode).toBe(429);
    const wall = (await call(t.app, 'GET', '/api/remembrance', { cookie: member.cookie })).json();
    const names = JSON.stringify(wall);
    expect(names).toContain('Robin');
    expect(names).toContain('Wren');
    expect(names).not.toContain('Finch');
    t.clock.advance(DAY);
    expect((await light('Finch')).statusCode).toBe(201);
  });
});

describe('per-address limits', () => {
  it('keys registration by the address alone: a session cookie does not buy a fresh bucket', async () => {
    const limited = await createTestApp({ registerLimitPerHour: 2 });
    try {
      const address = '192.0.2.44';
      let cookie: string | undefined;
      const statuses: number[] = [];
      for (let i = 0; i < 4; i += 1) {
        const res = await limited.app.inject({
          method: 'POST',
          url: '/api/auth/register',
          headers: { origin: ORIGIN, ...(cookie ? { cookie } : {}) },
          payload: { username: `cookie_hop_${i}_${process.pid}`, password: 'a long and quiet night' },
          remoteAddress: address,
        });
        statuses.push(res.statusCode);
        const next = res.cookies.find((c) => c.name === 'kindred_session');
        if (next) cookie = `kindred_session=${next.value}`;
      }
      expect(statuses).toEqual([201, 201, 429, 429]);
    } finally {
      await limited.close();
    }
  });

  it('keys sign-in by the address alone: a session cookie does not buy a fresh bucket', async () => {
    const cookies = await Promise.all(
      Array.from({ length: t.config.loginLimitPer15Min + 1 }, async () => (await registerMember(t.app)).cookie),
    );
    const statuses: number[] = [];
    for (const [i, cookie] of cookies.entries()) {
      const res = await call(t.app, 'POST', '/api/auth/login', {
        cookie,
        body: { username: `nobody_${i}_${process.pid}`, password: 'a guess at something' },
        remoteAddress: '192.0.2.45',
      });
      statuses.push(res.statusCode);
      if (res.statusCode === 429)
        expect(res.json().error.message).toMatch(/^There were many tries to sign in from here/);
    }
    expect(statuses.filter((s) => s === 401)).toHaveLength(t.config.loginLimitPer15Min);
    expect(statuses.at(-1)).toBe(429);
  });

  it('counts registrations from one address on every instance', async () => {
    const limited = await createTestApp({ registerLimitPerHour: 2 });
    const second = await buildApp(limited.config, { database: limited.database, now: limited.clock.now });
    try {
      const register = (app: FastifyInstance, i: number) =>
        app.inject({
          method: 'POST',
          url: '/api/auth/register',
          headers: { origin: ORIGIN },
          payload: { username: `two_doors_${i}_${process.pid}`, password: 'a long and quiet night' },
          remoteAddress: '192.0.2.46',
        });
      expect((await register(limited.app, 1)).statusCode).toBe(201);
      expect((await register(second, 2)).statusCode).toBe(201);
      expect((await register(limited.app, 3)).statusCode).toBe(429);
      expect((await register(second, 4)).statusCode).toBe(429);
    } finally {
      await second.close();
      await limited.close();
    }
  });

  it('counts an IPv6 client by its /64, and an IPv4 one by its address', async () => {
    const limited = await createTestApp({ registerLimitPerHour: 1 });
    try {
      const register = (remoteAddress: string) =>
        limited.app.inject({
          method: 'POST',
          url: '/api/auth/register',
          headers: { origin: ORIGIN },
          payload: { username: `v6_${++counter}_${process.pid}`, password: 'a long and quiet night' },
          remoteAddress,
        });
      expect((await register('2001:db8:77:1::1')).statusCode).toBe(201);
      expect((await register('2001:db8:77:1:abcd:ef01:2345:6789')).statusCode).toBe(429);
      expect((await register('2001:0db8:0077:0001::ffff')).statusCode).toBe(429);
      expect((await register('2001:db8:77:2::1')).statusCode).toBe(201);
      expect((await register('192.0.2.47')).statusCode).toBe(201);
      expect((await register('::ffff:192.0.2.47')).statusCode).toBe(429);
      expect((await register('192.0.2.48')).statusCode).toBe(201);
    } finally {
      await limited.close();
    }
  });
});

describe('behind a reverse proxy', () => {
  it.each([
    ['1', '127.0.0.1'],
    ['127.0.0.1', '127.0.0.1'],
    ['10.0.0.0/8, 127.0.0.0/8', '127.0.0.1'],
  ])(
    'with TRUST_PROXY=%s counts the address the proxy saw, not one the client wrote before it',
    async (trust, proxy) => {
      const limited = await createTestApp({
        registerLimitPerHour: 1,
        trustProxy: loadConfig({ TRUST_PROXY: trust }).trustProxy,
      });
      try {
        // The client prepends an address of its choosing; the proxy appends the one it saw.
        const register = (written: string) =>
          limited.app.inject({
            method: 'POST',
            url: '/api/auth/register',
            headers: { origin: ORIGIN, 'x-forwarded-for': `${written}, 203.0.113.60` },
            payload: { username: `proxied_${++counter}_${process.pid}`, password: 'a long and quiet night' },
            remoteAddress: proxy,
          });
        expect((await register('198.51.100.1')).statusCode).toBe(201);
        expect((await register('198.51.100.2')).statusCode).toBe(429);
      } finally {
        await limited.close();
      }
    },
  );

  it('believes no X-Forwarded-For from a client that is not one of the listed proxies', async () => {
    const limited = await createTestApp({
      registerLimitPerHour: 1,
      trustProxy: loadConfig({ TRUST_PROXY: '10.0.0.2' }).trustProxy,
    });
    try {
      const register = (written: string) =>
        limited.app.inject({
          method: 'POST',
          url: '/api/auth/register',
          headers: { origin: ORIGIN, 'x-forwarded-for': written },
          payload: { username: `direct_${++counter}_${process.pid}`, password: 'a long and quiet night' },
          remoteAddress: '192.0.2.61',
        });
      expect((await register('198.51.100.3')).statusCode).toBe(201);
      expect((await register('198.51.100.4')).statusCode).toBe(429);
    } finally {
      await limited.close();
    }
  });
});

describe('the general ceiling on requests', () => {
  it('holds across instances', async () => {
    const limited = await createTestApp({ requestLimitPerMinute: 6 });
    const second = await buildApp(limited.config, { database: limited.database, now: limited.clock.now });
    try {
      const member = await registerMember(limited.app); // one request, from its own address
      const statuses: number[] = [];
      for (let i = 0; i < 8; i += 1) {
        const app = i % 2 === 0 ? limited.app : second;
        statuses.push((await call(app, 'GET', '/api/me', { cookie: member.cookie })).statusCode);
      }
      expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 429, 429]);
      const refused = await call(second, 'GET', '/api/me', { cookie: member.cookie });
      expect(refused.json().error.code).toBe('rate_limited');
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      limited.clock.advance(60_000);
      expect((await call(second, 'GET', '/api/me', { cookie: member.cookie })).statusCode).toBe(200);
    } finally {
      await second.close();
      await limited.close();
    }
  });

  it('counts in batches on each instance and still holds across them, within a batch per instance', async () => {
    // 120 a minute: each instance adds its requests to the shared count two at a time.
    const limited = await createTestApp({ requestLimitPerMinute: 120 });
    const second = await buildApp(limited.config, { database: limited.database, now: limited.clock.now });
    try {
      const member = await registerMember(limited.app);
      const statuses: number[] = [];
      for (let i = 0; i < 160; i += 1) {
        const app = i % 2 === 0 ? limited.app : second;
        statuses.push((await call(app, 'GET', '/api/me', { cookie: member.cookie })).statusCode);
      }
      const allowed = statuses.filter((s) => s === 200).length;
      expect(allowed).toBeGreaterThanOrEqual(120);
      expect(allowed).toBeLessThanOrEqual(120 + 2 * 2); // each per-instance count alone would allow 240
      expect(statuses.slice(-20)).toEqual(Array(20).fill(429));
    } finally {
      await second.close();
      await limited.close();
    }
  });
});
