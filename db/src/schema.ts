// The one drizzle schema for both PostgreSQL and PGlite. Column names are snake_case in SQL
// (drizzle's `casing` option), camelCase in TypeScript. After a change: `npm run db:generate`.
import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  customType,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (value) => new Uint8Array(value),
});

const createdAt = () => timestamp({ withTimezone: true }).notNull().defaultNow();

export const users = pgTable(
  'users',
  {
    id: uuid().primaryKey().defaultRandom(),
    // Pseudonyms: stored lower-case, so uniqueness ignores case by construction.
    username: text().notNull(),
    displayName: text().notNull(),
    passwordHash: text().notNull(),
    // Granted and revoked only by the operator's CLI (server/src/cli.ts), each change kept in admin_changes.
    isAdmin: boolean().notNull().default(false),
    // Who they are here as, if they chose to say (first visit): shapes which rooms are shown first.
    identity: text(),
    /** ISO 3166-1 alpha-2, chosen in settings: which crisis resources they are shown. */
    country: text(),
    /** A platform ban by an admin: no sign-in, no sessions, no sockets. */
    bannedAt: timestamp({ withTimezone: true }),
    /** Content warnings this member never wants to see unasked (their personal filter). */
    hiddenWarnings: text()
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    /** Named by an admin to moderate stories, which belong to no room. */
    storyModerator: boolean().notNull().default(false),
    /** IANA time zone, so "today" (hard dates, the daily mantra) is the member's own day. */
    timeZone: text(),
    /** Whether members of a room may see this member's name among those here now (off unless they choose). */
    showPresence: boolean().notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('users_username_key').on(sql`lower(${t.username})`)],
);

