// The write path of chat. Sends, edits, deletes and reactions queue here and are committed in batches
// (group commit): while one batch is being committed the next ones wait, then go together in two
// statements: one read gathers every fact the rules need (rooms, memberships, mutes, stored clientIds,
// slow mode, blocks), and one statement — atomic on its own, no transaction around it — locks the batch's
// rooms in id order, reserves their seqs with one `UPDATE rooms … RETURNING`, and inserts messages,
// changes, reactions and events from array parameters (`unnest`). The next batch's read goes to the
// database while this one is stored, and its statement as soon as this one has committed, so PostgreSQL
// stores it while this thread writes this one to sockets. (Batches side by side were tried: smaller
// batches, more commits, and PostgreSQL's CPU per message grew as the run went on; one at a time measured
// better.) Other instances hear of a
// batch from one NOTIFY after it commits (bus.ts), never one per message, and never inside the commit:
// PostgreSQL serializes notifying commits. One INSERT per message, or a statement per step, costs the
// throughput group commit wins back. Nothing is acknowledged before its commit.
import { sqlState, UNIQUE_VIOLATION, type Database } from '@kindred/db';
import type { ErrorCode, ReactionKind } from '@kindred/shared';
import { sql, type SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { v7 as timeOrderedUuid } from 'uuid';
import { loadMessageViews, prepareEvent, type MessageView, type PreparedEvent } from './messages.ts';
import type { WriterMetrics } from '../metrics/metrics.ts';
import { staffMarkOf } from './staff-marks.ts';
import { asMarkColour } from '../accounts/mark-colours.ts';

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
  /** Every event from..to, serialized; when false some could not be read back, and the feed reads them. */
  complete: boolean;
  events: PreparedEvent[];
}

