// The write path of chat. Sends, edits, deletes and reactions queue here; while one batch is being
// committed the next ones wait, then all go in one transaction: rules checked in a few set-wise queries,
// one `UPDATE rooms … RETURNING last_seq` per batch assigns every seq, multi-row inserts store messages
// and events, and (on PostgreSQL) one NOTIFY per batch tells other instances. A NOTIFY per message
// would serialize every commit on PostgreSQL's notify lock; one INSERT per message costs the throughput
// group commit wins back. Nothing is acknowledged before its commit.
import { schema, sqlState, UNIQUE_VIOLATION, type Database } from '@kindred/db';
import type { ErrorCode, ReactionKind } from '@kindred/shared';
import { and, eq, inArray, or, sql } from 'drizzle-orm';
import { loadMessageViews, prepareEvent, type MessageView, type PreparedEvent } from './messages.ts';

const { blocks, memberships, messages, reactions, roomEvents, roomMutes, rooms } = schema;

export interface Author {
  id: string;
  isAdmin: boolean;
  /** When the account was made: new members may not post links for a while (the sandbox). */
  joinedAt: Date;
}

export type WriteOp =
  | {
      kind: 'send';
      author: Author;
      roomSlug: string;
      clientId: string;
      body: string;
      replyTo?: string | undefined;
      contentWarnings?: string[] | undefined;
    }
  | { kind: 'edit'; author: Author; messageId: string; body: string; contentWarnings?: string[] | undefined }
  | { kind: 'delete'; author: Author; messageId: string }
  | { kind: 'react'; author: Author; messageId: string; reaction: ReactionKind; on: boolean };

export type WriteResult =
  | { ok: true; message: MessageView; roomId: string; duplicate?: boolean }
  | { ok: false; code: ErrorCode; message: string; until?: string };

/** What one committed batch changed in one room: handed to the feeds, and announced to other instances. */
export interface CommittedRange {
  roomId: string;
  from: number;
  to: number;
  events: PreparedEvent[];
}

export interface WriterOptions {
  db: Database;
  now: () => Date;
  /** Runs inside the transaction with the ranges it commits, e.g. to NOTIFY other instances. */
  announce?: (tx: Database, ranges: CommittedRange[]) => Promise<void>;
  /** Runs after commit with what was committed, in commit order. */
  onCommitted: (ranges: CommittedRange[]) => void;
  maxBatch?: number;
  /** How long after joining Kindred a member may not post links; 0 turns the sandbox off. */
  newMemberLinkWaitMs?: number;
}

// http(s) links, www. addresses and bare domains with a common top-level domain.
const LINK =
  /\b(?:https?:\/\/|www\.)\S+|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|net|org|info|io|co|uk|de|fr|ru|xyz|top|shop|biz|me|ly|gl|gg|app|link|site|online)\b(?:\/\S*)?/i;

export function containsLink(text: string): boolean {
  return LINK.test(text);
}

interface Pending {
  op: WriteOp;
  resolve: (result: WriteResult) => void;
}

const refuse = (code: ErrorCode, message: string, until?: Date): WriteResult => ({
  ok: false,
  code,
  message,
  ...(until ? { until: until.toISOString() } : {}),
});

export class ChatWriter {
  readonly #queue: Pending[] = [];
  #running = false;
  #closed = false;
  readonly #maxBatch: number;

  constructor(private readonly options: WriterOptions) {
    this.#maxBatch = options.maxBatch ?? 256;
  }

