// One member's write never fails another's. The writer stores a batch in one statement, so a value the
// database refuses would fail everyone in it: it is found and refused alone (validation), logged without
// what anyone wrote, and the rest of the batch is stored in arrival order. Over the socket, any frame the
// gateway accepts is stored as sent or refused on its own, whatever it holds.
import { PassThrough } from 'node:stream';
import { schema } from '@kindred/db';
import { asc, eq, inArray } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ChatWriter, type CommittedRange, type WriteOp, type WriteResult } from '../src/chat/writer.ts';
import {
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
let logs = '';
const open: TestSocket[] = [];

beforeAll(async () => {
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => (logs += chunk.toString()));
  t = await createTestApp(
    {
      messageLimitPerMinute: 100_000,
      limitOverrides: { rooms: 100_000 },
      logLevel: 'info',
    },
    stream,
  );
  base = await listen(t.app);
  admin = await registerMember(t.app, { username: 'isolation_admin' });
  await makeAdmin(t, admin);
});
afterEach(() => {
  for (const socket of open.splice(0)) socket.close();
});
afterAll(() => t.close());

const newRoom = (): Promise<{ slug: string; id: string }> => createRoom(t.app, admin, 'isolation');

const memberOf = (slug: string): Promise<Member> => joinedMember(t.app, slug);

const authorOf = (member: Member) => ({ id: member.user.id, isAdmin: false, joinedAt: new Date(0) });