/** Where the writer reports what it could not store: pino's logger (the app's) fits. */
export interface WriterLog {
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface WriterOptions {
  db: Database;
  log: WriterLog;
  now: () => Date;
  /** Runs after commit with what was committed, in commit order. */
  onCommitted: (ranges: CommittedRange[]) => void;
  maxBatch?: number;
  /** How long after joining Kindred a member may not post links; 0 turns the sandbox off. */
  newMemberLinkWaitMs?: number;
  /** Told each stored batch: its size, what it stored, how long it took (metrics/metrics.ts). */
  metrics?: WriterMetrics;
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

/** Ops taken from the queue together, with the read of their facts already under way. */
interface Batch {
  pending: Pending[];
  ops: WriteOp[];
  at: Date;
  facts: Promise<Facts>;
  flight: Flight;
}

/** A batch between the start of its statement and the hand-over of its events to the feeds. */
interface Flight {
  /** The rooms it writes to, known once its facts are read. */
  rooms: Set<string>;
  handedOver: Promise<void>;
  settle: () => void;
}

/** Rooms a batch may touch: the NOTIFY payload about it (~60 bytes a room) must stay under 8,000 bytes. */
const MAX_ROOMS_PER_BATCH = 64;

const refuse = (code: ErrorCode, message: string, until?: Date): WriteResult => ({
  ok: false,
  code,
  message,
  ...(until ? { until: until.toISOString() } : {}),
});

const UNAVAILABLE = refuse(
  'unavailable',
  'We couldn’t save that just now. It’s kept on your device; please try again.',
);
/** For the one write of a batch that the database itself refused, for what it holds. */
const REFUSED_BY_DATABASE = refuse(
  'validation',
  'That couldn’t be stored as it is, so it wasn’t sent. Please check it and try again.',
);

/** What one statement of a batch committed, and each op's answer (in the ops' order). */
interface Committed {
  results: WriteResult[];
  ranges: CommittedRange[];
  changed: Changed;
}

export class ChatWriter {
  readonly #queue: Pending[] = [];
  #running = false;
  #closed = false;
  readonly #maxBatch: number;
  /** Batches taken and not yet handed to the feeds, oldest first (at most three: see #drain). */
  readonly #flights: Flight[] = [];

  readonly #factsQuery: ReturnType<typeof prepareNamed>;
  readonly #storeQuery: ReturnType<typeof prepareNamed>;

  constructor(private readonly options: WriterOptions) {
    this.#maxBatch = options.maxBatch ?? 256;
    this.#factsQuery = prepareNamed(options.db, 'kindred_chat_facts', FACTS);
    this.#storeQuery = prepareNamed(options.db, 'kindred_chat_store', STORE);
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

  /** Writes waiting for a batch. */
  get queued(): number {
    return this.#queue.length;
  }

  /**
   * Settles once every batch in flight that writes to this room (being stored, or committed and not yet
   * delivered) has handed its events to the feeds, or failed; undefined when none writes there. Until
   * then, a read of the room's events from the database could take a committed batch's events before
   * they are published, showing each message as a later batch left it.
   */
  committing(roomId: string): Promise<void> | undefined {
    for (let i = this.#flights.length - 1; i >= 0; i -= 1) {
      if (this.#flights[i]!.rooms.has(roomId)) return this.#flights[i]!.handedOver;
    }
    return undefined;
  }

  #handOver(batch: Batch): void {
    batch.flight.settle();
    const at = this.#flights.indexOf(batch.flight);
    if (at >= 0) this.#flights.splice(at, 1);
  }

  /** Stops taking new writes and waits for the queue to be committed. */
  async close(): Promise<void> {
    this.#closed = true;
    while (this.#running || this.#queue.length > 0) await new Promise((resolve) => setTimeout(resolve, 5));
  }

  async #drain(): Promise<void> {
    try {
      let batch: Batch | undefined = this.#take();
      let stored = this.#commitWithRetry(batch);
      let ahead = this.#readAhead();
      while (batch) {
        const outcome = await stored;
        // Pipelined: the batch that queued meanwhile goes to the database before this one fans out, so
        // PostgreSQL stores it while this thread writes to sockets. It may commit before this batch's
        // events are published; nothing reads them from the database until then (`committing`: the feeds'
        // catch-up skips such a room, and other commits wait for the hand-over), so the next batch's
        // changes never show in this one's events (an edit's event showing the delete after it).
        let next: Batch | undefined = ahead ?? (this.#queue.length > 0 ? this.#take() : undefined);
        let nextStored = next ? this.#commitWithRetry(next, ahead ? outcome.changed : undefined) : undefined;
        // Everything before `next` is committed now, so only `next` is unseen by the read of the one after.
        ahead = next && this.#readAhead();
        outcome.deliver();
        this.#handOver(batch);
        await new Promise((resolve) => setImmediate(resolve));
        if (!next && this.#queue.length > 0) {
          next = this.#take();
          nextStored = this.#commitWithRetry(next);
          ahead = this.#readAhead();
        }
        batch = next;
        stored = nextStored!;
      }
    } finally {
      for (const flight of this.#flights.splice(0)) flight.settle();
      this.#running = false;
    }
  }

  /**
   * The next batch, taken while the one before it is stored so that its facts are read meanwhile and its
   * statement can go as soon as that one has committed. That read cannot see the batch being stored (not
   * committed yet): what it changes that the rules look at is applied to those facts before this batch is
   * decided (`applyChanged`).
   */
  #readAhead(): Batch | undefined {
    return this.#queue.length > 0 ? this.#take() : undefined;
  }

  #take(): Batch {
    const pending = this.#queue.splice(0, this.#batchLength());
    const ops = pending.map((p) => p.op);
    const at = this.options.now();
    const facts = this.#loadFacts(ops, at);
    facts.catch(() => {}); // awaited (and its failure handled) in #commitWithRetry
    let settle = () => {};
    const handedOver = new Promise<void>((resolve) => (settle = resolve));
    const flight: Flight = { rooms: new Set(), handedOver, settle };
    this.#flights.push(flight);
    return { pending, ops, at, facts, flight };
  }

  /**
   * How many queued ops the next batch takes: up to the maximum, stopping before an op that touches a row
   * an earlier op of the batch changes (see `claims`), and before a room past MAX_ROOMS_PER_BATCH (the
   * NOTIFY payload lists every room and must stay under PostgreSQL's 8,000 bytes).
   */
  #batchLength(): number {
    const exclusive = new Set<string>();
    const shared = new Set<string>();
    const roomKeys = new Set<string>();
    let n = 0;
    for (const { op } of this.#queue) {
      if (n >= this.#maxBatch) break;
      const claim = claims(op);
      if (claim.exclusive && (exclusive.has(claim.exclusive) || shared.has(claim.exclusive))) break;
      if (claim.shared && exclusive.has(claim.shared)) break;
      const roomKey = op.kind === 'send' ? `slug:${op.roomSlug}` : `message:${op.messageId}`;
      if (!roomKeys.has(roomKey) && roomKeys.size >= MAX_ROOMS_PER_BATCH) break;
      roomKeys.add(roomKey);
      if (claim.exclusive) exclusive.add(claim.exclusive);
      if (claim.shared) shared.add(claim.shared);
      n += 1;
    }
    return Math.max(n, 1);
  }

  /**
   * Commits a batch; resolves to what delivers it (the feeds first, then the answers to its writers) and
   * to what it changed. `before` is what the batch committed just before it changed, when this batch's
   * facts were read before that one committed.
   */
  async #commitWithRetry(batch: Batch, before?: Changed): Promise<{ deliver: () => void; changed: Changed }> {
    const started = performance.now();
    const { results, ranges, changed } = await this.#commitIsolating(
      batch.ops,
      batch.at,
      batch.facts,
      batch.flight,
      before,
    );
    this.options.metrics?.committed(batch.ops, results, (performance.now() - started) / 1000);
    return {
      deliver: () => {
        // Feeds first, then acks: a sender never hears "ack" for an event its room has not been given.
        if (ranges.length > 0) this.options.onCommitted(mergeRanges(ranges));
        batch.pending.forEach((pending, i) => pending.resolve(results[i]!));
      },
      changed,
    };
  }

  /**
   * Commits ops in one statement, retrying the races another instance can cause. When the database refuses
   * the statement for a value an op holds (SQLSTATE class 22, a data exception, or 23, a broken constraint)
   * nothing was stored, and one member's write must not fail everyone else's: the ops are split in halves,
   * each committed on its own, the first half first (so seqs keep the order the ops arrived in), down to
   * the op the database refuses, which alone is refused, and logged without what it holds (no message
   * text in logs). One op at fault in a batch of n costs about 2·log2(n) more statements. Any other failure
   * (a lost connection, a database that is down) is not the op's doing: its ops are answered unavailable.
   */
  async #commitIsolating(
    ops: WriteOp[],
    at: Date,
    facts: Promise<Facts>,
    flight: Flight,
    before?: Changed,
  ): Promise<Committed> {
    let failure: unknown;
    for (let attempt = 1; ; attempt += 1) {
      try {
        const known = await facts;
        if (before && attempt === 1) applyChanged(known, before);
        return await this.#commit(ops, at, known, flight);
      } catch (error) {
        // A concurrent commit of the same clientId (another instance) loses the unique index race: the
        // next attempt finds the stored message and answers with it.
        // A deadlock with another instance's batch (40P01) is retried the same way: nothing was committed.
        const state = sqlState(error);
        if (attempt < 3 && (state === UNIQUE_VIOLATION || state === '40P01')) {
          at = this.options.now();
          facts = this.#loadFacts(ops, at);
          continue;
        }
        failure = error;
        break;
      }
    }
    const state = sqlState(failure);
    const nothing = (result: WriteResult): Committed => ({
      results: ops.map(() => result),
      ranges: [],
      changed: { at, accepted: [] },
    });
    if (!state || !/^2[23]/.test(state)) {
      const reason = failure instanceof Error ? failure.message : String(failure);
      this.options.log.error({ sqlState: state, reason, ops: ops.length }, 'chat batch could not be stored');
      return nothing(UNAVAILABLE);
    }
    if (ops.length === 1) {
      this.options.log.warn({ kind: ops[0]!.kind, sqlState: state }, 'chat write refused by the database');
      return nothing(REFUSED_BY_DATABASE);
    }
    const half = Math.ceil(ops.length / 2);
    const [head, tail] = [ops.slice(0, half), ops.slice(half)];
    const first = await this.#commitIsolating(head, at, this.#loadFacts(head, at), flight);
    // Read after the first half committed, so its clientIds, slow mode and deletes count for the second.
    const second = await this.#commitIsolating(tail, at, this.#loadFacts(tail, at), flight);
    return {
      results: [...first.results, ...second.results],
      ranges: [...first.ranges, ...second.ranges],
      changed: {
        at,
        accepted: [...first.changed.accepted, ...second.changed.accepted.map((a) => ({ ...a, i: a.i + half }))],
      },
    };
  }

