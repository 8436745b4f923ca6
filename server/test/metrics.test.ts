// /api/metrics: the operator's Prometheus figures. Off (404) without METRICS_TOKEN, 401 without the right
// bearer token, and with it the figures move with what members do: messages stored, group commits, sockets
// open, rooms online, HTTP answers by route pattern, rate-limit refusals.
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
import { connect, listen, type TestSocket } from './sockets.ts';

const token = 'metrics-token-for-tests-0123456789abcdef';

let t: TestApp;
let base: string;
let admin: Member;
const open: TestSocket[] = [];

beforeAll(async () => {
  t = await createTestApp({
    metricsToken: token,
    messageLimitPerMinute: 12,
    loginLimitPer15Min: 2,
    limitOverrides: { rooms: 1_000 },
  });
  base = await listen(t.app);
  admin = await registerMember(t.app);
  await makeAdmin(t, admin);
});
afterEach(() => {
  for (const socket of open.splice(0)) socket.close();
});
afterAll(() => t.close());

function scrapeRaw(app = t.app, authorization: string | undefined = `Bearer ${token}`) {
  return app.inject({ method: 'GET', url: '/api/metrics', headers: authorization ? { authorization } : {} });
}

async function scrape(): Promise<string> {
  const res = await scrapeRaw();
  expect(res.statusCode, res.body).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.body;
}

