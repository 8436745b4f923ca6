// Chat keeps its promise through crashes: an acknowledged message is stored, exactly once, in a gapless
// seq, when the server process is killed mid-stream (embedded database) and when PostgreSQL itself
// restarts under load while Kindred keeps running. Clients behave as the protocol asks: they keep every
// unacknowledged clientId and resend it, same clientId and body, until it is acknowledged.
import { rm } from 'node:fs/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  ChatSocket,
  delay,
  errorCounts,
  joinRoom,
  planMessages,
  readHistory,
  registerMember,
  runTag,
  Sender,
  waitUntil,
  type Acked,
  type Member,
} from '../support/chat.ts';
import { copyOfReadyDataDir } from '../support/data-template.ts';
import { startPlatform, stopAll, type Platform } from '../support/platform.ts';
import { privatePostgresAvailable, startPrivatePostgres, type PrivatePostgres } from '../support/postgres.ts';

afterAll(() => stopAll());

const rooms = ['mothers', 'partners'];
const loadEnv = {
  MESSAGE_LIMIT_PER_MINUTE: '100000',
  REGISTER_LIMIT_PER_HOUR: '10000',
  REQUEST_LIMIT_PER_MINUTE: '100000',
};

async function registerMembers(platform: Platform, prefix: string, count: number): Promise<Member[]> {
  const members = await Promise.all(
    Array.from({ length: count }, (_, i) => registerMember(platform.url, `${prefix}_${i}`)),
  );
  await Promise.all(
    members.map(async (member) => {
      for (const room of rooms) await joinRoom(platform.url, member, room);
    }),
  );
  return members;
}

function allAcked(senders: Sender[]): Acked[] {
  return senders.flatMap((sender) => [...sender.acked.values()]);
}

/** Ack-level duplicates: a clientId acknowledged with two different messages. */
function ackConflicts(senders: Sender[]) {
  return senders.flatMap((sender) => sender.ackConflicts);
}