  async #commit(ops: WriteOp[], at: Date, facts: Facts, flight: Flight): Promise<Committed> {
    const results: (WriteResult | undefined)[] = new Array(ops.length).fill(undefined);

    // Decide each op; accepted ones take their room's next place, in the order they arrived.
    const accepted: Accepted[] = [];
    const seenClientIds = new Set<string>();
    const duplicateOf = new Map<number, string>();
    const perRoom = new Map<string, number>();
    for (const [i, op] of ops.entries()) {
      const decision = this.#decide(op, { at, ...facts });
      if ('refused' in decision) {
        results[i] = decision.refused;
        continue;
      }
      if (decision.duplicateId) {
        duplicateOf.set(i, decision.duplicateId);
        continue;
      }
      let messageId: string;
      if (op.kind === 'send') {
        const key = `${op.author.id}:${op.clientId}`;
        if (seenClientIds.has(key)) {
          duplicateOf.set(i, key); // resolved below to the message this batch creates
          continue;
        }
        seenClientIds.add(key);
        facts.lastWritten.set(`${decision.roomId}:${op.author.id}`, at.getTime());
        // Time-ordered (UUIDv7), so new messages go to the end of the primary-key index rather than to random
        // pages all over it: random keys make every insert touch (and, after each checkpoint, write to
        // the WAL whole) pages spread over an index that grows with every message ever sent.
        messageId = timeOrderedUuid();
      } else {
        messageId = op.messageId;
      }
      const ord = (perRoom.get(decision.roomId) ?? 0) + 1;
      perRoom.set(decision.roomId, ord);
      accepted.push({ i, op, roomId: decision.roomId, ord, messageId });
    }

