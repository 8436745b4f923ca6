// Reading messages and events: the one query that turns message rows into the `Message` members see,
// history pages for HTTP, and the events after a seq for a resuming socket. Every Message leaves here
// through a viewer's filter (`forViewer`, `frameFor`): their hidden warnings and the members they blocked.
import { schema, type Database } from '@kindred/db';
import type { Message } from '@kindred/shared';
import { and, asc, desc, eq, gt, inArray, lt, sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import * as ws from 'ws';
import { lensOf, noFilter, type ViewerFilter } from '../accounts/blocks.ts';
import { asMarkColour } from '../accounts/mark-colours.ts';
import { asStaffMark, MEMBERSHIP_OF_AUTHOR_SQL, STAFF_MARK_SQL, staffMarkColumn } from './staff-marks.ts';

const { messages, reactions, rooms, users } = schema;

export interface MessageView extends Message {
  /** Kept on the server for the views that may show a hidden body (its author, moderators). */
  hiddenBody: string | undefined;
}

const reactionCounts = sql<Record<string, number> | null>`(
  SELECT json_object_agg(x.kind, x.n) FROM (
    SELECT ${reactions.kind} AS kind, count(*)::int AS n FROM ${reactions}
    WHERE ${reactions.messageId} = ${messages.id} GROUP BY ${reactions.kind}
  ) x
)`;

const viewColumns = {
  id: messages.id,
  room: rooms.slug,
  seq: messages.seq,
  authorId: messages.authorId,
  displayName: users.displayName,
  markColour: users.markColour,
  staff: staffMarkColumn,
  body: messages.body,
  replyTo: messages.replyTo,
  contentWarnings: messages.contentWarnings,
  createdAt: messages.createdAt,
  editedAt: messages.editedAt,
  deletedAt: messages.deletedAt,
  hiddenAt: messages.hiddenAt,
  reactions: reactionCounts,
};

type ViewRow = {
  id: string;
  room: string;
  seq: number;
  authorId: string | null;
  displayName: string | null;
  markColour: string | null;
  staff: unknown;
  body: string;
  replyTo: string | null;
  contentWarnings: string[];
  createdAt: Date;
  editedAt: Date | null;
  deletedAt: Date | null;
  hiddenAt: Date | null;
  reactions: Record<string, number> | string | null;
};

function toView(row: ViewRow): MessageView {
  const hidden = row.hiddenAt !== null;
  const deleted = row.deletedAt !== null;
  const counts = typeof row.reactions === 'string' ? JSON.parse(row.reactions) : row.reactions;
  return {
    id: row.id,
    room: row.room,
    seq: Number(row.seq),
    author: row.authorId
      ? {
          id: row.authorId,
          displayName: row.displayName ?? '',
          staff: asStaffMark(row.staff),
          markColour: asMarkColour(row.markColour),
        }
      : null,
    // The members' view: a deleted or hidden message carries no words.
    body: deleted || hidden ? '' : row.body,
    replyTo: row.replyTo,
    contentWarnings: row.contentWarnings,
    filtered: [],
    authorBlocked: false,
    reactions: counts ?? {},
    createdAt: row.createdAt.toISOString(),
    editedAt: row.editedAt ? row.editedAt.toISOString() : null,
    deleted,
    hidden,
    hiddenBody: hidden && !deleted ? row.body : undefined,
  };
}

/**
 * The message as this viewer may see it: a hidden body only for its author and the room's moderators, and
 * `filtered` / `authorBlocked` through the viewer's own filter.
 */
export function forViewer(
  view: MessageView,
  viewerId: string | undefined,
  moderator: boolean,
  filter: ViewerFilter = noFilter,
): Message {
  const { hiddenBody, ...message } = view;
  const lens = lensOf(filter, view.contentWarnings, view.author?.id);
  if (hiddenBody !== undefined && (moderator || (viewerId !== undefined && viewerId === view.author?.id))) {
    return { ...message, ...lens, body: hiddenBody };
  }
  return { ...message, ...lens };
}

export function publicMessage(view: MessageView): Message {
  return forViewer(view, undefined, false);
}

function selectViews(db: Database) {
  return db
    .select(viewColumns)
    .from(messages)
    .innerJoin(rooms, eq(rooms.id, messages.roomId))
    .leftJoin(users, eq(users.id, messages.authorId));
}

export async function loadMessageViews(db: Database, ids: string[]): Promise<Map<string, MessageView>> {
  const result = new Map<string, MessageView>();
  if (ids.length === 0) return result;
  const rows = (await selectViews(db).where(inArray(messages.id, ids))) as ViewRow[];
  for (const row of rows) result.set(row.id, toView(row));
  return result;
}

export interface HistoryPage {
  messages: MessageView[];
  hasMore: boolean;
}

/** A page of a room's messages in ascending seq: the newest, those before a seq, or those after it. */
export async function historyPage(
  db: Database,
  roomId: string,
  query: { before?: number | undefined; after?: number | undefined; limit: number },
): Promise<HistoryPage> {
  const { before, after, limit } = query;
  const forward = after !== undefined && before === undefined;
  const conditions = [eq(messages.roomId, roomId)];
  if (before !== undefined) conditions.push(lt(messages.seq, before));
  if (after !== undefined) conditions.push(gt(messages.seq, after));
  const rows = (await selectViews(db)
    .where(and(...conditions))
    .orderBy(forward ? asc(messages.seq) : desc(messages.seq))
    .limit(limit + 1)) as ViewRow[];
  const hasMore = rows.length > limit;
  const page = rows.slice(0, limit).map(toView);
  if (!forward) page.reverse();
  return { messages: page, hasMore };
}

type EventKind = 'created' | 'updated';

export async function roomLastSeq(db: Database, roomId: string): Promise<number> {
  const [row] = await db.select({ lastSeq: rooms.lastSeq }).from(rooms).where(eq(rooms.id, roomId));
  return Number(row?.lastSeq ?? 0);
}

/** Where several rooms stand: their last seq, by room id. */
export async function roomsLastSeq(db: Database, roomIds: string[]): Promise<Map<string, number>> {
  const rows = await db.select({ id: rooms.id, lastSeq: rooms.lastSeq }).from(rooms).where(inArray(rooms.id, roomIds));
  return new Map(rows.map((row) => [row.id, Number(row.lastSeq)]));
}

/**
 * One event, serialized once: `frame` is the base variant (nothing filtered, author not blocked), the same
 * bytes written to most sockets of the room. A socket whose member hides one of its warnings or blocked its
 * author gets a variant, serialized once per distinct variant of this event, never once per socket.
 */
export interface PreparedEvent {
  seq: number;
  /** The frame as UTF-8, encoded once here rather than by every socket it is written to. */
  frame: Buffer;
  frameFor(filter: ViewerFilter): Buffer;
}

export function prepareEvent(event: { seq: number; kind: 'created' | 'updated' }, view: MessageView): PreparedEvent {
  const message = publicMessage(view);
  const serialize = (shown: Message) =>
    Buffer.from(JSON.stringify({ type: 'event', room: view.room, seq: event.seq, kind: event.kind, message: shown }));
  const frame = serialize(message);
  let variants: Map<string, Buffer> | undefined;
  return {
    seq: event.seq,
    frame,
    frameFor(filter) {
      if (message.contentWarnings.length === 0 && (filter.blocked.size === 0 || !message.author)) return frame;
      const lens = lensOf(filter, message.contentWarnings, message.author?.id);
      if (lens.filtered.length === 0 && !lens.authorBlocked) return frame;
      const key = `${lens.filtered.join(',')}|${lens.authorBlocked}`;
      variants ??= new Map();
      let variant = variants.get(key);
      if (variant === undefined) {
        variant = serialize({ ...message, ...lens });
        variants.set(key, variant);
      }
      return variant;
    },
  };
}

/**
 * Reads a room's events with from < seq <= to from the database and prepares their frames: for resuming
 * sockets, and for a feed filling a gap. The same prepared statement as another instance's batch.
 */
export async function loadPreparedEvents(
  db: Database,
  roomId: string,
  from: number,
  to: number,
): Promise<PreparedEvent[]> {
  if (to <= from) return [];
  const byRoom = await loadPreparedEventsOf(db, [{ roomId, after: from, upTo: to }]);
  return byRoom.get(roomId) ?? [];
}

/**
 * The events of several rooms at once, each with after < seq <= upTo, in seq order per room: what another
 * instance committed, read in one statement (prepared once per connection) with the messages they show.
 */
export async function loadPreparedEventsOf(
  db: Database,
  ranges: { roomId: string; after: number; upTo: number }[],
): Promise<Map<string, PreparedEvent[]>> {
  let query = eventsOfQueries.get(db);
  if (!query) {
    query = db._.session.prepareQuery(dialect.sqlToQuery(EVENTS_OF), undefined, 'kindred_chat_events_of', false);
    eventsOfQueries.set(db, query);
  }
  const result = (await query.execute({
    rooms: ranges.map((r) => r.roomId),
    after: ranges.map((r) => r.after),
    upTo: ranges.map((r) => r.upTo),
  })) as { rows: EventOfRow[] };
  const byRoom = new Map<string, PreparedEvent[]>();
  for (const row of result.rows) {
    const view = toView({
      id: row.id,
      room: row.room,
      seq: Number(row.seq),
      authorId: row.author_id,
      displayName: row.display_name,
      markColour: row.mark_colour,
      staff: row.staff,
      body: row.body,
      replyTo: row.reply_to,
      contentWarnings: row.content_warnings,
      createdAt: asDate(row.created_at),
      editedAt: row.edited_at === null ? null : asDate(row.edited_at),
      deletedAt: row.deleted_at === null ? null : asDate(row.deleted_at),
      hiddenAt: row.hidden_at === null ? null : asDate(row.hidden_at),
      reactions: row.reactions,
    });
    const events = byRoom.get(row.room_id) ?? [];
    events.push(prepareEvent({ seq: Number(row.event_seq), kind: row.kind as EventKind }, view));
    byRoom.set(row.room_id, events);
  }
  return byRoom;
}

interface EventOfRow {
  room_id: string;
  event_seq: number | string;
  kind: string;
  id: string;
  room: string;
  seq: number | string;
  author_id: string | null;
  display_name: string | null;
  mark_colour: string | null;
  staff: string | null;
  body: string;
  reply_to: string | null;
  content_warnings: string[];
  created_at: Date | string;
  edited_at: Date | string | null;
  deleted_at: Date | string | null;
  hidden_at: Date | string | null;
  reactions: Record<string, number> | string | null;
}

const asDate = (value: Date | string): Date => (value instanceof Date ? value : new Date(value));

const dialect = new PgDialect();
const eventsOfQueries = new WeakMap<Database, { execute(values: Record<string, unknown>): Promise<unknown> }>();

// One index range per room, then one probe per event for its message, room and author (OFFSET 0 keeps each
// a probe: the plan is kept, and may have been made while the tables were nearly empty).
export const EVENTS_OF = sql`
  SELECT e.room_id, e.seq AS event_seq, e.kind, m.id, r.slug AS room, m.seq, m.author_id, u.display_name, u.mark_colour,
    m.body,
    ${STAFF_MARK_SQL} AS staff, m.reply_to, m.content_warnings, m.created_at, m.edited_at, m.deleted_at, m.hidden_at,
    (SELECT json_object_agg(x.kind, x.n) FROM (
      SELECT kind, count(*)::int AS n FROM reactions WHERE reactions.message_id = m.id GROUP BY kind) x) AS reactions
  FROM unnest(${sql.placeholder('rooms')}::uuid[], ${sql.placeholder('after')}::bigint[],
    ${sql.placeholder('upTo')}::bigint[]) AS q(room_id, after, up_to)
  CROSS JOIN LATERAL (SELECT room_id, seq, kind, message_id FROM room_events
    WHERE room_events.room_id = q.room_id AND room_events.seq > q.after AND room_events.seq <= q.up_to
    ORDER BY seq OFFSET 0) e
  CROSS JOIN LATERAL (SELECT * FROM messages WHERE messages.id = e.message_id OFFSET 0) m
  CROSS JOIN LATERAL (SELECT slug FROM rooms WHERE rooms.id = m.room_id OFFSET 0) r
  LEFT JOIN LATERAL (SELECT display_name, mark_colour, is_admin FROM users WHERE users.id = m.author_id OFFSET 0) u ON true
  ${MEMBERSHIP_OF_AUTHOR_SQL}
  ORDER BY e.room_id, e.seq`;

// ws builds frames with `Sender.frame` (its static, not in its type definitions): the header for an
// unmasked text frame, and the payload as it is.
const { frame: wsFrame } = (
  ws as unknown as { Sender: { frame(data: Buffer, options: Record<string, boolean | number>): Buffer[] } }
).Sender;
const TEXT_FRAME = { fin: true, rsv1: false, opcode: 1, mask: false, readOnly: false };

/** Payloads as whole WebSocket text frames, back to back: bytes to write to a socket as they are. */
export function wsFrames(payloads: readonly Buffer[]): Buffer {
  return Buffer.concat(payloads.flatMap((payload) => wsFrame(payload, TEXT_FRAME)));
}

/**
 * A feed's consecutive events, handed to all its subscribers at once. The run is framed once for every
 * subscriber who sees it unchanged, and those bytes go to each socket in one write: one system call per
 * socket per batch, and no copy per socket.
 */
export class EventRun {
  #wire: Buffer | undefined;

  constructor(readonly events: readonly PreparedEvent[]) {}

  get wire(): Buffer {
    return (this.#wire ??= wsFrames(this.events.map((event) => event.frame)));
  }
}
