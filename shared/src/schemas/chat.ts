// The chat protocol: the Message every client sees, the frames a client may send over /api/ws, and the
// frames the server sends back. The server validates every incoming frame against ClientFrameSchema.
import { Type, type Static } from 'typebox';
import { AuthorSchema } from './common.ts';
import { ChatReactionSchema, supportReactionLabels, supportReactions, type SupportReaction } from './reactions.ts';
import { SlugSchema } from './rooms.ts';
import { ContentWarningsSchema } from './stories.ts';

/** Chat's reactions are the shared support set (see reactions.ts). */
export const reactionKinds = supportReactions;
export type ReactionKind = SupportReaction;
export const reactionLabels = supportReactionLabels;

export const MESSAGE_MAX_CHARS = 4000;
export const FRAME_MAX_BYTES = 16 * 1024;

export const ReactionKindSchema = ChatReactionSchema;

const BodySchema = Type.String({
  minLength: 1,
  maxLength: MESSAGE_MAX_CHARS,
  pattern: '\\S',
  errorMessage: `Messages are 1 to ${MESSAGE_MAX_CHARS.toLocaleString('en')} characters.`,
});
const ClientIdSchema = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: '^[A-Za-z0-9_-]+$',
  errorMessage: 'clientId is 1 to 64 letters, numbers, _ or -.',
});
const IdSchema = Type.String({ format: 'uuid', errorMessage: 'That is not a message id.' });
const SeqSchema = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });

export const MessageSchema = Type.Object(
  {
    id: Type.String(),
    room: Type.String({ description: 'The room slug' }),
    seq: Type.Integer(),
    /** `null` once the author's account is deleted. */
    author: Type.Union([AuthorSchema, Type.Null()]),
    body: Type.String(),
    replyTo: Type.Union([Type.String(), Type.Null()]),
    contentWarnings: Type.Array(Type.String()),
    /** The warnings that match this viewer's personal filter: show collapsed when not empty. */
    filtered: Type.Array(Type.String()),
    /** This viewer blocked the author: show collapsed, with a way to open it. */
    authorBlocked: Type.Boolean(),
    reactions: Type.Record(Type.String(), Type.Integer()),
    createdAt: Type.String({ format: 'date-time' }),
    editedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    deleted: Type.Boolean(),
    hidden: Type.Boolean(),
  },
  { additionalProperties: false },
);
export type Message = Static<typeof MessageSchema>;

export const HistoryQuerySchema = Type.Object(
  {
    before: Type.Optional(SeqSchema),
    after: Type.Optional(SeqSchema),
    limit: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
);
export const HistoryResponseSchema = Type.Object(
  { messages: Type.Array(MessageSchema), hasMore: Type.Boolean(), lastSeq: Type.Integer() },
  { additionalProperties: false },
);

export const ClientFrameSchema = Type.Union([
  Type.Object(
    { type: Type.Literal('subscribe'), room: SlugSchema, since: Type.Optional(SeqSchema) },
    { additionalProperties: false },
  ),
  Type.Object({ type: Type.Literal('unsubscribe'), room: SlugSchema }, { additionalProperties: false }),
  Type.Object(
    {
      type: Type.Literal('send'),
      room: SlugSchema,
      clientId: ClientIdSchema,
      body: BodySchema,
      replyTo: Type.Optional(IdSchema),
      contentWarnings: Type.Optional(ContentWarningsSchema),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      type: Type.Literal('react'),
      messageId: IdSchema,
      kind: ReactionKindSchema,
      on: Type.Optional(Type.Boolean({ description: 'false takes the reaction back; default true' })),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      type: Type.Literal('edit'),
      messageId: IdSchema,
      body: BodySchema,
      contentWarnings: Type.Optional(ContentWarningsSchema),
    },
    { additionalProperties: false },
  ),
  Type.Object({ type: Type.Literal('delete'), messageId: IdSchema }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('ping') }, { additionalProperties: false }),
  /** Follow my counts on this socket: unread notices, and for staff the review queue (`notices`, `queue`). */
  Type.Object({ type: Type.Literal('counts') }, { additionalProperties: false }),
]);
export type ClientFrame = Static<typeof ClientFrameSchema>;

export type ServerFrame =
  | { type: 'subscribed'; room: string; lastSeq: number }
  | { type: 'unsubscribed'; room: string }
  | { type: 'resync'; room: string }
  | { type: 'event'; room: string; seq: number; kind: 'created' | 'updated'; message: Message }
  | { type: 'ack'; clientId: string; message: Message }
  | { type: 'done'; ref: string }
  | {
      type: 'error';
      code: string;
      message: string;
      ref?: string;
      /** For validation: the frame's field the error is about, when there is one. */
      field?: string;
      room?: string;
      until?: string;
      /** Seconds to wait, for rate_limited. */
      retryAfter?: number;
    }
  /**
   * Something for this member alone. `crisis_resources` (with `resources`): support lines, after words that
   * suggest they may be in danger, and `moderatorOnDuty`: whether a moderator of the room who may see their
   * words (never themselves) was on duty when they wrote, so the screen promises only what is true. `view_changed`: their blocks or hidden warnings changed (maybe on another
   * device), so what is on screen should be fetched again. Others (`urgent_item`, notices of moderation)
   * mean the member's notices have news: `GET /api/me/notices`.
   */
  | {
      type: 'notice';
      code: string;
      until?: string;
      room?: string;
      resources?: unknown;
      moderatorOnDuty?: boolean;
      text?: string;
    }
  | { type: 'pong' }
  /** Items waiting in the review queue this member may act on (staff only), urgent ones counted apart. */
  | { type: 'queue'; total: number; urgent: number }
  /** The member's unread notices (among those `GET /api/me/notices` lists). */
  | { type: 'notices'; unread: number }
  /** The member's read position in a room moved (on any of their devices): to every socket of theirs. */
  | { type: 'read'; room: string; readSeq: number; unread: number }
  /**
   * Who is in a subscribed room now, when it changed: how many members (every instance), the names of those
   * who chose to be seen, and whether a moderator is on duty.
   */
  | { type: 'presence'; room: string; hereNow: number; hereNames: string[]; moderatorOnDuty: boolean };

/** The close code for a socket whose session ended (logout, revocation, deletion, ban). */
export const CLOSE_SESSION_ENDED = 4401;
/** The close code for a socket that could not keep up with its room and was let go. */
export const CLOSE_TOO_SLOW = 4408;
/**
 * The close code for a member's oldest socket on an instance, closed to make room for a newer one past the
 * most a member may have open there. A client should not reconnect on its own: that would close the next.
 */
export const CLOSE_TOO_MANY_SOCKETS = 4409;
/** The standard close code a server going down sends (service restart): reconnect at once, with jitter. */
export const CLOSE_SERVICE_RESTART = 1012;