    // One statement stores the whole batch, atomically: it locks the rooms (in id order), reserves their
    // seqs, and writes messages, changes, reactions and events.
    for (const roomId of perRoom.keys()) flight.rooms.add(roomId);
    const bases = accepted.length ? await this.#store(accepted, perRoom, at) : new Map<string, number>();

    // The views members see: new messages from what was just written; changed ones read back.
    const createdByKey = new Map<string, string>();
    for (const a of accepted)
      if (a.op.kind === 'send') createdByKey.set(`${a.op.author.id}:${a.op.clientId}`, a.messageId);
    const duplicateIds = new Map<number, string>();
    for (const [i, ref] of duplicateOf) duplicateIds.set(i, createdByKey.get(ref) ?? ref);
    const created = new Set(createdByKey.values());
    const readBack = [
      ...new Set([
        ...accepted.flatMap((a) => (a.op.kind === 'send' ? [] : [a.messageId])),
        ...[...duplicateIds.values()].filter((id) => !created.has(id)),
      ]),
    ];
    // Committed already, so never retried as a whole: if reading back fails, those ops are answered
    // "unavailable" (a retry finds them done) and their events reach sockets through the feeds, which pull
    // any seq they missed from the database.
    let views = new Map<string, MessageView>();
    let readBackFailed = false;
    try {
      views = await loadMessageViews(this.options.db, readBack);
    } catch {
      readBackFailed = true;
    }