describe('the writer', () => {
  it('refuses alone the writes the database refuses, stores the rest of the batch in order, and logs no words', async () => {
    const room = await newRoom();
    const members = await Promise.all(Array.from({ length: 4 }, () => memberOf(room.slug)));
    const committed: CommittedRange[] = [];
    const writer = new ChatWriter({
      db: t.database.writerDb,
      now: t.clock.now,
      onCommitted: (ranges) => committed.push(...ranges),
      log: t.app.log,
    });
    const send = (member: Member, body: string, clientId: string): WriteOp => ({
      kind: 'send',
      author: authorOf(member),
      roomSlug: room.slug,
      clientId,
      body,
    });
    const [first, second] = await Promise.all([
      writer.submit(send(members[0]!, 'the first words', 'before-1')),
      writer.submit(send(members[1]!, 'the second words', 'before-2')),
    ]);
    const firstId = (first as Extract<WriteResult, { ok: true }>).message.id;
    const secondId = (second as Extract<WriteResult, { ok: true }>).message.id;

    // Values the schemas at the border refuse, pushed at the writer directly: what a gap in validation
    // would let through. In one turn of the event loop, so they all go in one batch.
    const secret = 'a private sentence nobody may log';
    const ops: WriteOp[] = [];
    const bad = new Set<number>();
    for (let i = 0; i < 12; i += 1) {
      if (i === 3) bad.add(ops.push(send(members[3]!, `${secret}\u0000`, 'nul-body')) - 1);
      if (i === 7) {
        const urn = `urn:uuid:${firstId}`;
        bad.add(
          ops.push({ kind: 'react', author: authorOf(members[2]!), messageId: urn, reaction: 'love', on: true }) - 1,
        );
      }
      if (i === 9) {
        const edit: WriteOp = {
          kind: 'edit',
          author: authorOf(members[1]!),
          messageId: secondId,
          body: `${secret}\u0000`,
        };
        bad.add(ops.push(edit) - 1);
      }
      ops.push(send(members[i % 4]!, `good words ${i}`, `good-${i}`));
    }
    const results = await Promise.all(ops.map((op) => writer.submit(op)));
    await writer.close();

    for (const [i, result] of results.entries()) {
      if (bad.has(i)) expect(result, `op ${i}`).toMatchObject({ ok: false, code: 'validation' });
      else expect(result, `op ${i}`).toMatchObject({ ok: true });
    }
    // Every good message stored, in the order it arrived, each with the seq it was acknowledged with.
    const stored = await t.database.db
      .select({ body: schema.messages.body, seq: schema.messages.seq })
      .from(schema.messages)
      .where(eq(schema.messages.roomId, room.id))
      .orderBy(asc(schema.messages.seq));
    const goodBodies = Array.from({ length: 12 }, (_, i) => `good words ${i}`);
    expect(stored.map((m) => m.body)).toEqual(['the first words', 'the second words', ...goodBodies]);
    expect(stored.map((m) => m.seq)).toEqual(Array.from({ length: 14 }, (_, i) => i + 1));
    const acked = results.filter((r): r is Extract<WriteResult, { ok: true }> => r.ok);
    expect(acked.map((r) => r.message.seq)).toEqual(Array.from({ length: 12 }, (_, i) => i + 3));
    // The feeds heard of every seq committed, and nothing else.
    const announced = committed.flatMap((r) => r.events.map((e) => e.seq)).sort((a, b) => a - b);
    expect(announced).toEqual(Array.from({ length: 14 }, (_, i) => i + 1));
    const [edited] = await t.database.db.select().from(schema.messages).where(eq(schema.messages.id, secondId));
    expect(edited!.body).toBe('the second words');
    expect(await t.database.db.select().from(schema.reactions).where(eq(schema.reactions.messageId, firstId))).toEqual(
      [],
    );

    // Each refusal is logged, with what kind of write and the database's reason, never the words.
    const refusals = logs
      .split('\n')
      .filter((line) => line.includes('chat write refused by the database'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(refusals.map((entry) => entry.kind).sort()).toEqual(['edit', 'react', 'send']);
    for (const entry of refusals) expect(entry.sqlState).toMatch(/^2[23]/);
    expect(logs).not.toContain(secret);
    expect(logs).not.toContain(firstId);
  });
});

describe('any frame, among others', () => {
  it('is stored as sent or refused alone, while everyone else’s words are all stored', async () => {
    const room = await newRoom();
    const fuzzer = await memberOf(room.slug);
    const others = await Promise.all([memberOf(room.slug), memberOf(room.slug)]);
    const sockets = await Promise.all([fuzzer, ...others].map((m) => connect(base, m)));
    open.push(...sockets);
    for (const s of sockets) expect((await s.subscribe(room.slug)).type).toBe('subscribed');
    const [mine, ...theirs] = sockets as [TestSocket, ...TestSocket[]];

    let counter = 0;
    const fresh = (what: string) => `${what}-${(counter += 1)}`;
    const answerTo = (socket: TestSocket, from: number, clientId: string) =>
      socket.next(
        (f) => (f.type === 'ack' || f.type === 'error') && (f.clientId === clientId || f.ref === clientId),
        10_000,
        from,
      );

    // Messages for the frames to name: some of the fuzzer's own (editable, deletable), some of others'.
    const known: string[] = [];
    for (const [i, s] of sockets.entries()) {
      const clientId = fresh('seed');
      const from = s.frames.length;
      s.send({ type: 'send', room: room.slug, clientId, body: `seed ${i}` });
      known.push(((await answerTo(s, from, clientId)).message as { id: string }).id);
    }

    const awkward = fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.string({ unit: 'binary', maxLength: 12 }),
      fc.string({
        unit: fc.constantFrom('\u0000', '\uD800', '\uDBFF', '\uDC00', '\uDFFF', '\u202E', '\u200B', 'a', ' ', '😀'),
        maxLength: 8,
      }),
      fc.constantFrom('x'.repeat(4000), 'x'.repeat(4001), '😀'.repeat(2000), '😀'.repeat(2001)),
    );
    const id = fc.oneof(
      fc.constantFrom(...known),
      fc.uuid(),
      fc.uuid().map((u) => `urn:uuid:${u}`),
      fc.uuid().map((u) => u.toUpperCase()),
      fc.constantFrom(...known).map((u) => `{${u}}`),
      awkward,
    );
    const frame = fc.oneof(
      fc.record({
        type: fc.constant('send'),
        room: fc.constant(room.slug),
        clientId: fc.oneof(fc.constant('<fresh>'), awkward),
        body: awkward,
        replyTo: fc.option(id, { nil: undefined }),
      }),
      fc.record({ type: fc.constant('edit'), messageId: id, body: awkward }),
      fc.record({ type: fc.constant('react'), messageId: id, kind: fc.constantFrom('heart', 'hug', 'candle') }),
      fc.record({ type: fc.constant('delete'), messageId: id }),
    );

    const sentBodies = new Map<string, string>(); // the fuzzer's clientId -> the body first stored with it
    await fc.assert(
      fc.asyncProperty(frame, async (generated) => {
        const odd: Record<string, unknown> = { ...generated };
        if (odd.clientId === '<fresh>') odd.clientId = fresh('fuzz');
        // The fuzzer's frame between two good ones of its own, and good ones from the others at once.
        const goods = sockets.map(() => [fresh('good'), fresh('good')] as const);
        const starts = sockets.map((s) => s.frames.length);
        const good = (clientId: string) => ({ type: 'send', room: room.slug, clientId, body: `good ${clientId}` });
        mine.sendTogether([good(goods[0]![0]), odd, good(goods[0]![1])]);
        theirs.forEach((s, i) => s.sendTogether([good(goods[i + 1]![0]), good(goods[i + 1]![1])]));

        const goodAnswers = await Promise.all(
          sockets.flatMap((s, i) => goods[i]!.map((clientId) => answerTo(s, starts[i]!, clientId))),
        );
        for (const answer of goodAnswers) expect(answer, JSON.stringify(answer)).toMatchObject({ type: 'ack' });
        const goodIds = goodAnswers.map((a) => (a.message as { id: string }).id);
        const storedGood = await t.database.db
          .select({ id: schema.messages.id, body: schema.messages.body })
          .from(schema.messages)
          .where(inArray(schema.messages.id, goodIds));
        expect(storedGood).toHaveLength(goodIds.length);
        for (const m of storedGood) expect(m.body).toMatch(/^good good-\d+$/);

        // The odd frame's one answer: anything for the fuzzer that is not about its two good frames.
        const answer = await mine.next(
          (f: Frame) =>
            ['ack', 'done', 'error'].includes(f.type) &&
            f.clientId !== goods[0]![0] &&
            f.clientId !== goods[0]![1] &&
            f.ref !== goods[0]![0] &&
            f.ref !== goods[0]![1],
          10_000,
          starts[0],
        );
        if (answer.type === 'error') {
          expect(['unavailable', 'internal'], JSON.stringify(answer)).not.toContain(answer.code);
          return;
        }
        if (odd.type === 'send') {
          const messageId = (answer.message as { id: string }).id;
          const [stored] = await t.database.db.select().from(schema.messages).where(eq(schema.messages.id, messageId));
          const clientId = String(odd.clientId);
          if (!sentBodies.has(clientId)) sentBodies.set(clientId, String(odd.body));
          expect(stored?.body).toBe(sentBodies.get(clientId));
        } else if (odd.type === 'edit') {
          const [stored] = await t.database.db
            .select()
            .from(schema.messages)
            .where(eq(schema.messages.id, String(odd.messageId)));
          expect(stored?.body).toBe(odd.body);
        }
      }),
      { numRuns: 20 },
    );
  });
});