  submit(op: WriteOp): Promise<WriteResult> {
    if (this.#closed) return Promise.resolve(refuse('unavailable', 'Kindred is restarting. Please try again.'));
    return new Promise((resolve) => {
      this.#queue.push({ op, resolve });
      if (!this.#running) {
        this.#running = true;
        // Let the event loop read the other frames already waiting, so they join this batch. PGlite runs a
        // whole transaction without yielding, so without this every send would commit on its own.
        setImmediate(() => void this.#drain());
      }
    });
  }

  /** Stops taking new writes and waits for the queue to be committed. */
  async close(): Promise<void> {
    this.#closed = true;
    while (this.#running || this.#queue.length > 0) await new Promise((resolve) => setTimeout(resolve, 5));
  }

  async #drain(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue.splice(0, this.#maxBatch);
        await this.#commitWithRetry(batch);
        await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      this.#running = false;
    }
  }

  async #commitWithRetry(batch: Pending[]): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        const { results, ranges } = await this.#commit(batch.map((p) => p.op));
        // Feeds first, then acks: a sender never hears "ack" for an event its room has not been given.
        if (ranges.length > 0) this.options.onCommitted(ranges);
        batch.forEach((pending, i) => pending.resolve(results[i]!));
        return;
      } catch (error) {
        // A concurrent commit of the same clientId (another instance) loses the unique index race: the
        // next attempt finds the stored message and answers with it.
        // A deadlock with another instance's batch (40P01) is retried the same way: nothing was committed.
        const state = sqlState(error);
        if (attempt < 3 && (state === UNIQUE_VIOLATION || state === '40P01')) continue;
        for (const pending of batch) {
          pending.resolve(
            refuse('unavailable', 'We couldn’t save that just now. It’s kept on your device; please try again.'),
          );
        }
        return;
      }
    }
  }

  async #commit(ops: WriteOp[]): Promise<{ results: WriteResult[]; ranges: CommittedRange[] }> {
    const { db, now } = this.options;
    return db.transaction(async (txRaw) => {
      const tx = txRaw as unknown as Database;
      const at = now();
      const results: (WriteResult | undefined)[] = new Array(ops.length).fill(undefined);

      // 1. The messages that edits, deletes and reactions are about.
      const targetIds = [...new Set(ops.flatMap((op) => (op.kind === 'send' ? [] : [op.messageId])))];
      const replyIds = [...new Set(ops.flatMap((op) => (op.kind === 'send' && op.replyTo ? [op.replyTo] : [])))];
      const targetRows =
        targetIds.length + replyIds.length > 0
          ? await tx
              .select({
                id: messages.id,
                roomId: messages.roomId,
                authorId: messages.authorId,
                deletedAt: messages.deletedAt,
                hiddenAt: messages.hiddenAt,
                contentWarnings: messages.contentWarnings,
              })
              .from(messages)
              .where(inArray(messages.id, [...targetIds, ...replyIds]))
          : [];
      const targets = new Map(targetRows.map((row) => [row.id, row]));

      // 2. The rooms involved, by slug for sends and by id for the rest.
      const slugs = [...new Set(ops.flatMap((op) => (op.kind === 'send' ? [op.roomSlug] : [])))];
      const roomIds = [...new Set(targetRows.map((row) => row.roomId))];
      const roomRows = await tx
        .select({
          id: rooms.id,
          slug: rooms.slug,
          locked: rooms.locked,
          archivedAt: rooms.archivedAt,
          slowModeSeconds: rooms.slowModeSeconds,
        })
        .from(rooms)
        .where(
          or(
            slugs.length ? inArray(rooms.slug, slugs) : sql`false`,
            roomIds.length ? inArray(rooms.id, roomIds) : sql`false`,
          ),
        );
      const roomBySlug = new Map(roomRows.map((room) => [room.slug, room]));
      const roomById = new Map(roomRows.map((room) => [room.id, room]));

      // 3. Memberships of every (room, author) pair, in one query.
      const authorIds = [...new Set(ops.map((op) => op.author.id))];
      const memberRows = roomRows.length
        ? await tx
            .select({ roomId: memberships.roomId, userId: memberships.userId, role: memberships.role })
            .from(memberships)
            .where(and(inArray(memberships.roomId, [...roomById.keys()]), inArray(memberships.userId, authorIds)))
        : [];
      const roleOf = new Map(memberRows.map((row) => [`${row.roomId}:${row.userId}`, row.role]));
      const muteRows = roomRows.length
        ? await tx
            .select({ roomId: roomMutes.roomId, userId: roomMutes.userId, until: roomMutes.until })
            .from(roomMutes)
            .where(and(inArray(roomMutes.roomId, [...roomById.keys()]), inArray(roomMutes.userId, authorIds)))
        : [];
      const mutedUntil = new Map(
        muteRows.filter((row) => row.until > at).map((row) => [`${row.roomId}:${row.userId}`, row.until]),
      );
      // Blocks: nobody replies to or reacts to the words of a member who blocked them.
      const answeredAuthors = [
        ...new Set(
          ops.flatMap((op) => {
            const id = op.kind === 'send' ? op.replyTo : op.kind === 'react' ? op.messageId : undefined;
            const authorId = id ? targets.get(id)?.authorId : undefined;
            return authorId ? [authorId] : [];
          }),
        ),
      ];
      const blockRows = answeredAuthors.length
        ? await tx
            .select({ blockerId: blocks.blockerId, blockedId: blocks.blockedId })
            .from(blocks)
            .where(and(inArray(blocks.blockerId, answeredAuthors), inArray(blocks.blockedId, authorIds)))
        : [];
      const blockedPairs = new Set(blockRows.map((row) => `${row.blockerId}:${row.blockedId}`));

      // 4. Retries: a (author, clientId) already stored answers with the original message.
      const sends = ops.flatMap((op, i) => (op.kind === 'send' ? [{ op, i }] : []));
      const existing = sends.length
        ? await tx
            .select({ id: messages.id, authorId: messages.authorId, clientId: messages.clientId })
            .from(messages)
            .where(
              or(
                ...sends.map(({ op }) => and(eq(messages.authorId, op.author.id), eq(messages.clientId, op.clientId))),
              ),
            )
        : [];
      const existingByKey = new Map(existing.map((row) => [`${row.authorId}:${row.clientId}`, row.id]));

      // 5. Slow mode: when each author last wrote in each slow room.
      const slowRooms = roomRows.filter((room) => room.slowModeSeconds > 0).map((room) => room.id);
      const lastWritten = new Map<string, number>();
      if (slowRooms.length && sends.length) {
        const rows = await tx
          .select({
            roomId: messages.roomId,
            authorId: messages.authorId,
            last: sql<Date | string>`max(${messages.createdAt})`,
          })
          .from(messages)
          .where(and(inArray(messages.roomId, slowRooms), inArray(messages.authorId, authorIds)))
          .groupBy(messages.roomId, messages.authorId);
        for (const row of rows) lastWritten.set(`${row.roomId}:${row.authorId}`, new Date(row.last).getTime());
      }

      // 6. Decide each op; accepted ones get their room's next seq, in the order they arrived.
      const accepted: { i: number; roomId: string; eventKind: 'created' | 'updated'; messageId?: string }[] = [];
      const seenClientIds = new Set<string>();
      const duplicateOf = new Map<number, string>();
      for (const [i, op] of ops.entries()) {
        const decision = this.#decide(op, {
          at,
          targets,
          roomBySlug,
          roomById,
          roleOf,
          mutedUntil,
          existingByKey,
          lastWritten,
          blockedPairs,
        });
        if ('refused' in decision) {
          results[i] = decision.refused;
          continue;
        }
        if (decision.duplicateId) {
          duplicateOf.set(i, decision.duplicateId);
          continue;
        }
        if (op.kind === 'send') {
          const key = `${op.author.id}:${op.clientId}`;
          if (seenClientIds.has(key)) {
            duplicateOf.set(i, key); // resolved below to the message this batch creates
            continue;
          }
          seenClientIds.add(key);
          lastWritten.set(`${decision.roomId}:${op.author.id}`, at.getTime());
        }
        accepted.push({
          i,
          roomId: decision.roomId,
          eventKind: op.kind === 'send' ? 'created' : 'updated',
          ...(op.kind === 'send' ? {} : { messageId: op.messageId }),
        });
      }

      // 7. One statement reserves every seq this batch needs.
      const perRoom = new Map<string, number>();
      for (const a of accepted) perRoom.set(a.roomId, (perRoom.get(a.roomId) ?? 0) + 1);
      const nextSeq = new Map<string, number>();
      if (perRoom.size > 0) {
        // Lock the rooms in id order first, so two instances' batches touching the same rooms queue
        // behind each other instead of deadlocking.
        await tx.execute(
          sql`SELECT 1 FROM ${rooms} WHERE ${inArray(rooms.id, [...perRoom.keys()])} ORDER BY ${rooms.id} FOR UPDATE`,
        );
        const values = sql.join(
          [...perRoom].map(([roomId, n]) => sql`(${roomId}::uuid, ${n}::int)`),
          sql`, `,
        );
        const reserved = await tx.execute<{ id: string; last_seq: number | string }>(
          sql`UPDATE ${rooms} SET last_seq = ${rooms}.last_seq + v.n FROM (VALUES ${values}) AS v(id, n)
              WHERE ${rooms}.id = v.id RETURNING ${rooms}.id, ${rooms}.last_seq`,
        );
        for (const row of rowsOf<{ id: string; last_seq: number | string }>(reserved)) {
          nextSeq.set(row.id, Number(row.last_seq) - perRoom.get(row.id)! + 1);
        }
      }
      const seqOf = new Map<number, number>();
      for (const a of accepted) {
        const seq = nextSeq.get(a.roomId)!;
        nextSeq.set(a.roomId, seq + 1);
        seqOf.set(a.i, seq);
      }

      // 8. Store: new messages in one insert, then edits, deletes and reactions.
      const newMessages = accepted.filter((a) => ops[a.i]!.kind === 'send');
      if (newMessages.length) {
        const inserted = await tx
          .insert(messages)
          .values(
            newMessages.map((a) => {
              const op = ops[a.i] as Extract<WriteOp, { kind: 'send' }>;
              return {
                roomId: a.roomId,
                seq: seqOf.get(a.i)!,
                authorId: op.author.id,
                clientId: op.clientId,
                body: op.body,
                replyTo: op.replyTo ?? null,
                contentWarnings: op.contentWarnings ?? [],
                createdAt: at,
              };
            }),
          )
          .returning({ id: messages.id, seq: messages.seq, roomId: messages.roomId });
        const idBySeq = new Map(inserted.map((row) => [`${row.roomId}:${row.seq}`, row.id]));
        for (const a of newMessages) a.messageId = idBySeq.get(`${a.roomId}:${seqOf.get(a.i)}`)!;
      }
      for (const a of accepted) {
        const op = ops[a.i]!;
        if (op.kind === 'edit') {
          // An edit adds warnings; it never drops one (a moderator may have added it).
          const warnings = op.contentWarnings
            ? { contentWarnings: [...new Set([...targets.get(op.messageId)!.contentWarnings, ...op.contentWarnings])] }
            : {};
          await tx
            .update(messages)
            .set({ body: op.body, editedAt: at, ...warnings })
            .where(eq(messages.id, op.messageId));
        } else if (op.kind === 'delete') {
          await tx.update(messages).set({ body: '', deletedAt: at }).where(eq(messages.id, op.messageId));
        } else if (op.kind === 'react') {
          if (op.on) {
            await tx
              .insert(reactions)
              .values({ messageId: op.messageId, userId: op.author.id, kind: op.reaction, createdAt: at })
              .onConflictDoNothing();
          } else {
            await tx
              .delete(reactions)
              .where(
                and(
                  eq(reactions.messageId, op.messageId),
                  eq(reactions.userId, op.author.id),
                  eq(reactions.kind, op.reaction),
                ),
              );
          }
        }
      }
      if (accepted.length) {
        await tx.insert(roomEvents).values(
          accepted.map((a) => ({
            roomId: a.roomId,
            seq: seqOf.get(a.i)!,
            kind: a.eventKind,
            messageId: a.messageId!,
            createdAt: at,
          })),
        );
      }

      // 9. Read back every message this batch touched or answers with, as members see it.
      const createdByKey = new Map(
        newMessages.map((a) => {
          const op = ops[a.i] as Extract<WriteOp, { kind: 'send' }>;
          return [`${op.author.id}:${op.clientId}`, a.messageId!];
        }),
      );
      const duplicateIds = new Map<number, string>();
      for (const [i, ref] of duplicateOf) duplicateIds.set(i, createdByKey.get(ref) ?? ref);
      const views = await loadMessageViews(tx, [
        ...new Set([...accepted.map((a) => a.messageId!), ...duplicateIds.values()]),
      ]);

      const ranges = new Map<string, CommittedRange>();
      for (const a of accepted) {
        const view = views.get(a.messageId!)!;
        const seq = seqOf.get(a.i)!;
        const range = ranges.get(a.roomId) ?? { roomId: a.roomId, from: seq, to: seq, events: [] };
        range.to = seq;
        range.events.push(prepareEvent({ seq, kind: a.eventKind }, view));
        ranges.set(a.roomId, range);
        results[a.i] = { ok: true, message: view, roomId: a.roomId };
      }
      for (const [i, id] of duplicateIds) {
        const view = views.get(id);
        results[i] = view
          ? { ok: true, message: view, roomId: '', duplicate: true }
          : refuse('not_found', 'That message is gone.');
      }
      const committed = [...ranges.values()];
      if (committed.length && this.options.announce) await this.options.announce(tx, committed);
      return { results: results.map((r) => r ?? refuse('internal', 'Something went wrong.')), ranges: committed };
    });
  }

  #decide(
    op: WriteOp,
    state: {
      at: Date;
      targets: Map<
        string,
        {
          id: string;
          roomId: string;
          authorId: string | null;
          deletedAt: Date | null;
          hiddenAt: Date | null;
          contentWarnings: string[];
        }
      >;
      roomBySlug: Map<string, RoomFlags>;
      roomById: Map<string, RoomFlags>;
      roleOf: Map<string, string>;
      mutedUntil: Map<string, Date>;
      existingByKey: Map<string, string>;
      lastWritten: Map<string, number>;
      /** `blocker:blocked` pairs among the authors answered and the authors answering. */
      blockedPairs: Set<string>;
    },
  ): { roomId: string; duplicateId?: string } | { refused: WriteResult } {
    if (op.kind === 'send') {
      const duplicateId = state.existingByKey.get(`${op.author.id}:${op.clientId}`);
      if (duplicateId) return { roomId: '', duplicateId };
    }
    const target = op.kind === 'send' ? undefined : state.targets.get(op.messageId);
    if (op.kind !== 'send' && !target) return { refused: refuse('not_found', 'That message is no longer here.') };
    const room = op.kind === 'send' ? state.roomBySlug.get(op.roomSlug) : state.roomById.get(target!.roomId);
    if (!room) return { refused: refuse('not_found', 'There is no room at this address.') };
    const role = state.roleOf.get(`${room.id}:${op.author.id}`);
    if (!role) return { refused: refuse('not_a_member', 'Please join this room first.') };
    if (room.archivedAt)
      return { refused: refuse('room_archived', 'This room is closed now, so nothing new can be added.') };
    const until = state.mutedUntil.get(`${room.id}:${op.author.id}`);
    if (until && op.kind !== 'delete') {
      return { refused: refuse('muted', 'A moderator has paused your messages in this room for a while.', until) };
    }
    const steward = role === 'moderator' || op.author.isAdmin;
    if (room.locked && !steward) {
      return { refused: refuse('forbidden', 'This room is paused by its moderators for now. You can still read it.') };
    }
    switch (op.kind) {
      case 'send': {
        if (op.replyTo) {
          const parent = state.targets.get(op.replyTo);
          // A reply to someone who blocked the sender gets exactly the answer for a message that isn't here.
          if (!parent || parent.roomId !== room.id || state.blockedPairs.has(`${parent.authorId}:${op.author.id}`)) {
            return { refused: refuse('validation', 'The message you replied to is not in this room.') };
          }
        }
        const sandboxMs = this.options.newMemberLinkWaitMs ?? 0;
        if (sandboxMs > 0 && state.at.getTime() - op.author.joinedAt.getTime() < sandboxMs && containsLink(op.body)) {
          return {
            refused: refuse(
              'forbidden',
              'New members can share links after their first day here — it keeps spam out. Your words are kept; you can send them without the link.',
            ),
          };
        }
        if (room.slowModeSeconds > 0 && !steward) {
          const last = state.lastWritten.get(`${room.id}:${op.author.id}`);
          const waitMs = last === undefined ? 0 : last + room.slowModeSeconds * 1000 - state.at.getTime();
          if (waitMs > 0) {
            return {
              refused: refuse(
                'rate_limited',
                `This room is in slow mode: one message every ${room.slowModeSeconds} seconds. You can send again in ${Math.ceil(waitMs / 1000)} seconds.`,
              ),
            };
          }
        }
        return { roomId: room.id };
      }
      case 'edit':
      case 'delete':
        if (target!.authorId !== op.author.id) {
          return { refused: refuse('forbidden', 'You can only change your own messages.') };
        }
        if (target!.deletedAt) return { refused: refuse('not_found', 'That message was deleted.') };
        return { roomId: room.id };
      case 'react':
        if (target!.deletedAt || target!.hiddenAt || state.blockedPairs.has(`${target!.authorId}:${op.author.id}`)) {
          return { refused: refuse('not_found', 'That message is no longer here.') };
        }
        return { roomId: room.id };
    }
  }
}

interface RoomFlags {
  id: string;
  slug: string;
  locked: boolean;
  archivedAt: Date | null;
  slowModeSeconds: number;
}

function rowsOf<T>(result: unknown): T[] {
  return (result as { rows: T[] }).rows;
}