    const ranges = new Map<string, CommittedRange>();
    for (const a of accepted) {
      const seq = bases.get(a.roomId)! + a.ord;
      const range = ranges.get(a.roomId) ?? { roomId: a.roomId, from: seq, to: seq, complete: true, events: [] };
      ranges.set(a.roomId, range);
      range.from = Math.min(range.from, seq);
      range.to = Math.max(range.to, seq);
      const view = a.op.kind === 'send' ? this.#newMessageView(a.op, a, seq, at, facts) : views.get(a.messageId);
      if (!view) {
        // Committed with this seq all the same: the room's feed must read it, or it would stop at the gap.
        range.complete = false;
        results[a.i] = readBackFailed ? UNAVAILABLE : refuse('not_found', 'That message is no longer here.');
        continue;
      }
      views.set(a.messageId, view);
      range.events.push(prepareEvent({ seq, kind: a.op.kind === 'send' ? 'created' : 'updated' }, view));
      results[a.i] = { ok: true, message: view, roomId: a.roomId };
    }
    for (const [i, id] of duplicateIds) {
      const view = views.get(id);
      results[i] = view
        ? { ok: true, message: view, roomId: '', duplicate: true }
        : readBackFailed
          ? UNAVAILABLE
          : refuse('not_found', 'That message is gone.');
    }
    const committed = [...ranges.values()];
    for (const range of committed) range.events.sort((a, b) => a.seq - b.seq);
    return {
      results: results.map((r) => r ?? refuse('internal', 'Something went wrong.')),
      ranges: committed,
      changed: { at, accepted },
    };
  }

  /** Everything the rules need about a batch, in one read: its rooms, targets, authors, memberships, mutes,
   * clientIds already stored, and (for rooms in slow mode) when each author last wrote there. */
  async #loadFacts(ops: WriteOp[], at: Date): Promise<Facts> {
    const targetIds = new Set<string>();
    const slugs = new Set<string>();
    const authorIds = new Set<string>();
    const sendAuthors: string[] = [];
    const sendClientIds: string[] = [];
    const opSlugs: (string | null)[] = [];
    const opTargets: (string | null)[] = [];
    const opAuthors: string[] = [];
    for (const op of ops) {
      authorIds.add(op.author.id);
      opAuthors.push(op.author.id);
      opSlugs.push(op.kind === 'send' ? op.roomSlug : null);
      opTargets.push(op.kind === 'send' ? null : op.messageId);
      if (op.kind === 'send') {
        slugs.add(op.roomSlug);
        if (op.replyTo) targetIds.add(op.replyTo);
        sendAuthors.push(op.author.id);
        sendClientIds.push(op.clientId);
      } else {
        targetIds.add(op.messageId);
      }
    }
    const result = await this.#factsQuery.execute({
      targetIds: [...targetIds],
      slugs: [...slugs],
      authorIds: [...authorIds],
      opSlugs,
      opTargets,
      opAuthors,
      at: at.toISOString(),
      sendAuthors,
      sendClientIds,
    });
    const row = rowsOf<Record<string, unknown>>(result)[0]!;
    const list = <T>(value: unknown): T[] => (typeof value === 'string' ? JSON.parse(value) : (value ?? [])) as T[];

    const targets = new Map<string, Target>();
    for (const [id, roomId, authorId, deleted, hidden, contentWarnings] of list<
      [string, string, string | null, boolean, boolean, string[]]
    >(row.targets)) {
      targets.set(id, { id, roomId, authorId, deleted, hidden, contentWarnings });
    }
    const roomBySlug = new Map<string, RoomFlags>();
    const roomById = new Map<string, RoomFlags>();
    for (const [id, slug, locked, archived, slowModeSeconds, staff] of list<
      [string, string, boolean, boolean, number, boolean]
    >(row.rooms)) {
      const room = { id, slug, locked, archived, slowModeSeconds, staff };
      roomBySlug.set(slug, room);
      roomById.set(id, room);
    }
    return {
      targets,
      roomBySlug,
      roomById,
      displayNames: new Map(list<[string, string]>(row.authors)),
      markColours: new Map(list<[string, string, boolean, string | null]>(row.authors).map(([id, , , c]) => [id, c])),
      admins: new Set(list<[string, string, boolean]>(row.authors).flatMap(([id, , admin]) => (admin ? [id] : []))),
      roleOf: new Map(list<[string, string, string]>(row.members).map(([r, u, role]) => [`${r}:${u}`, role])),
      mutedUntil: new Map(
        list<[string, string, string]>(row.mutes).map(([r, u, until]) => [`${r}:${u}`, new Date(until)]),
      ),
      existingByKey: new Map(list<[string, string, string]>(row.existing).map(([a, c, id]) => [`${a}:${c}`, id])),
      blockedPairs: new Set(list<[string, string]>(row.blocks).map(([blocker, blocked]) => `${blocker}:${blocked}`)),
      lastWritten: new Map(
        list<[string, string, string]>(row.last_written).map(([r, a, last]) => [`${r}:${a}`, new Date(last).getTime()]),
      ),
    };
  }

  /** Writes the accepted ops in one statement and returns each room's seq before this batch. */
  async #store(accepted: Accepted[], perRoom: Map<string, number>, at: Date): Promise<Map<string, number>> {
    const of = <K extends WriteOp['kind']>(kind: K) =>
      accepted.filter((a): a is Accepted & { op: Extract<WriteOp, { kind: K }> } => a.op.kind === kind);
    const sends = of('send');
    const edits = of('edit');
    const deletes = of('delete');
    const reactsOn = of('react').filter((a) => a.op.on);
    const reactsOff = of('react').filter((a) => !a.op.on);
    const roomIds = [...perRoom.keys()];
    const result = await this.#storeQuery.execute({
      roomIds,
      roomCounts: roomIds.map((id) => perRoom.get(id)!),
      sendIds: sends.map((a) => a.messageId),
      sendRooms: sends.map((a) => a.roomId),
      sendOrds: sends.map((a) => a.ord),
      sendAuthors: sends.map((a) => a.op.author.id),
      sendClientIds: sends.map((a) => a.op.clientId),
      sendBodies: sends.map((a) => a.op.body),
      sendReplyTo: sends.map((a) => a.op.replyTo ?? null),
      sendWarnings: sends.map((a) => warningsParam(a.op.contentWarnings) ?? ''),
      at: at.toISOString(),
      editIds: edits.map((a) => a.messageId),
      editBodies: edits.map((a) => a.op.body),
      editWarnings: edits.map((a) => warningsParam(a.op.contentWarnings)),
      deleteIds: deletes.map((a) => a.messageId),
      reactOnIds: reactsOn.map((a) => a.messageId),
      reactOnUsers: reactsOn.map((a) => a.op.author.id),
      reactOnKinds: reactsOn.map((a) => a.op.reaction),
      reactOffIds: reactsOff.map((a) => a.messageId),
      reactOffUsers: reactsOff.map((a) => a.op.author.id),
      reactOffKinds: reactsOff.map((a) => a.op.reaction),
      eventRooms: accepted.map((a) => a.roomId),
      eventOrds: accepted.map((a) => a.ord),
      eventKinds: accepted.map((a) => (a.op.kind === 'send' ? 'created' : 'updated')),
      eventMessageIds: accepted.map((a) => a.messageId),
    });
    const row = rowsOf<{ bases: unknown }>(result)[0]!;
    const bases = (typeof row.bases === 'string' ? JSON.parse(row.bases) : row.bases) as [string, number | string][];
    return new Map(bases.map(([id, base]) => [id, Number(base)]));
  }

  #newMessageView(
    op: Extract<WriteOp, { kind: 'send' }>,
    a: Accepted,
    seq: number,
    at: Date,
    facts: Facts,
  ): MessageView {
    return {
      id: a.messageId,
      room: facts.roomById.get(a.roomId)!.slug,
      seq,
      author: {
        id: op.author.id,
        displayName: facts.displayNames.get(op.author.id) ?? '',
        staff: staffMarkOf(facts.admins.has(op.author.id), facts.roleOf.get(`${a.roomId}:${op.author.id}`)),
        markColour: asMarkColour(facts.markColours.get(op.author.id)),
      },
      body: op.body,
      replyTo: op.replyTo ?? null,
      contentWarnings: op.contentWarnings ?? [],
      filtered: [],
      authorBlocked: false,
      reactions: {},
      createdAt: at.toISOString(),
      editedAt: null,
      deleted: false,
      hidden: false,
      hiddenBody: undefined,
    };
  }

  #decide(
    op: WriteOp,
    state: Facts & { at: Date },
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
    if (!role && room.staff) return { refused: refuse('not_found', 'There is no room at this address.') };
    if (!role) return { refused: refuse('not_a_member', 'Please join this room first.') };
    if (room.archived)
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
        if (target!.deleted) return { refused: refuse('not_found', 'That message was deleted.') };
        return { roomId: room.id };
      case 'react':
        if (target!.deleted || target!.hidden || state.blockedPairs.has(`${target!.authorId}:${op.author.id}`)) {
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
  archived: boolean;
  slowModeSeconds: number;
  /** The moderators' room: to anyone not in it, it is not there (rooms/staff-room.ts). */
  staff: boolean;
}