// Sessions as the Lucia guide describes them: the cookie holds `<id>.<secret>`; the row holds the id and
// only the SHA-256 of the secret, so a copy of the database cannot be turned into a working cookie.
export const sessions = pgTable(
  'sessions',
  {
    id: text().primaryKey(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    secretHash: bytea().notNull(),
    createdAt: createdAt(),
    lastSeenAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('sessions_user_id_idx').on(t.userId)],
);

/**
 * Sign-in attempts per username in the current window, shared by every server instance, so that guesses at
 * one member's password are limited however they are spread over instances and addresses. The key is the
 * SHA-256 of the normalized name, never the name itself (unsalted: a password typed into the name field
 * could be guessed back from it, so rows do not outlive their window for long). A success deletes the row;
 * rows past `resetAt` are swept by a later attempt (at most once a minute) and every hour.
 */
// Every limit that must hold across instances (sign-in attempts, registrations, things a member creates,
// subscribes...): one row per limit and subject, counted in the statement that decides (server/src/limits/).
// The key is a SHA-256 of the limit's name and its subject, never the subject itself (a username or an
// address); rows of ended windows are swept.
export const rateLimitCounters = pgTable(
  'rate_limit_counters',
  {
    key: bytea().primaryKey(),
    hits: integer().notNull(),
    resetAt: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [index('rate_limit_counters_reset_at_idx').on(t.resetAt)],
);

/**
 * Every change to who is a platform admin, as the operator's CLI made it: append-only (a trigger refuses
 * UPDATE and DELETE, as on moderation_actions). No reference to users: the record outlives the account.
 */
export const adminChanges = pgTable(
  'admin_changes',
  {
    id: uuid().primaryKey().defaultRandom(),
    /** 'created' (a new admin account), 'granted' or 'revoked'. */
    change: text().notNull(),
    userId: uuid().notNull(),
    /** The account's name when the change was made. */
    username: text().notNull(),
    /** Who ran the command: the operating-system user and host of the CLI. */
    operator: text().notNull(),
    createdAt: createdAt(),
  },
  (t) => [check('admin_changes_change', sql`${t.change} IN ('created', 'granted', 'revoked')`)],
);

// Platform-level facts that must happen once, such as creating the default rooms on first start.
export const platformMeta = pgTable('platform_meta', {
  key: text().primaryKey(),
  value: text().notNull(),
  updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

export const rooms = pgTable(
  'rooms',
  {
    id: uuid().primaryKey().defaultRandom(),
    slug: text().notNull(),
    name: text().notNull(),
    description: text().notNull(),
    audience: text().notNull(),
    /** Markdown, accepted by every member before joining. */
    rules: text().notNull(),
    /** Shown before entering a room whose subject can hurt others (e.g. pregnancy after loss). */
    contentNote: text(),
    slowModeSeconds: integer().notNull().default(0),
    locked: boolean().notNull().default(false),
    archivedAt: timestamp({ withTimezone: true }),
    /** Order in lists; lower first. */
    position: integer().notNull().default(100),
    /** The last event sequence number of the room's chat; assigned inside the committing transaction. */
    lastSeq: bigint({ mode: 'number' }).notNull().default(0),
    /**
     * 'community' (a room members see and join) or 'staff': the one private moderators' room, whose members
     * are kept to every room moderator, story moderator and admin (rooms/staff-room.ts). Members never see it.
     */
    kind: text().notNull().default('community'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('rooms_slug_key').on(t.slug),
    check('rooms_kind', sql`${t.kind} IN ('community', 'staff')`),
    // At most one moderators' room.
    uniqueIndex('rooms_one_staff_room_key')
      .on(t.kind)
      .where(sql`${t.kind} = 'staff'`),
    check('rooms_slow_mode_range', sql`${t.slowModeSeconds} >= 0 AND ${t.slowModeSeconds} <= 86400`),
  ],
);

export const memberships = pgTable(
  'memberships',
  {
    roomId: uuid()
      .notNull()
      .references(() => rooms.id, { onDelete: 'cascade' }),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** 'member' or 'moderator' (a volunteer moderator of this room, appointed by an admin). */
    role: text().notNull().default('member'),
    rulesAcceptedAt: timestamp({ withTimezone: true }).notNull(),
    joinedAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.roomId, t.userId] }), index('memberships_user_id_idx').on(t.userId)],
);

export const messages = pgTable(
  'messages',
  {
    id: uuid().primaryKey().defaultRandom(),
    roomId: uuid()
      .notNull()
      .references(() => rooms.id, { onDelete: 'cascade' }),
    /** The seq of the event that created it; equal to that event's seq. */
    seq: bigint({ mode: 'number' }).notNull(),
    // Null once the author deletes their account: the message stays as a content-free placeholder.
    authorId: uuid().references(() => users.id, { onDelete: 'set null' }),
    /** Chosen by the sender's client; a retry with the same one returns the original message. */
    clientId: text(),
    body: text().notNull(),
    replyTo: uuid(),
    /** From the shared vocabulary: chosen by the author, and added to by moderators. */
    contentWarnings: text()
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    createdAt: createdAt(),
    editedAt: timestamp({ withTimezone: true }),
    deletedAt: timestamp({ withTimezone: true }),
    hiddenAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    uniqueIndex('messages_room_seq_key').on(t.roomId, t.seq),
    uniqueIndex('messages_author_client_id_key').on(t.authorId, t.clientId),
    // By author (export, account deletion) and, for slow mode, an author's newest message in a room.
    index('messages_author_room_seq_idx').on(t.authorId, t.roomId, t.seq),
  ],
);

export const reactions = pgTable(
  'reactions',
  {
    messageId: uuid()
      .notNull()
      .references(() => messages.id, { onDelete: 'cascade' }),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: text().notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.messageId, t.userId, t.kind] }), index('reactions_user_idx').on(t.userId)],
);

// The ordered stream of everything a room's members can see change. `seq` is per room, consecutive from 1,
// assigned inside the transaction that commits the change (never from clocks or serial ids).
export const roomEvents = pgTable(
  'room_events',
  {
    roomId: uuid()
      .notNull()
      .references(() => rooms.id, { onDelete: 'cascade' }),
    seq: bigint({ mode: 'number' }).notNull(),
    kind: text().notNull(),
    messageId: uuid()
      .notNull()
      .references(() => messages.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.roomId, t.seq] })],
);

