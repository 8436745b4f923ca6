// Presence: how many members have a socket subscribed to a room now (on every instance), the names of
// only those who chose to be seen (`showPresence`, off by default), and whether a moderator is on duty;
// the `presence` frame to the room's subscribers when that changes. An instance that dies stops counting
// once its heartbeat expires.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  createRoom,
  createTestApp,
  makeAdmin,
  ORIGIN,
  registerMember,
  type Member,
  type TestApp,
} from './helpers.ts';
import { connect, listen, type Frame, type TestSocket } from './sockets.ts';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
let t: TestApp;
let base: string;
let admin: Member;
const open: TestSocket[] = [];

beforeAll(async () => {
  t = await createTestApp({ limitOverrides: { rooms: 100_000 }, presenceHeartbeatSeconds: 1 });
  base = await listen(t.app);
  admin = await registerMember(t.app, { username: `presence_admin_${process.pid}` });
  await makeAdmin(t, admin);
});
afterEach(() => {
  for (const socket of open.splice(0)) socket.close();
});
afterAll(() => t.close());

async function join(member: Member, slug: string) {
  const res = await call(t.app, 'POST', `/api/rooms/${slug}/join`, {
    cookie: member.cookie,
    body: { acceptRules: true },
  });
  expect(res.statusCode).toBe(200);
}

async function here(member: Member, slug: string, at = base): Promise<TestSocket> {
  const socket = await connect(at, member);
  open.push(socket);
  expect((await socket.subscribe(slug)).type).toBe('subscribed');
  return socket;
}

async function roomOf(member: Member, slug: string, app = t.app) {
  const res = await call(app, 'GET', `/api/rooms/${slug}`, { cookie: member.cookie });
  expect(res.statusCode).toBe(200);
  return res.json().room;
}