interface Target {
  id: string;
  roomId: string;
  authorId: string | null;
  deleted: boolean;
  hidden: boolean;
  contentWarnings: string[];
}

interface Facts {
  targets: Map<string, Target>;
  roomBySlug: Map<string, RoomFlags>;
  roomById: Map<string, RoomFlags>;
  displayNames: Map<string, string>;
  markColours: Map<string, string | null>;
  /** The authors who are admins now (their staff mark). */
  admins: Set<string>;
  roleOf: Map<string, string>;
  mutedUntil: Map<string, Date>;
  existingByKey: Map<string, string>;
  lastWritten: Map<string, number>;
  /** `blocker:blocked` pairs among the authors answered and the authors answering. */
  blockedPairs: Set<string>;
}

/** What a committed batch changed, as far as the rules of a later batch look: see `applyChanged`. */
interface Changed {
  at: Date;
  accepted: Accepted[];
}

/**
 * Brings facts read before a batch committed up to date with it. Of what the rules read, a batch of this
 * writer changes only its own rows: the clientIds it stored, when each author last wrote to a room (slow
 * mode) and which messages it deleted. Its new messages cannot be the target of anything read with them:
 * their ids reach members only after the commit. Applying a batch the read did see changes nothing.
 */
function applyChanged(facts: Facts, changed: Changed): void {
  for (const { op, roomId, messageId } of changed.accepted) {
    if (op.kind === 'send') {
      facts.existingByKey.set(`${op.author.id}:${op.clientId}`, messageId);
      const key = `${roomId}:${op.author.id}`;
      facts.lastWritten.set(key, Math.max(facts.lastWritten.get(key) ?? 0, changed.at.getTime()));
    } else if (op.kind === 'delete') {
      const target = facts.targets.get(messageId);
      if (target) target.deleted = true;
    }
  }
}

/**
 * A batch split to find an op the database refused commits in parts, and a room's events may come from
 * several: runs of seqs that follow on are joined, so the NOTIFY about the batch (bus.ts) lists a room
 * about once, as it does for a batch stored whole. Ranges stay in commit order.
 */
function mergeRanges(ranges: CommittedRange[]): CommittedRange[] {
  const merged: CommittedRange[] = [];
  const last = new Map<string, CommittedRange>();
  for (const range of ranges) {
    const before = last.get(range.roomId);
    if (before && before.to + 1 === range.from) {
      before.to = range.to;
      before.complete &&= range.complete;
      before.events.push(...range.events);
      continue;
    }
    const copy = { ...range, events: [...range.events] };
    merged.push(copy);
    last.set(range.roomId, copy);
  }
  return merged;
}

interface Accepted {
  i: number;
  op: WriteOp;
  roomId: string;
  /** Its place among the batch's events in its room: seq = the room's last seq before the batch + ord. */
  ord: number;
  messageId: string;
}

/**
 * What an op changes, so a batch never holds two ops on the same row: one statement writes a batch, and
 * within one statement a later change would not see an earlier one. Reactions by different members (or of
 * different kinds) on one message touch different rows; an edit or delete claims the whole message.
 */
function claims(op: WriteOp): { shared?: string; exclusive?: string } {
  switch (op.kind) {
    case 'send':
      return {};
    case 'react':
      return { shared: op.messageId, exclusive: `${op.messageId}:${op.author.id}:${op.reaction}` };
    case 'edit':
    case 'delete':
      return { exclusive: op.messageId };
  }
}

/** Warnings as one text parameter per row (arrays of arrays do not unnest by row): the vocabulary's
 * names hold no commas. `null` means "unchanged" for an edit. */
function warningsParam(warnings: string[] | undefined): string | null {
  return warnings ? warnings.join(',') : null;
}

