// Two Kindred processes on one PostgreSQL database, as behind a load balancer without sticky sessions:
// members on either instance see one room as one conversation (the same events, the same seq order), and
// a session ended through one instance ends its sockets on the other too.
import { CLOSE_SESSION_ENDED } from '@kindred/shared';
import { createPostgresDatabase } from '@kindred/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ChatSocket,
  delay,
  joinRoom,
  logout,
  planMessages,
  registerMember,
  runTag,
  Sender,
  waitUntil,
  type Member,
} from '../support/chat.ts';
import { startPlatform, stopAll, type Platform } from '../support/platform.ts';

const serverUrl = process.env.TEST_DATABASE_URL;

describe.skipIf(!serverUrl)('two instances on one PostgreSQL database', () => {
  let database: { url: string; drop(): Promise<void> } | undefined;
  let a: Platform;
  let b: Platform;
  const open: ChatSocket[] = [];

  beforeAll(async () => {
    database = await createPostgresDatabase(serverUrl!);
    const env = {
      DATABASE_URL: database.url,
      MESSAGE_LIMIT_PER_MINUTE: '100000',
      REGISTER_LIMIT_PER_HOUR: '10000',
      REQUEST_LIMIT_PER_MINUTE: '100000',
    };
    // A first: it runs the migrations; B then starts on a migrated database.
    a = await startPlatform({ env });
    b = await startPlatform({ env });
  }, 120_000);

  afterAll(async () => {
    for (const socket of open) socket.close();
    await stopAll();
    await database?.drop();
  });

  /** A socket of `member` on `platform`, with that instance's own origin. */
  async function socketOn(platform: Platform, member: Member): Promise<ChatSocket> {
    const socket = await ChatSocket.connect(platform.url, member, platform.url);
    open.push(socket);
    return socket;
  }

  it('gives members on both instances every event, in the same seq order 1..N', async ({ annotate }) => {
    const started = Date.now();
    const tag = runTag();
    const room = 'mothers';
    const perMember = 20;
    const people = await Promise.all(
      Array.from({ length: 6 }, (_, i) => registerMember(i % 2 ? b.url : a.url, `inst_${tag}_${i}`)),
    );
    for (const [i, member] of people.entries()) await joinRoom(i % 2 ? b.url : a.url, member, room);

    // Three members on A, three on B; everyone both writes and reads.
    const sockets = await Promise.all(people.map((member, i) => socketOn(i < 3 ? a : b, member)));
    const subscribed = await Promise.all(sockets.map((socket) => socket.subscribe(room)));
    expect(subscribed.map((frame) => frame.lastSeq)).toEqual(Array(6).fill(0));

    const senders = people.map(
      (member) => new Sender(member, planMessages(member, tag, perMember, [room]), { inFlight: 3 }),
    );
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
        () => sockets.map((socket, i) => `${i < 3 ? 'A' : 'B'}${i}: ${socket.events(room).length}`).join(', '),
      );
      await delay(300); // room for a duplicate to show up
      const sentFrames = senders.reduce((n, s) => n + s.framesSent, 0);

      expect(senders.flatMap((sender) => [...sender.refused.values()])).toEqual([]);
      expect(senders.flatMap((sender) => sender.ackConflicts)).toEqual([]);
      const acked = senders.flatMap((sender) => [...sender.acked.values()]);
      expect(acked).toHaveLength(total);

      const reference = sockets[0]!.events(room);
      const expectedSeqs = Array.from({ length: total }, (_, k) => k + 1);
      for (const [i, socket] of sockets.entries()) {
        const events = socket.events(room);
        expect(
          events.map((e) => e.seq),
          `seqs on socket ${i} (${i < 3 ? 'A' : 'B'})`,
        ).toEqual(expectedSeqs);
        expect(
          events.map((e) => e.message.id),
          `message at each seq on socket ${i}`,
        ).toEqual(reference.map((e) => e.message.id));
        expect(events.every((e) => e.kind === 'created' && e.message.seq === e.seq)).toBe(true);
      }
      // The events are exactly the acknowledged messages, each at the seq its ack named.
      const bySeq = new Map(reference.map((e) => [e.seq, e.message]));
      for (const ack of acked)
        expect(bySeq.get(ack.seq), `event for ${ack.clientId}`).toMatchObject({ id: ack.id, body: ack.body });

      await annotate(
        `two instances: ${acked.length} acked (${sentFrames} send frames), ${sockets.length} receivers × ${total} events, ` +
          `same order everywhere, 0 lost, 0 duplicates; ${((Date.now() - started) / 1000).toFixed(1)} s`,
      );
    } finally {
      for (const sender of senders) sender.close();
    }
  }, 60_000);

  it('closes a session’s sockets on both instances with 4401 when it signs out through one', async () => {
    const tag = runTag();
    const leaving = await registerMember(a.url, `bye_${tag}`);
    const staying = await registerMember(a.url, `stay_${tag}`);
    for (const member of [leaving, staying]) await joinRoom(a.url, member, 'partners');

    const onA = await socketOn(a, leaving);
    const onB = await socketOn(b, leaving);
    const otherOnB = await socketOn(b, staying);
    for (const socket of [onA, onB, otherOnB]) await socket.subscribe('partners');

    expect(await logout(a.url, leaving)).toBe(204);
    // On B the news can only have come over the control channel between instances.
    expect(await onB.waitClosed(5_000)).toBe(CLOSE_SESSION_ENDED);
    expect(await onA.waitClosed(5_000)).toBe(CLOSE_SESSION_ENDED);

    // Nobody else's socket is touched, and the ended session cannot open a new one on either instance.
    await delay(200);
    expect(otherOnB.closed).toBeUndefined();
    const from = otherOnB.frames.length;
    otherOnB.send({ type: 'send', room: 'partners', clientId: `${tag}-still-here`, body: 'Still here with you.' });
    expect(
      (await otherOnB.next((f) => f.clientId === `${tag}-still-here` || f.type === 'error', 5_000, from)).type,
    ).toBe('ack');
    for (const platform of [a, b]) {
      await expect(ChatSocket.connect(platform.url, leaving, platform.url)).rejects.toMatchObject({ status: 401 });
    }
  }, 60_000);
});