describe('a chat server killed mid-stream (embedded database)', () => {
  const members = 20;
  const perMember = 30;
  const killAfterAcks = 150;

  it('keeps every acknowledged message exactly once, in a gapless seq, after restart', async ({ annotate }) => {
    const started = Date.now();
    const phases: string[] = [];
    const phase = (name: string) => phases.push(`${name} ${((Date.now() - started) / 1000).toFixed(1)}`);
    const tag = runTag();
    // A copy of the run's ready data folder: what is tested is the restart after the crash, not a first start.
    const dataDir = await copyOfReadyDataDir('kindred-chat-crash-');
    const senders: Sender[] = [];
    const platforms: Platform[] = [];
    try {
      const first = await startPlatform({ env: loadEnv, dataDir });
      platforms.push(first);
      phase('started');
      const people = await registerMembers(first, `crash_${tag}`, members);
      phase('members');

      let killing: Promise<void> | undefined;
      let inFlightAtKill = 0;
      let ackedAtKill = 0;
      const onAck = () => {
        if (killing || allAcked(senders).length < killAfterAcks) return;
        // SIGKILL goes out synchronously, here, while the other members still have sends in flight.
        killing = first.kill();
        ackedAtKill = allAcked(senders).length;
        inFlightAtKill = senders.reduce((n, sender) => n + sender.unanswered, 0);
      };
      for (const member of people) {
        senders.push(new Sender(member, planMessages(member, tag, perMember, rooms), { inFlight: 3, onAck }));
      }
      const sockets = await Promise.all(people.map((member) => ChatSocket.connect(first.url, member)));
      senders.forEach((sender, i) => sender.attach(sockets[i]!));

      await waitUntil(
        () => killing !== undefined,
        20_000,
        `${killAfterAcks} acknowledgements before the kill`,
        () => senders.map((s) => s.describe()).join('; '),
      );
      await killing;
      phase('killed');
      await waitUntil(() => sockets.every((socket) => socket.closed !== undefined), 5_000, 'every socket closed');
      // Mid-stream for real: sends were waiting for their answer when the process died, and more were planned.
      expect(inFlightAtKill).toBeGreaterThan(0);
      expect(ackedAtKill).toBeLessThan(members * perMember);
      const ackedBeforeKill = new Map(allAcked(senders).map((acked) => [acked.clientId, acked]));

      // Same data folder, new process (and port): everyone reconnects and resends what was never acknowledged.
      const second = await startPlatform({ env: loadEnv, dataDir });
      platforms.push(second);
      phase('restarted');
      const lastSeqAfterRestart = new Map<string, number>();
      for (const room of rooms) {
        lastSeqAfterRestart.set(room, (await readHistory(second.url, people[0]!, room)).lastSeq);
      }
      const reconnected = await Promise.all(people.map((member) => ChatSocket.connect(second.url, member)));
      senders.forEach((sender, i) => sender.attach(reconnected[i]!));
      await waitUntil(
        () => senders.every((sender) => sender.done),
        30_000,
        'every planned message acknowledged after the restart',
        () => senders.map((s) => s.describe()).join('; '),
      );

      phase('all acked');
      // A send retried after the restart whose first attempt had been committed before the kill: it must
      // have been answered with the stored original (its seq is at most what the room held at restart).
      const recoveredOriginals = allAcked(senders).filter(
        (acked) => !ackedBeforeKill.has(acked.clientId) && acked.seq <= lastSeqAfterRestart.get(acked.room)!,
      ).length;

      // The original acknowledgement comes back for a clientId acknowledged before the kill.
      for (const [i, sender] of senders.entries()) {
        const earlier = [...sender.acked.values()].find((acked) => ackedBeforeKill.has(acked.clientId));
        if (!earlier) continue;
        const socket = reconnected[i]!;
        const from = socket.frames.length;
        socket.send({ type: 'send', room: earlier.room, clientId: earlier.clientId, body: earlier.body });
        const answer = await socket.next((f) => f.type === 'ack' && f.clientId === earlier.clientId, 5_000, from);
        expect((answer.message as { id: string }).id).toBe(earlier.id);
      }

      const acked = allAcked(senders);
      expect(senders.flatMap((sender) => [...sender.refused.values()])).toEqual([]);
      expect(ackConflicts(senders)).toEqual([]);
      expect(acked).toHaveLength(members * perMember);

      let stored = 0;
      let replayed = 0;
      for (const room of rooms) {
        const { messages, lastSeq } = await readHistory(second.url, people[0]!, room);
        stored += messages.length;
        // seq is exactly 1..N, and the room's lastSeq is N.
        expect(messages.map((m) => m.seq)).toEqual(Array.from({ length: messages.length }, (_, k) => k + 1));
        expect(lastSeq).toBe(messages.length);
        // No message and no clientId (each body names its own) stored twice.
        expect(new Set(messages.map((m) => m.id)).size).toBe(messages.length);
        expect(new Set(messages.map((m) => m.body)).size).toBe(messages.length);
        // Every acknowledged message is there, as acknowledged; nothing is there that was not acknowledged.
        const byId = new Map(messages.map((m) => [m.id, m]));
        const ackedHere = acked.filter((a) => a.room === room);
        for (const a of ackedHere) {
          expect(byId.get(a.id), `acked ${a.clientId} (${a.id}) is stored`).toMatchObject({
            seq: a.seq,
            body: a.body,
            room,
          });
        }
        expect(messages).toHaveLength(ackedHere.length);

        // The event stream from the database agrees: a fresh subscription since 0 replays every event.
        const reader = await ChatSocket.connect(second.url, people[0]!);
        await reader.subscribe(room, 0);
        await waitUntil(() => reader.events(room).length >= lastSeq, 10_000, `replay of ${room}`);
        const events = reader.events(room);
        expect(events.map((e) => e.seq)).toEqual(messages.map((m) => m.seq));
        expect(events.map((e) => e.message.id)).toEqual(messages.map((m) => m.id));
        replayed += events.length;
        reader.close();
      }
      expect(stored).toBe(members * perMember);
      expect(replayed).toBe(stored);

      phase('checked');
      await second.stop();
      await annotate(
        `PGlite SIGKILL: ${acked.length} acked (${ackedAtKill} before the kill, ${inFlightAtKill} unanswered at the kill, ` +
          `${recoveredOriginals} answered after restart with the original stored before the kill), ${stored} stored, ` +
          `0 lost, 0 duplicates, ${senders.reduce((n, s) => n + s.framesSent, 0)} send frames; phases (s): ${phases.join(', ')}`,
      );
    } catch (error) {
      const logs = platforms.map(
        (p, i) => `--- Kindred ${i + 1} (${p.exitStatus() ?? 'running'}) ---\n${p.logs().slice(-4_000)}`,
      );
      throw new Error(`${error instanceof Error ? error.message : String(error)}\n${logs.join('\n')}`, {
        cause: error,
      });
    } finally {
      for (const sender of senders) sender.close();
      await stopAll();
      await rm(dataDir, { recursive: true, force: true, maxRetries: 3 });
    }
  }, 90_000); // 20–39 s measured at load 9–14 on 2 cores, half of it the first PGlite start (initdb, migrations)
});