const dialect = new PgDialect();
const p = (name: string) => sql.placeholder(name);

/**
 * One of the writer's statements, as a named prepared statement: its text never changes (every value is a
 * parameter, arrays included), so PostgreSQL parses and plans it once per connection instead of once per
 * batch, and its text is built here once.
 */
function prepareNamed(
  db: Database,
  name: string,
  query: SQL,
): { execute(values: Record<string, unknown>): Promise<unknown> } {
  return db._.session.prepareQuery(dialect.sqlToQuery(query), undefined, name, false);
}

// Everything the rules need about a batch, in one read.
// The plan is prepared once per connection and kept, possibly from when the tables were nearly empty, so
// its shape must not depend on their size: every lookup is a probe per key, in a subquery that OFFSET 0
// keeps the planner from turning inside out (on a near-empty table it would otherwise scan the table once
// and test every key against each row), on connections that never scan a table whole where an index
// serves (DatabaseHandle.writerDb).
export const FACTS = sql`
      WITH target AS MATERIALIZED (
        SELECT m.* FROM unnest(${p('targetIds')}::uuid[]) AS t(id)
        CROSS JOIN LATERAL (
          SELECT id, room_id, author_id, deleted_at IS NOT NULL AS deleted, hidden_at IS NOT NULL AS hidden,
            content_warnings
          FROM messages WHERE messages.id = t.id OFFSET 0) m
      ), room AS MATERIALIZED (
        SELECT r.* FROM (SELECT DISTINCT room_id FROM target UNION
          SELECT x.id FROM unnest(${p('slugs')}::text[]) AS s(slug)
          CROSS JOIN LATERAL (SELECT id FROM rooms WHERE rooms.slug = s.slug OFFSET 0) x) AS k(id)
        CROSS JOIN LATERAL (
          SELECT id, slug, locked, archived_at IS NOT NULL AS archived, slow_mode_seconds, kind = 'staff' AS staff
          FROM rooms WHERE rooms.id = k.id OFFSET 0) r
      ), author AS MATERIALIZED (
        SELECT DISTINCT id FROM unnest(${p('authorIds')}::uuid[]) AS a(id)
      ), op AS (
        SELECT * FROM unnest(${p('opSlugs')}::text[], ${p('opTargets')}::uuid[],
          ${p('opAuthors')}::uuid[]) AS o(slug, target_id, author_id)
      ), pair AS MATERIALIZED (
        -- Each (room, author) an op of the batch needs the facts of.
        SELECT r.id AS room_id, op.author_id FROM op JOIN room r ON r.slug = op.slug
        UNION SELECT t.room_id, op.author_id FROM op JOIN target t ON t.id = op.target_id
      )
      SELECT
        (SELECT json_agg(json_build_array(id, room_id, author_id, deleted, hidden, content_warnings)) FROM target)
          AS targets,
        (SELECT json_agg(json_build_array(id, slug, locked, archived, slow_mode_seconds, staff)) FROM room) AS rooms,
        (SELECT json_agg(json_build_array(u.id, u.display_name, u.is_admin, u.mark_colour)) FROM author a
          CROSS JOIN LATERAL (SELECT id, display_name, is_admin, mark_colour FROM users WHERE users.id = a.id OFFSET 0) u) AS authors,
        (SELECT json_agg(json_build_array(m.room_id, m.user_id, m.role)) FROM pair p
          CROSS JOIN LATERAL (SELECT room_id, user_id, role FROM memberships
            WHERE memberships.room_id = p.room_id AND memberships.user_id = p.author_id OFFSET 0) m)
          AS members,
        (SELECT json_agg(json_build_array(m.room_id, m.user_id, m.until)) FROM pair p
          CROSS JOIN LATERAL (SELECT room_id, user_id, until FROM room_mutes
            WHERE room_mutes.room_id = p.room_id AND room_mutes.user_id = p.author_id
              AND until > ${p('at')}::timestamptz OFFSET 0) m) AS mutes,
        (SELECT json_agg(json_build_array(s.author_id, s.client_id, m.id))
          FROM unnest(${p('sendAuthors')}::uuid[], ${p('sendClientIds')}::text[]) AS s(author_id, client_id)
          CROSS JOIN LATERAL (SELECT id FROM messages
            WHERE messages.author_id = s.author_id AND messages.client_id = s.client_id OFFSET 0) m)
          AS existing,
        -- For slow mode: each author's newest message in each such room, one step down an index.
        (SELECT json_agg(json_build_array(p.room_id, p.author_id, w.created_at))
          FROM pair p JOIN room r ON r.id = p.room_id AND r.slow_mode_seconds > 0
          CROSS JOIN LATERAL (SELECT created_at FROM messages
            WHERE messages.author_id = p.author_id AND messages.room_id = p.room_id ORDER BY seq DESC LIMIT 1) w)
          AS last_written,
        -- Blocks between the authors of the messages answered (replied or reacted to) and this batch's authors.
        (SELECT json_agg(json_build_array(b.blocker_id, b.blocked_id))
          FROM (SELECT DISTINCT author_id FROM target WHERE author_id IS NOT NULL) t CROSS JOIN author a
          CROSS JOIN LATERAL (SELECT blocker_id, blocked_id FROM blocks
            WHERE blocks.blocker_id = t.author_id AND blocks.blocked_id = a.id OFFSET 0) b)
          AS blocks
`;