// ── Read positions and presence ─────────────────────────────────────────────────────────────────────
/** The last seq of a room each member has read; it only moves forward (server/src/reads/). */
export const readPositions = pgTable(
  'read_positions',
  {
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    roomId: uuid()
      .notNull()
      .references(() => rooms.id, { onDelete: 'cascade' }),
    seq: bigint({ mode: 'number' }).notNull(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.roomId] })],
);

/**
 * Each running server instance that holds sockets, and until when it is taken to be alive: it renews
 * `expires_at` on a heartbeat (database time), so one that dies stops counting once it expires.
 */
export const presenceInstances = pgTable('presence_instances', {
  id: uuid().primaryKey(),
  expiresAt: timestamp({ withTimezone: true }).notNull(),
});

/** Who has a socket subscribed to a room on which instance: "here now" is the distinct members over live instances. */
export const roomPresence = pgTable(
  'room_presence',
  {
    instanceId: uuid()
      .notNull()
      .references(() => presenceInstances.id, { onDelete: 'cascade' }),
    roomId: uuid()
      .notNull()
      .references(() => rooms.id, { onDelete: 'cascade' }),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
  },
  (t) => [
    primaryKey({ columns: [t.roomId, t.userId, t.instanceId] }),
    index('room_presence_instance_idx').on(t.instanceId),
  ],
);

// ── Moderation ──────────────────────────────────────────────────────────────────────────────────────
// Reports, the review queue, actions and their audit log are built over (target type, target id), so
// new kinds of content (stories, replies) plug in as new target types with no new machinery.

/** One item in the review queue per reported (or held) target, however many people reported it. */
export const moderationItems = pgTable(
  'moderation_items',
  {
    id: uuid().primaryKey().defaultRandom(),
    targetType: text().notNull(),
    targetId: uuid().notNull(),
    /** The room whose moderators may act on it; null for platform-wide targets (admins only). */
    roomId: uuid().references(() => rooms.id, { onDelete: 'cascade' }),
    /** The member the item is about (a message's author, a reported member), for context and export. */
    subjectId: uuid().references(() => users.id, { onDelete: 'set null' }),
    status: text().notNull().default('open'),
    urgent: boolean().notNull().default(false),
    /** Why it is here when no member reported it (e.g. 'crisis_language'). */
    automaticReason: text(),
    createdAt: createdAt(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    resolvedAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    // At most one open item per target: a second report joins the first.
    uniqueIndex('moderation_items_open_target_key')
      .on(t.targetType, t.targetId)
      .where(sql`${t.status} = 'open'`),
    index('moderation_items_room_idx').on(t.roomId, t.status),
  ],
);

export const reports = pgTable(
  'reports',
  {
    id: uuid().primaryKey().defaultRandom(),
    itemId: uuid()
      .notNull()
      .references(() => moderationItems.id, { onDelete: 'cascade' }),
    reporterId: uuid().references(() => users.id, { onDelete: 'set null' }),
    reason: text().notNull(),
    note: text(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('reports_item_reporter_key').on(t.itemId, t.reporterId),
    index('reports_reporter_idx').on(t.reporterId),
  ],
);

/**
 * The audit log: one row per action, never changed or deleted (a trigger in the migrations refuses
 * UPDATE and DELETE). Actor and subject are plain ids, not foreign keys, so the record outlives accounts.
 */
export const moderationActions = pgTable(
  'moderation_actions',
  {
    id: uuid().primaryKey().defaultRandom(),
    actorId: uuid().notNull(),
    action: text().notNull(),
    targetType: text().notNull(),
    targetId: uuid().notNull(),
    roomId: uuid(),
    subjectId: uuid(),
    reason: text().notNull(),
    durationMinutes: integer(),
    seconds: integer(),
    createdAt: createdAt(),
  },
  (t) => [
    index('moderation_actions_room_idx').on(t.roomId, t.createdAt),
    index('moderation_actions_subject_idx').on(t.subjectId),
  ],
);

export const roomMutes = pgTable(
  'room_mutes',
  {
    roomId: uuid()
      .notNull()
      .references(() => rooms.id, { onDelete: 'cascade' }),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    until: timestamp({ withTimezone: true }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.roomId, t.userId] })],
);

