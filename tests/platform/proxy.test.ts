// Kindred as it is deployed: nginx from Debian's packages in front, running the site file that ships
// (deploy/nginx/kindred.conf), terminating TLS with a certificate made here and proxying HTTP and the chat
// WebSocket to two Kindred instances (the compiled server) on one PostgreSQL database, with
// PUBLIC_ORIGIN=https://… and TRUST_PROXY=1. Clients come from loopback addresses of their own
// (127.0.0.x), so the address Kindred logs and limits by can be told apart from the proxy's (127.0.0.1).
// Then the instances restart one after the other while members keep sending: no acknowledged message may be
// lost or stored twice, and every client must be back.
import { CLOSE_SERVICE_RESTART } from '@kindred/shared';
import { createPostgresDatabase } from '@kindred/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  ChatSocket,
  closeAgents,
  delay,
  joinRoom,
  planMessages,
  readHistory,
  registerMember,
  runTag,
  Sender,
  waitUntil,
  type Member,
  type Via,
} from '../support/chat.ts';
import { NGINX, nginxInstalled, startNginx, type Nginx } from '../support/nginx.ts';
import { findFreePort, startPlatform, stopAll, type Platform } from '../support/platform.ts';

const serverUrl = process.env.TEST_DATABASE_URL;
const skipReason = !nginxInstalled
  ? ` (skipped: nginx is not installed at ${NGINX}; apt-get install nginx)`
  : !serverUrl
    ? ' (skipped: two instances need PostgreSQL; set TEST_DATABASE_URL)'
    : '';