// A batch, atomically: locks its rooms (in id order), reserves their seqs, and writes messages, changes,
// reactions and events.
export const STORE = sql`
      WITH locked AS MATERIALIZED (
        SELECT id FROM rooms WHERE id = ANY(${p('roomIds')}::uuid[]) ORDER BY id FOR UPDATE
      ), bumped AS (
        UPDATE rooms SET last_seq = rooms.last_seq + v.n
        FROM unnest(${p('roomIds')}::uuid[], ${p('roomCounts')}::int[])
          AS v(id, n)
        WHERE rooms.id = v.id AND v.id IN (SELECT id FROM locked)
        RETURNING rooms.id, rooms.last_seq - v.n AS base, v.n
      ), sent AS (
        INSERT INTO messages (id, room_id, seq, author_id, client_id, body, reply_to, content_warnings, created_at)
        SELECT s.id, s.room_id, b.base + s.ord, s.author_id, s.client_id, s.body, s.reply_to,
          string_to_array(s.warnings, ','), ${p('at')}::timestamptz
        FROM unnest(
          ${p('sendIds')}::uuid[], ${p('sendRooms')}::uuid[],
          ${p('sendOrds')}::int[], ${p('sendAuthors')}::uuid[],
          ${p('sendClientIds')}::text[], ${p('sendBodies')}::text[],
          ${p('sendReplyTo')}::uuid[],
          ${p('sendWarnings')}::text[]
        ) AS s(id, room_id, ord, author_id, client_id, body, reply_to, warnings)
        JOIN bumped b ON b.id = s.room_id
        RETURNING 1
      ), edited AS (
        -- An edit adds warnings and never drops one (a moderator may have added it), keeping their order.
        UPDATE messages SET body = e.body, edited_at = ${p('at')}::timestamptz,
          content_warnings = CASE WHEN e.warnings IS NULL THEN messages.content_warnings ELSE ARRAY(
            SELECT w FROM unnest(messages.content_warnings || string_to_array(e.warnings, ',')) WITH ORDINALITY AS t(w, n)
            GROUP BY w ORDER BY min(n)) END
        FROM unnest(${p('editIds')}::uuid[], ${p('editBodies')}::text[],
          ${p('editWarnings')}::text[]) AS e(id, body, warnings)
        -- The id list again, as a condition on messages itself: its index is then probed for these ids
        -- whatever join the kept plan chose, never walked whole.
        WHERE messages.id = e.id AND messages.id = ANY(${p('editIds')}::uuid[])
        RETURNING 1
      ), deleted AS (
        UPDATE messages SET body = '', deleted_at = ${p('at')}::timestamptz
        WHERE id = ANY(${p('deleteIds')}::uuid[])
        RETURNING 1
      ), reacted AS (
        INSERT INTO reactions (message_id, user_id, kind, created_at)
        SELECT r.message_id, r.user_id, r.kind, ${p('at')}::timestamptz
        FROM unnest(${p('reactOnIds')}::uuid[], ${p('reactOnUsers')}::uuid[],
          ${p('reactOnKinds')}::text[]) AS r(message_id, user_id, kind)
        ON CONFLICT DO NOTHING
        RETURNING 1
      ), unreacted AS (
        DELETE FROM reactions
        WHERE message_id = ANY(${p('reactOffIds')}::uuid[])
          AND (message_id, user_id, kind) IN (SELECT * FROM unnest(${p('reactOffIds')}::uuid[],
            ${p('reactOffUsers')}::uuid[], ${p('reactOffKinds')}::text[]))
        RETURNING 1
      ), events AS (
        INSERT INTO room_events (room_id, seq, kind, message_id, created_at)
        SELECT e.room_id, b.base + e.ord, e.kind, e.message_id, ${p('at')}::timestamptz
        FROM unnest(${p('eventRooms')}::uuid[], ${p('eventOrds')}::int[],
          ${p('eventKinds')}::text[],
          ${p('eventMessageIds')}::uuid[]) AS e(room_id, ord, kind, message_id)
        JOIN bumped b ON b.id = e.room_id
        RETURNING 1
      )
      SELECT (SELECT json_agg(json_build_array(id, base)) FROM bumped) AS bases
`;

function rowsOf<T>(result: unknown): T[] {
  return (result as { rows: T[] }).rows;
}