/** Polls until the room, as `member` reads it, matches; bounded. */
async function until(member: Member, slug: string, predicate: (room: Record<string, unknown>) => boolean) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const room = await roomOf(member, slug);
    if (predicate(room)) return room;
    if (Date.now() > deadline) throw new Error(`room never matched: ${JSON.stringify(room)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function presenceFrame(socket: TestSocket, predicate: (f: Frame) => boolean, from = 0) {
  return socket.next((f) => f.type === 'presence' && predicate(f), 10_000, from);
}

describe('showPresence', () => {
  it('is off by default and the member’s to change', async () => {
    const member = await registerMember(t.app);
    const me = await call(t.app, 'GET', '/api/me', { cookie: member.cookie });
    expect(me.json().user.showPresence).toBe(false);
    const changed = await call(t.app, 'PATCH', '/api/me', { cookie: member.cookie, body: { showPresence: true } });
    expect(changed.statusCode).toBe(200);
    expect(changed.json().user.showPresence).toBe(true);
    const refused = await call(t.app, 'PATCH', '/api/me', { cookie: member.cookie, body: { showPresence: 'yes' } });
    expect(refused.statusCode).toBe(400);
    expect((await call(t.app, 'GET', '/api/me', { cookie: member.cookie })).json().user.showPresence).toBe(true);
  });
});

describe('here now', () => {
  it('counts members with a socket in the room, names only those who chose to be seen, and tells subscribers', async () => {
    const room = await createRoom(t.app, admin, 'presence');
    const [seen, unseen, watcher] = await Promise.all([
      registerMember(t.app, { displayName: 'Willow' }),
      registerMember(t.app, { displayName: 'Private Person' }),
      registerMember(t.app),
    ]);
    for (const member of [seen!, unseen!, watcher!]) await join(member, room.slug);
    await call(t.app, 'PATCH', '/api/me', { cookie: seen!.cookie, body: { showPresence: true } });

    const watching = await here(watcher!, room.slug);
    expect(await presenceFrame(watching, (f) => f.hereNow === 1)).toMatchObject({ hereNames: [] });
    expect(await roomOf(watcher!, room.slug)).toMatchObject({ hereNow: 1, hereNames: [], moderatorOnDuty: false });

    await here(seen!, room.slug);
    // Two sockets of one member are one member here.
    const unseenPhone = await here(unseen!, room.slug);
    const unseenLaptop = await here(unseen!, room.slug);
    const frame = await presenceFrame(watching, (f) => f.hereNow === 3);
    expect(frame).toEqual({
      type: 'presence',
      room: room.slug,
      hereNow: 3,
      hereNames: ['Willow'],
      moderatorOnDuty: false,
    });
    expect(await roomOf(watcher!, room.slug)).toMatchObject({ hereNow: 3, hereNames: ['Willow'] });
    const list = (await call(t.app, 'GET', '/api/rooms', { cookie: watcher!.cookie })).json().rooms;
    expect(list.find((r: { slug: string }) => r.slug === room.slug)).toMatchObject({ hereNow: 3 });
    // The list carries the count only: names are for those looking at the room.
    expect(list.find((r: { slug: string }) => r.slug === room.slug)).not.toHaveProperty('hereNames');

    unseenPhone.close();
    await unseenPhone.waitClosed();
    expect(await roomOf(watcher!, room.slug)).toMatchObject({ hereNow: 3 });
    const from = watching.frames.length;
    unseenLaptop.send({ type: 'unsubscribe', room: room.slug });
    expect(await presenceFrame(watching, (f) => f.hereNow === 2, from)).toMatchObject({ hereNames: ['Willow'] });

    // A visitor and a member who has not joined learn nothing of who is here.
    const stranger = await registerMember(t.app);
    const asStranger = (await call(t.app, 'GET', `/api/rooms/${room.slug}`, { cookie: stranger.cookie })).json().room;
    expect(asStranger).not.toHaveProperty('hereNow');
    expect(asStranger).not.toHaveProperty('hereNames');
  });

  it('says when a moderator is on duty, live', async () => {
    const room = await createRoom(t.app, admin, 'presence-duty');
    const [moderator, member] = await Promise.all([registerMember(t.app), registerMember(t.app)]);
    await join(moderator!, room.slug);
    await join(member!, room.slug);
    await call(t.app, 'PUT', `/api/rooms/${room.slug}/moderators/${moderator!.user.id}`, { cookie: admin.cookie });
    const watching = await here(member!, room.slug);
    await presenceFrame(watching, (f) => f.hereNow === 1);
    const on = await call(t.app, 'PUT', `/api/rooms/${room.slug}/duty`, { cookie: moderator!.cookie, body: {} });
    expect(on.statusCode).toBe(204);
    expect(await presenceFrame(watching, (f) => f.moderatorOnDuty === true)).toMatchObject({ hereNow: 1 });
    expect(await roomOf(member!, room.slug)).toMatchObject({ moderatorOnDuty: true });
    const from = watching.frames.length;
    await call(t.app, 'DELETE', `/api/rooms/${room.slug}/duty`, { cookie: moderator!.cookie });
    await presenceFrame(watching, (f) => f.moderatorOnDuty === false, from);
  });

  it('forgets a member whose membership ended', async () => {
    const room = await createRoom(t.app, admin, 'presence-left');
    const [leaver, watcher] = await Promise.all([registerMember(t.app), registerMember(t.app)]);
    await join(leaver!, room.slug);
    await join(watcher!, room.slug);
    const watching = await here(watcher!, room.slug);
    await here(leaver!, room.slug);
    await presenceFrame(watching, (f) => f.hereNow === 2);
    const from = watching.frames.length;
    await call(t.app, 'POST', `/api/rooms/${room.slug}/leave`, { cookie: leaver!.cookie });
    await presenceFrame(watching, (f) => f.hereNow === 1, from);
  });
});

// An embedded database belongs to one process: several instances need PostgreSQL. The second instance is a
// real server process, so that it can die as a process dies (SIGKILL: no goodbye, no cleanup).
describe.runIf(process.env.KINDRED_TEST_DB === 'postgres')('two instances on one database', () => {
  it('counts sockets on both instances, and forgets an instance that died', async () => {
    // The other process keeps real time (its housekeeping ends sessions by it): so does this one from here.
    t.clock.advance(Date.now() - t.clock.now().getTime());
    const admin = await registerMember(t.app);
    await makeAdmin(t, admin);
    const port = await freePort();
    // The server wants a web app to serve; a page of its own stands in for the built one.
    const webDir = await mkdtemp(path.join(tmpdir(), 'kindred-presence-'));
    await writeFile(path.join(webDir, 'index.html'), '<!doctype html><title>Kindred</title>');
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts'], {
      cwd: repoRoot,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/tmp',
        DATABASE_URL: t.database.url!,
        PORT: String(port),
        PUBLIC_ORIGIN: ORIGIN,
        LOG_LEVEL: 'error',
        PRESENCE_HEARTBEAT_SECONDS: '1',
        WEB_DIR: webDir,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      await readyAt(`http://127.0.0.1:${port}`, () => stderr);
      const secondHttp = `http://127.0.0.1:${port}`;
      const room = await createRoom(t.app, admin, 'presence-two');
      const a = await registerMember(t.app);
      await join(a, room.slug);
      // A member of the other instance, signed in there (its clock is the real one).
      const b = await memberOn(secondHttp);
      const joined = await fetch(`${secondHttp}/api/rooms/${room.slug}/join`, {
        method: 'POST',
        headers: { origin: ORIGIN, cookie: b.cookie, 'content-type': 'application/json' },
        body: JSON.stringify({ acceptRules: true }),
      });
      expect(joined.status).toBe(200);

      const onFirst = await here(a, room.slug);
      await here(b, room.slug, `ws://127.0.0.1:${port}`);
      await presenceFrame(onFirst, (f) => f.hereNow === 2);
      expect(await roomOf(a, room.slug)).toMatchObject({ hereNow: 2 });

      const from = onFirst.frames.length;
      child.kill('SIGKILL');
      await until(a, room.slug, (r) => r.hereNow === 1);
      await presenceFrame(onFirst, (f) => f.hereNow === 1, from);
    } finally {
      child.kill('SIGKILL');
      await rm(webDir, { recursive: true, force: true });
    }
  }, 90_000);
});

/** Waits (at most 60 s) until the server at `http` answers /api/ready. */
async function readyAt(http: string, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const ok = await fetch(`${http}/api/ready`).then(
      (res) => res.ok,
      () => false,
    );
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`the second instance did not start within 60 s: ${stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function memberOn(http: string): Promise<Member> {
  const username = `presence_far_${process.pid}_${Date.now().toString(36)}`;
  const password = 'lanterns along the harbour';
  const res = await fetch(`${http}/api/auth/register`, {
    method: 'POST',
    headers: { origin: ORIGIN, 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  expect(res.status).toBe(201);
  const token = /kindred_session=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1];
  if (!token) throw new Error('no session cookie');
  return {
    user: ((await res.json()) as { user: Member['user'] }).user,
    username,
    password,
    token,
    cookie: `kindred_session=${token}`,
  };
}