describe.skipIf(skipReason !== '')(`Kindred behind nginx, over TLS, on two instances${skipReason}`, () => {
  let database: { url: string; drop(): Promise<void> } | undefined;
  let nginx: Nginx | undefined;
  /** The two instances, by the port nginx knows them on; a restart replaces the entry. */
  const instances: Platform[] = [];
  let env: Record<string, string>;
  const open: ChatSocket[] = [];
  /** Each client is a loopback address of its own: 127.0.0.<n>. */
  let nextAddress = 10;
  const client = (): Via => ({ ca: nginx!.certificate, localAddress: `127.0.0.${nextAddress++}` });

  beforeAll(async () => {
    database = await createPostgresDatabase(serverUrl!);
    const ports = new Set<number>();
    while (ports.size < 4) ports.add(await findFreePort());
    const [httpsPort, httpPort, portA, portB] = [...ports] as [number, number, number, number];
    env = {
      DATABASE_URL: database.url,
      PUBLIC_ORIGIN: `https://127.0.0.1:${httpsPort}`,
      TRUST_PROXY: '1',
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
      MESSAGE_LIMIT_PER_MINUTE: '100000',
      REQUEST_LIMIT_PER_MINUTE: '100000',
      // Low, so the test can see whose address it counts.
      REGISTER_LIMIT_PER_HOUR: '3',
    };
    // A first: it runs the migrations; B then starts on a migrated database.
    instances.push(await startPlatform({ env, port: portA }));
    instances.push(await startPlatform({ env, port: portB }));
    nginx = await startNginx({ httpsPort, httpPort, upstreamPorts: [portA, portB] });
  }, 180_000);

  afterAll(async () => {
    for (const socket of open) socket.close();
    await nginx?.stop();
    await closeAgents();
    await stopAll();
    await database?.drop();
  });

  async function connect(member: Member, room: string): Promise<ChatSocket> {
    const socket = await ChatSocket.connect(nginx!.url, member, nginx!.url);
    open.push(socket);
    await socket.subscribe(room);
    return socket;
  }

  const logs = () => instances.map((platform) => platform.logs()).join('\n');

  it('answers only over TLS, sets a __Host- secure cookie, and counts the client’s own address', async () => {
    // Plain HTTP is sent on to HTTPS.
    const plain = await fetch(`${nginx!.plainUrl}/rooms`, { redirect: 'manual' });
    expect(plain.status).toBe(301);
    expect(plain.headers.get('location')).toBe('https://127.0.0.1/rooms');

    const first = client();
    const ready = await api(nginx!.url, '/api/ready', { via: first });
    expect(ready.status).toBe(200);
    expect(ready.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);

    const tag = runTag();
    const register = (username: string, via: Via, headers: Record<string, string> = {}) =>
      api(nginx!.url, '/api/auth/register', {
        via,
        headers,
        body: { username, password: `lanterns along the harbour ${tag}` },
      });
    const answer = await register(`tls_${tag}_0`, first);
    expect(answer.status).toBe(201);
    const cookies = answer.headers.getSetCookie();
    const session = cookies.find((header) => header.includes('kindred_session='));
    expect(session).toMatch(/^__Host-kindred_session=[^;]+;/);
    expect(session).toMatch(/;\s*Secure/i);
    expect(session).toMatch(/;\s*HttpOnly/i);
    expect(session).toMatch(/;\s*Path=\/(;|$)/);
    expect(session).not.toMatch(/Domain=/i);

    // Three sign-ups an hour from one address (REGISTER_LIMIT_PER_HOUR=3), whichever instance answers, and
    // an X-Forwarded-For the client writes itself changes nothing: Kindred trusts one hop, nginx's.
    for (const n of [1, 2]) expect((await register(`tls_${tag}_${n}`, first)).status).toBe(201);
    const spoofed = await register(`tls_${tag}_3`, first, { 'x-forwarded-for': '198.51.100.7' });
    expect(spoofed.status).toBe(429);
    expect(((await spoofed.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
    // Another client is another address, with sign-ups of its own.
    const second = client();
    expect((await register(`tls_${tag}_4`, second)).status).toBe(201);

    // The request log names the clients, not the proxy, and not what a client claimed.
    const requestAddresses = new Set(
      logs()
        .split('\n')
        .filter((line) => line.includes('"url":"/api/auth/register"'))
        .map((line) => /"remoteAddress":"([^"]+)"/.exec(line)?.[1]),
    );
    expect(requestAddresses).toEqual(new Set([first.localAddress, second.localAddress]));
  });

  it('carries a chat through the proxy: every member sees every message, in one order', async () => {
    const tag = runTag();
    const room = 'mothers';
    const perMember = 5;
    const people = await Promise.all(
      Array.from({ length: 4 }, (_, i) => registerMember(nginx!.url, `via_${tag}_${i}`, client())),
    );
    for (const member of people) await joinRoom(nginx!.url, member, room);
    const sockets = await Promise.all(people.map((member) => connect(member, room)));

    const senders = people.map((member) => new Sender(member, planMessages(member, tag, perMember, [room])));
    try {
      senders.forEach((sender, i) => sender.attach(sockets[i]!));
      await waitUntil(
        () => senders.every((sender) => sender.done),
        30_000,
        'every send acknowledged',
        () => senders.map((s) => s.describe()).join('; '),
      );
      const total = people.length * perMember;
      await waitUntil(
        () => sockets.every((socket) => socket.events(room).length >= total),
        15_000,
        `${total} events on every socket`,
        () => sockets.map((socket) => socket.events(room).length).join(', '),
      );
      expect(senders.flatMap((sender) => [...sender.refused.values()])).toEqual([]);
      const reference = sockets[0]!.events(room).map((event) => event.message.id);
      for (const socket of sockets) {
        expect(socket.events(room).map((event) => event.seq)).toEqual(Array.from({ length: total }, (_, k) => k + 1));
        expect(socket.events(room).map((event) => event.message.id)).toEqual(reference);
      }
      const acked = senders.flatMap((sender) => [...sender.acked.values()]);
      expect(new Set(acked.map((ack) => ack.id))).toEqual(new Set(reference));
    } finally {
      for (const sender of senders) sender.close();
    }
  }, 60_000);

  it('loses and repeats nothing while the instances restart one after the other', async ({ annotate }) => {
    const tag = runTag();
    const room = 'partners';
    const people = await Promise.all(
      Array.from({ length: 6 }, (_, i) => registerMember(nginx!.url, `roll_${tag}_${i}`, client())),
    );
    for (const member of people) await joinRoom(nginx!.url, member, room);

    // Every close a client saw, and how long it took to be back on a subscribed socket.
    const closeCodes: number[] = [];
    const gaps: number[] = [];
    const droppedAt = new Map<string, number>();
    const connectTracked = async (member: Member) => {
      const socket = await connect(member, room);
      const since = droppedAt.get(member.username);
      if (since !== undefined) gaps.push(Date.now() - since);
      droppedAt.delete(member.username);
      socket.onClose((code) => {
        closeCodes.push(code);
        droppedAt.set(member.username, Date.now());
      });
      return socket;
    };

    // A steady stream (one new message per member every 40 ms at most), bounded in count.
    const senders = people.map(
      (member) =>
        new Sender(member, planMessages(member, tag, 2_500, [room]), {
          inFlight: 2,
          gapMs: 40,
          reconnect: () => connectTracked(member),
        }),
    );
    const ackedNow = () => senders.map((sender) => sender.acked.size);
    const movedOnSince = (counts: number[], by: number) => senders.every((s, i) => s.acked.size >= counts[i]! + by);
    const describe = () => senders.map((s) => s.describe()).join('; ');
    try {
      const sockets = await Promise.all(people.map((member) => connectTracked(member)));
      senders.forEach((sender, i) => sender.attach(sockets[i]!));
      await waitUntil(() => movedOnSince(Array(6).fill(0), 10), 20_000, 'every member sending', describe);

      for (const index of [0, 1]) {
        const old = instances[index]!;
        await old.stop(); // SIGTERM: Kindred closes its sockets with 1012 and finishes what it was doing
        instances[index] = await startPlatform({ env, port: old.port });
        // Every client is back on a socket and has had sends acknowledged since.
        const counts = ackedNow();
        await waitUntil(
          () => senders.every((sender) => sender.socket?.open === true) && movedOnSince(counts, 5),
          20_000,
          `every client back after instance ${index === 0 ? 'A' : 'B'} restarted`,
          describe,
        );
      }
      for (const sender of senders) sender.stopNew();
      await waitUntil(() => senders.every((sender) => sender.done), 30_000, 'every send answered', describe);
      await delay(300); // room for a late duplicate to show up

      expect(senders.flatMap((sender) => [...sender.refused.values()])).toEqual([]);
      expect(senders.flatMap((sender) => sender.ackConflicts)).toEqual([]);
      // The restarts reached every client, and the proxy passed Kindred's 1012 on to them.
      expect(senders.map((sender) => sender.reconnects >= 1)).toEqual(Array(6).fill(true));
      expect(closeCodes).toContain(CLOSE_SERVICE_RESTART);

      // The room holds exactly the acknowledged messages, each once, at the seq its ack named.
      const acked = senders.flatMap((sender) => [...sender.acked.values()]);
      const { messages } = await readHistory(nginx!.url, people[0]!, room);
      expect(messages.map((message) => message.seq)).toEqual(Array.from({ length: acked.length }, (_, k) => k + 1));
      const bySeq = new Map(messages.map((message) => [message.seq, message]));
      for (const ack of acked) {
        expect(bySeq.get(ack.seq), `message for ${ack.clientId}`).toMatchObject({ id: ack.id, body: ack.body });
      }
      expect(new Set(messages.map((message) => message.body)).size).toBe(messages.length);

      const sentFrames = senders.reduce((n, sender) => n + sender.framesSent, 0);
      await annotate(
        `behind nginx: ${acked.length} acked (${sentFrames} send frames) across two rolling restarts, 0 lost, ` +
          `0 duplicated; close codes ${[...new Set(closeCodes)].join(', ')}; ${gaps.length} reconnects, ` +
          `longest ${Math.max(0, ...gaps)} ms`,
      );
    } finally {
      for (const sender of senders) sender.close();
    }
  }, 180_000);
});