/** Members removed from a room: they cannot join it again. */
export const roomRemovals = pgTable(
  'room_removals',
  {
    roomId: uuid()
      .notNull()
      .references(() => rooms.id, { onDelete: 'cascade' }),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.roomId, t.userId] })],
);

/** Moderators on duty in a room, and whether they let members see who they are. */
export const moderatorDuty = pgTable(
  'moderator_duty',
  {
    roomId: uuid()
      .notNull()
      .references(() => rooms.id, { onDelete: 'cascade' }),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    showName: boolean().notNull().default(false),
    since: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.roomId, t.userId] })],
);

/** Notes a room's moderators leave each other when going off duty: read by its moderators and admins only. */
export const handoverNotes = pgTable(
  'handover_notes',
  {
    id: uuid().primaryKey().defaultRandom(),
    roomId: uuid()
      .notNull()
      .references(() => rooms.id, { onDelete: 'cascade' }),
    authorId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    body: text().notNull(),
    createdAt: createdAt(),
    updatedAt: timestamp({ withTimezone: true }),
  },
  (t) => [index('handover_notes_room_idx').on(t.roomId, t.createdAt)],
);

/** A finished stretch on duty, so a moderator's own page can say how long they were there this month. */
export const dutyStretches = pgTable(
  'duty_stretches',
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    roomId: uuid()
      .notNull()
      .references(() => rooms.id, { onDelete: 'cascade' }),
    startedAt: timestamp({ withTimezone: true }).notNull(),
    endedAt: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [index('duty_stretches_user_idx').on(t.userId, t.endedAt)],
);

/** Private notices to one member (e.g. "a moderator hid your message, because …"), kept until read. */
export const memberNotices = pgTable(
  'member_notices',
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: text().notNull(),
    roomId: uuid(),
    messageId: uuid(),
    text: text().notNull(),
    /** The warnings of the content the text quotes (e.g. a story's title), so it can be collapsed. */
    contentWarnings: text()
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    createdAt: createdAt(),
    readAt: timestamp({ withTimezone: true }),
  },
  (t) => [index('member_notices_user_idx').on(t.userId, t.createdAt)],
);