/** One sample's value; 0 when the series is not there yet (a counter never incremented). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-z_:]+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = (match[2] ?? '').split(',').filter(Boolean);
    if (wanted.every((label) => have.includes(label))) return Number(match[3]);
  }
  return 0;
}

async function sendAll(socket: TestSocket, room: string, count: number, tag: string) {
  const answers = [];
  for (let i = 0; i < count; i += 1) {
    const clientId = `${tag}-${i}`;
    socket.send({ type: 'send', room, clientId, body: `a quiet word ${i}` });
    answers.push(
      socket.next((f) => (f.type === 'ack' || f.type === 'error') && (f.clientId === clientId || f.ref === clientId)),
    );
  }
  return Promise.all(answers);
}

describe('who may read it', () => {
  it('answers 404 when no METRICS_TOKEN is set, whatever is sent', async () => {
    const off = await createTestApp();
    try {
      for (const authorization of [undefined, `Bearer ${token}`, 'Bearer ']) {
        const res = await scrapeRaw(off.app, authorization);
        expect(res.statusCode).toBe(404);
        expect(res.json().error.code).toBe('not_found');
      }
    } finally {
      await off.close();
    }
    // A second app on its own database: slow to open on PGlite when the machine is busy.
  }, 120_000);

  it.each([
    ['no token', undefined],
    ['a wrong token', `Bearer ${token}x`],
    ['a token of another length', 'Bearer short'],
    ['the token in another scheme', `Basic ${token}`],
    ['a member cookie only', undefined],
  ])('answers 401 to %s', async (_case, authorization) => {
    const member = await registerMember(t.app);
    const res = await t.app.inject({
      method: 'GET',
      url: '/api/metrics',
      headers: { ...(authorization ? { authorization } : {}), cookie: member.cookie },
    });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('unauthenticated');
    expect(res.body).not.toContain('kindred_');
  });

  it('is not in the public API document', async () => {
    const doc = await call(t.app, 'GET', '/api/docs');
    expect(Object.keys(doc.json().paths)).not.toContain('/api/metrics');
  });
});

describe('the figures move', () => {
  it('counts exactly the messages stored, the commits, sockets and rooms online', async () => {
    const room = (await createRoom(t.app, admin, 'metrics')).slug;
    const a = await joinedMember(t.app, room);
    const b = await joinedMember(t.app, room);
    const before = await scrape();

    const sa = await connect(base, a);
    const sb = await connect(base, b);
    open.push(sa, sb);
    expect((await sa.subscribe(room)).type).toBe('subscribed');
    expect((await sb.subscribe(room)).type).toBe('subscribed');
    const answers = await sendAll(sa, room, 5, 'first');
    expect(answers.map((f) => f.type)).toEqual(['ack', 'ack', 'ack', 'ack', 'ack']);
    // A resend of the same clientId is answered again but stores nothing.
    sa.send({ type: 'send', room, clientId: 'first-0', body: 'a quiet word 0' });
    await sa.collect((f) => f.type === 'ack' && f.clientId === 'first-0', 2);

    const after = await scrape();
    const delta = (name: string, labels: Record<string, string> = {}) =>
      sample(after, name, labels) - sample(before, name, labels);
    expect(delta('kindred_chat_messages_stored_total')).toBe(5);
    expect(delta('kindred_chat_batch_size_count')).toBeGreaterThanOrEqual(1);
    expect(delta('kindred_chat_batch_size_sum')).toBeGreaterThanOrEqual(6);
    expect(delta('kindred_chat_commit_seconds_count')).toBe(delta('kindred_chat_batch_size_count'));
    expect(sample(after, 'kindred_open_sockets')).toBe(2);
    expect(sample(after, 'kindred_rooms_online')).toBe(1);
    expect(sample(after, 'kindred_chat_queued_writes')).toBe(0);
    expect(after).toMatch(/^kindred_event_loop_delay_seconds\{quantile="0\.99"\} \d/m);
    expect(sample(after, 'kindred_process_resident_memory_bytes')).toBeGreaterThan(1e6);

    sb.close();
    await sb.waitClosed();
    await expect.poll(async () => sample(await scrape(), 'kindred_open_sockets')).toBe(1);
  });

  it('times HTTP answers by route pattern, never the address asked for', async () => {
    const room = (await createRoom(t.app, admin, 'patterns')).slug;
    const member = await joinedMember(t.app, room);
    const before = await scrape();
    for (let i = 0; i < 3; i += 1) {
      expect((await call(t.app, 'GET', `/api/rooms/${room}`, { cookie: member.cookie })).statusCode).toBe(200);
    }
    await call(t.app, 'GET', '/api/no/such/place', { cookie: member.cookie });
    const after = await scrape();
    const labels = { method: 'GET', route: '/api/rooms/:slug', status: '200' };
    expect(
      sample(after, 'kindred_http_request_duration_seconds_count', labels) -
        sample(before, 'kindred_http_request_duration_seconds_count', labels),
    ).toBe(3);
    expect(after).not.toContain(room);
    expect(after).not.toContain('/api/no/such/place');
  });

  it('counts rate-limit refusals, over HTTP and in chat', async () => {
    const before = await scrape();
    const member = await registerMember(t.app);
    const from = '2001:db8:ffff:1::1';
    for (let i = 0; i < 3; i += 1) {
      await call(t.app, 'POST', '/api/auth/login', {
        body: { username: member.username, password: 'not the password at all' },
        remoteAddress: from,
      });
    }
    const http = sample(await scrape(), 'kindred_rate_limit_refusals_total', { where: 'http' });
    expect(http - sample(before, 'kindred_rate_limit_refusals_total', { where: 'http' })).toBeGreaterThanOrEqual(1);

    const room = (await createRoom(t.app, admin, 'flood')).slug;
    const flooder = await joinedMember(t.app, room);
    const socket = await connect(base, flooder);
    open.push(socket);
    expect((await socket.subscribe(room)).type).toBe('subscribed');
    const middle = await scrape();
    const answers = await sendAll(socket, room, 14, 'flood');
    const acked = answers.filter((f) => f.type === 'ack').length;
    const limited = answers.filter((f) => f.type === 'error' && f.code === 'rate_limited').length;
    expect(limited).toBeGreaterThan(0);
    const after = await scrape();
    expect(
      sample(after, 'kindred_chat_messages_stored_total') - sample(middle, 'kindred_chat_messages_stored_total'),
    ).toBe(acked);
    expect(
      sample(after, 'kindred_rate_limit_refusals_total', { where: 'chat_message' }) -
        sample(middle, 'kindred_rate_limit_refusals_total', { where: 'chat_message' }),
    ).toBe(limited);
  });
});