describe.skipIf(!privatePostgresAvailable)('PostgreSQL restarted under load, Kindred kept running', () => {
  let postgres: PrivatePostgres | undefined;

  beforeAll(async () => {
    postgres = await startPrivatePostgres();
    await postgres.adminQuery('CREATE DATABASE kindred');
  }, 60_000);

  afterAll(async () => {
    await stopAll();
    await postgres?.remove();
  });

  const members = 12;
  const maxPerMember = 150;
  const restartAfterAcks = 120;
  /** How long PostgreSQL stays down, between `pg_ctl stop -m immediate` returning and `pg_ctl start`. */
  const outageMs = 700;

  it('acknowledges every send once PostgreSQL is back, each ack a stored row, no duplicates, seq gapless', async ({
    annotate,
  }) => {
    const started = Date.now();
    const phases: string[] = [];
    const phase = (name: string) => phases.push(`${name} ${((Date.now() - started) / 1000).toFixed(1)}`);
    const pgServer = postgres!;
    const tag = runTag();
    const platform = await startPlatform({ env: { ...loadEnv, DATABASE_URL: pgServer.url('kindred') } });
    phase('started');
    const people = await registerMembers(platform, `pgr_${tag}`, members);
    const [readerMember] = await registerMembers(platform, `pgr_${tag}_reader`, 1);
    phase('members');

    // A member who only reads: subscribed from the start, through the outage, to the end.
    const reader = await ChatSocket.connect(platform.url, readerMember!);
    for (const room of rooms) await reader.subscribe(room, 0);

    const connect = (member: Member) => () => ChatSocket.connect(platform.url, member, platform.url, 3_000);
    const senders = people.map(
      (member) =>
        new Sender(member, planMessages(member, tag, maxPerMember, rooms), {
          inFlight: 3,
          retryDelayMs: 150,
          answerTimeoutMs: 8_000,
          reconnect: connect(member),
        }),
    );
    try {
      const sockets = await Promise.all(people.map((member) => connect(member)()));
      senders.forEach((sender, i) => sender.attach(sockets[i]!));
      await waitUntil(
        () => allAcked(senders).length >= restartAfterAcks,
        20_000,
        `${restartAfterAcks} acknowledgements before the restart`,
        () => senders.map((s) => s.describe()).join('; '),
      );

      // The database goes away without a goodbye while sends are in flight, stays away a moment, comes back.
      const outageStarted = Date.now();
      const ackedBeforeOutage = allAcked(senders).length;
      await pgServer.stop('immediate');
      const stopMs = Date.now() - outageStarted;
      const ackedAtStop = allAcked(senders).length;
      const readyDuringOutage = await api(platform.url, '/api/ready').then(
        (response) => response.status,
        (error: unknown) => `no answer (${String(error)})`,
      );
      await delay(outageMs);
      const ackedWhileDown = allAcked(senders).length - ackedAtStop;
      const startIssued = Date.now();
      await pgServer.start();
      const startMs = Date.now() - startIssued;
      // Kindred itself lives through its database's crash, and says it is not ready while the database is away.
      expect(platform.exitStatus(), 'Kindred exited while PostgreSQL was down').toBeUndefined();
      expect(readyDuringOutage).toBe(503);

      // Load goes on a little after the database is back, then no new messages: only retries until done.
      await delay(1_500);
      for (const sender of senders) sender.stopNew();
      await waitUntil(
        () => senders.every((sender) => sender.done),
        30_000,
        'every send acknowledged after PostgreSQL came back (Kindred not restarted)',
        () => senders.map((s) => s.describe()).join('; '),
      );
      const recoveredMs = Date.now() - outageStarted;
      phase('all acked');

      const acked = allAcked(senders);
      const attempted = senders.reduce((n, sender) => n + sender.attempted, 0);
      const errors = errorCounts(senders);
      expect(senders.flatMap((sender) => [...sender.refused.values()])).toEqual([]);
      expect(ackConflicts(senders)).toEqual([]);
      expect(acked).toHaveLength(attempted);
      // The outage really met sends in flight: some were refused as unavailable or went unanswered.
      expect((errors.unavailable ?? 0) + (errors.timeout ?? 0) + (errors.internal ?? 0)).toBeGreaterThan(0);
      expect((await api(platform.url, '/api/ready')).status).toBe(200);

      // What PostgreSQL holds, read directly.
      const client = new pg.Client({ connectionString: pgServer.url('kindred') });
      await client.connect();
      let storedTotal = 0;
      try {
        for (const room of rooms) {
          const { rows: roomRows } = await client.query<{ id: string; last_seq: string }>(
            'SELECT id, last_seq FROM rooms WHERE slug = $1',
            [room],
          );
          const roomId = roomRows[0]!.id;
          const { rows } = await client.query<{
            id: string;
            seq: string;
            author_id: string;
            client_id: string;
            body: string;
          }>('SELECT id, seq, author_id, client_id, body FROM messages WHERE room_id = $1 ORDER BY seq', [roomId]);
          const { rows: eventRows } = await client.query<{ seq: string; message_id: string; kind: string }>(
            'SELECT seq, message_id, kind FROM room_events WHERE room_id = $1 ORDER BY seq',
            [roomId],
          );
          storedTotal += rows.length;
          const seqs = rows.map((row) => Number(row.seq));
          expect(seqs).toEqual(Array.from({ length: rows.length }, (_, k) => k + 1));
          expect(Number(roomRows[0]!.last_seq)).toBe(rows.length);
          expect(eventRows.map((row) => [Number(row.seq), row.message_id, row.kind])).toEqual(
            rows.map((row) => [Number(row.seq), row.id, 'created']),
          );
          const keys = rows.map((row) => `${row.author_id}:${row.client_id}`);
          expect(new Set(keys).size).toBe(rows.length);

          const byId = new Map(rows.map((row) => [row.id, row]));
          const ackedHere = acked.filter((a) => a.room === room);
          for (const a of ackedHere) {
            const member = people.find((p) => a.clientId.startsWith(`${tag}-${p.username}-`))!;
            const row = byId.get(a.id);
            expect(row, `acked ${a.clientId} (${a.id}) is a stored row`).toBeDefined();
            expect([Number(row!.seq), row!.client_id, row!.author_id, row!.body]).toEqual([
              a.seq,
              a.clientId,
              member.id,
              a.body,
            ]);
          }
          expect(rows).toHaveLength(ackedHere.length);

          // The reader, subscribed throughout, saw every event once, in order, without reconnecting.
          await waitUntil(
            () => reader.events(room).length >= rows.length,
            10_000,
            `live events of ${room} reach the reader`,
            () => `reader has ${reader.events(room).length} of ${rows.length}`,
          );
          expect(reader.events(room).map((e) => [e.seq, e.message.id])).toEqual(
            rows.map((row) => [Number(row.seq), row.id]),
          );
        }
      } finally {
        await client.end();
      }
      expect(storedTotal).toBe(acked.length);
      expect(reader.closed).toBeUndefined();

      phase('checked');
      await annotate(
        `PostgreSQL immediate restart: ${acked.length} acked, ${storedTotal} stored, 0 lost, 0 duplicates; ` +
          `${ackedBeforeOutage} acked before the stop, ${ackedAtStop - ackedBeforeOutage} while it ran, ` +
          `${ackedWhileDown} while down; pg_ctl stop ${stopMs} ms, down ${outageMs} ms, pg_ctl start ${startMs} ms; ` +
          `all acked ${recoveredMs} ms after the stop began; errors ${JSON.stringify(errors)}; ` +
          `${senders.reduce((n, s) => n + s.reconnects, 0)} reconnects; phases (s): ${phases.join(', ')}`,
      );
    } catch (error) {
      const pgLog = (await pgServer.log()).slice(-4_000);
      throw new Error(
        `${error instanceof Error ? error.message : String(error)}\n--- Kindred ---\n${platform.logs().slice(-4_000)}\n--- PostgreSQL ---\n${pgLog}`,
        { cause: error },
      );
    } finally {
      for (const sender of senders) sender.close();
      reader.close();
      await platform.stop();
    }
  }, 60_000);
});