// ── Stories ────────────────────────────────────────────────────────────────────────────────────────────
export const stories = pgTable(
  'stories',
  {
    id: uuid().primaryKey().defaultRandom(),
    authorId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    title: text().notNull(),
    /** Markdown as written; bodyHtml is its sanitized rendering, made once on save. */
    body: text().notNull(),
    bodyHtml: text().notNull(),
    tags: text()
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    contentWarnings: text()
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    anonymous: boolean().notNull().default(false),
    /** draft, pending (waiting for a moderator), published or rejected. */
    status: text().notNull(),
    /** Why a pending story waits: 'new_member' or 'risk' (then its author is shown crisis lines). */
    heldFor: text(),
    hiddenAt: timestamp({ withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    publishedAt: timestamp({ withTimezone: true }),
    search: customType<{ data: string }>({ dataType: () => 'tsvector' })().generatedAlwaysAs(
      sql`to_tsvector('english', coalesce(title, '') || ' ' || coalesce(body, ''))`,
    ),
  },
  (t) => [
    index('stories_published_idx').on(t.status, t.publishedAt),
    index('stories_author_idx').on(t.authorId),
    index('stories_search_idx').using('gin', t.search),
  ],
);

export const storyReplies = pgTable(
  'story_replies',
  {
    id: uuid().primaryKey().defaultRandom(),
    storyId: uuid()
      .notNull()
      .references(() => stories.id, { onDelete: 'cascade' }),
    authorId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    body: text().notNull(),
    bodyHtml: text().notNull(),
    contentWarnings: text()
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    anonymous: boolean().notNull().default(false),
    hiddenAt: timestamp({ withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    index('story_replies_story_idx').on(t.storyId, t.createdAt),
    index('story_replies_author_idx').on(t.authorId),
  ],
);

export const storyReactions = pgTable(
  'story_reactions',
  {
    storyId: uuid()
      .notNull()
      .references(() => stories.id, { onDelete: 'cascade' }),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: text().notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.storyId, t.userId, t.kind] }), index('story_reactions_user_idx').on(t.userId)],
);

// ── Care tools ────────────────────────────────────────────────────────────────────────────────────────
/** A private journal: no route but its author's ever reads an entry. */
export const journalEntries = pgTable(
  'journal_entries',
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    prompt: text(),
    body: text().notNull(),
    createdAt: createdAt(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('journal_entries_user_idx').on(t.userId, t.createdAt)],
);

/** Dates that matter to a member (a due date, a loss, an anniversary): private, kept by month and day. */
export const hardDates = pgTable(
  'hard_dates',
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    label: text().notNull(),
    kind: text().notNull(),
    month: integer().notNull(),
    day: integer().notNull(),
    year: integer(),
    createdAt: createdAt(),
  },
  (t) => [
    index('hard_dates_user_idx').on(t.userId),
    check('hard_dates_month_day', sql`${t.month} BETWEEN 1 AND 12 AND ${t.day} BETWEEN 1 AND 31`),
  ],
);

/** The remembrance wall: candles lit, optionally with a name or a few words, optionally anonymous. */
export const candles = pgTable(
  'candles',
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text(),
    words: text(),
    contentWarnings: text()
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    anonymous: boolean().notNull().default(false),
    hiddenAt: timestamp({ withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [index('candles_created_idx').on(t.createdAt), index('candles_user_idx').on(t.userId)],
);

// ── Blocks ────────────────────────────────────────────────────────────────────────────────────────────
/**
 * A member blocks another: the blocked member's words are collapsed for the blocker, and they cannot reply
 * to or react to the blocker's messages and stories. The blocked member is never told.
 */
export const blocks = pgTable(
  'blocks',
  {
    blockerId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    blockedId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.blockerId, t.blockedId] }), index('blocks_blocked_idx').on(t.blockedId)],
);

// ── Account recovery ──────────────────────────────────────────────────────────────────────────────────
/**
 * A member's recovery codes: single-use, made in sets (renewing deletes the old set). Only a SHA-256 of each
 * code is kept (server/src/auth/recovery-codes.ts says why a fast hash is enough for codes this random).
 */
export const recoveryCodes = pgTable(
  'recovery_codes',
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    codeHash: bytea().notNull(),
    createdAt: createdAt(),
    /** Spent: a code works once. */
    usedAt: timestamp({ withTimezone: true }),
  },
  (t) => [index('recovery_codes_user_idx').on(t.userId)],
);

/**
 * One-time links an admin (or the operator's CLI) issues to a member who lost their password and their
 * codes: only a SHA-256 of the token is kept; 24 hours, one use. Issuing and using are recorded in the
 * moderation audit log (moderation_actions), which is append-only.
 */
export const passwordResetLinks = pgTable(
  'password_reset_links',
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    tokenHash: bytea().notNull(),
    /** The admin who issued it; null when the operator's CLI did. A plain id: it outlives the admin. */
    issuedBy: uuid(),
    createdAt: createdAt(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    usedAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    uniqueIndex('password_reset_links_token_key').on(t.tokenHash),
    index('password_reset_links_user_idx').on(t.userId),
  ],
);
