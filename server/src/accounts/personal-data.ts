// Every table that holds a member's data says here how that data is exported and how it is erased
// when the member deletes their account. A feature that adds such a table adds its source to
// `personalDataSources`; a test fails for any table that refers to users and is not covered.
import { schema, type Database } from '@kindred/db';
import { and, eq, inArray, or, sql } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import { toUser } from '../auth/users.ts';
import { appendUpdatedEvents } from '../chat/room-events.ts';

const {
  blocks,
  dutyStretches,
  handoverNotes,
  memberNotices,
  memberships,
  messages,
  moderationItems,
  moderatorDuty,
  reactions,
  reports,
  roomMutes,
  roomRemovals,
  rooms,
  sessions,
  candles,
  hardDates,
  journalEntries,
  stories,
  storyReactions,
  storyReplies,
  users,
  recoveryCodes,
  passwordResetLinks,
  readPositions,
  roomPresence,
} = schema;

export interface PersonalDataContext {
  db: Database;
  userId: string;
  now: Date;
  /** Erasers that add room events report them here; they reach live sockets after the commit. */
  roomEvents?: { roomId: string; from: number; to: number }[];
}

export interface PersonalDataSource {
  /** The key of this source's rows in the export. */
  key: string;
  /** The tables this source answers for. */
  tables: PgTable[];
  export(context: PersonalDataContext): Promise<unknown>;
  /** Runs inside the deletion transaction, in the order of `personalDataSources`. */
  erase(context: PersonalDataContext): Promise<void>;
}

const sessionsSource: PersonalDataSource = {
  key: 'sessions',
  tables: [sessions],
  export: async ({ db, userId }) =>
    (
      await db
        .select({ id: sessions.id, createdAt: sessions.createdAt, lastSeenAt: sessions.lastSeenAt })
        .from(sessions)
        .where(eq(sessions.userId, userId))
    ).map((row) => ({ ...row, createdAt: row.createdAt.toISOString(), lastSeenAt: row.lastSeenAt.toISOString() })),
  erase: async ({ db, userId }) => {
    await db.delete(sessions).where(eq(sessions.userId, userId));
  },
};

const membershipsSource: PersonalDataSource = {
  key: 'memberships',
  tables: [memberships],
  export: async ({ db, userId }) =>
    (
      await db
        .select({
          room: rooms.slug,
          role: memberships.role,
          joinedAt: memberships.joinedAt,
          rulesAcceptedAt: memberships.rulesAcceptedAt,
        })
        .from(memberships)
        .innerJoin(rooms, eq(rooms.id, memberships.roomId))
        .where(eq(memberships.userId, userId))
    ).map((row) => ({
      ...row,
      joinedAt: row.joinedAt.toISOString(),
      rulesAcceptedAt: row.rulesAcceptedAt.toISOString(),
    })),
  erase: async ({ db, userId }) => {
    await db.delete(memberships).where(eq(memberships.userId, userId));
  },
};

// One's place in each room; and the rooms one has a socket in now (not exported: it lasts as long as a tab).
const readsSource: PersonalDataSource = {
  key: 'readPositions',
  tables: [readPositions, roomPresence],
  export: async ({ db, userId }) =>
    (
      await db
        .select({ room: rooms.slug, readSeq: readPositions.seq, updatedAt: readPositions.updatedAt })
        .from(readPositions)
        .innerJoin(rooms, eq(rooms.id, readPositions.roomId))
        .where(eq(readPositions.userId, userId))
    ).map((row) => ({ ...row, readSeq: Number(row.readSeq), updatedAt: row.updatedAt.toISOString() })),
  erase: async ({ db, userId }) => {
    await db.delete(readPositions).where(eq(readPositions.userId, userId));
    await db.delete(roomPresence).where(eq(roomPresence.userId, userId));
  },
};

// Chat messages outlive their author as placeholders (no author, no words), so threads stay readable.
// Each becomes an `updated` event in its room, so open screens lose the words too.
const messagesSource: PersonalDataSource = {
  key: 'messages',
  tables: [messages, reactions],
  export: async ({ db, userId }) => {
    const own = await db
      .select({
        id: messages.id,
        room: rooms.slug,
        body: messages.body,
        replyTo: messages.replyTo,
        contentWarnings: messages.contentWarnings,
        createdAt: messages.createdAt,
        editedAt: messages.editedAt,
        deletedAt: messages.deletedAt,
        hiddenAt: messages.hiddenAt,
      })
      .from(messages)
      .innerJoin(rooms, eq(rooms.id, messages.roomId))
      .where(eq(messages.authorId, userId))
      .orderBy(messages.createdAt);
    const myReactions = await db
      .select({ messageId: reactions.messageId, kind: reactions.kind, createdAt: reactions.createdAt })
      .from(reactions)
      .where(eq(reactions.userId, userId));
    return {
      written: own.map((m) => ({
        id: m.id,
        room: m.room,
        body: m.body,
        replyTo: m.replyTo,
        contentWarnings: m.contentWarnings,
        createdAt: m.createdAt.toISOString(),
        editedAt: m.editedAt?.toISOString() ?? null,
        deleted: m.deletedAt !== null,
        hidden: m.hiddenAt !== null,
      })),
      reactions: myReactions.map((r) => ({ ...r, createdAt: r.createdAt.toISOString() })),
    };
  },
  erase: async (context) => {
    const { db, userId, now } = context;
    await db.delete(reactions).where(eq(reactions.userId, userId));
    const own = await db
      .select({ id: messages.id, roomId: messages.roomId })
      .from(messages)
      .where(and(eq(messages.authorId, userId)));
    const byRoom = new Map<string, string[]>();
    for (const m of own) byRoom.set(m.roomId, [...(byRoom.get(m.roomId) ?? []), m.id]);
    for (const [roomId, ids] of byRoom) {
      const range = await appendUpdatedEvents(db, roomId, ids, now);
      if (range) context.roomEvents?.push(range);
    }
    if (own.length) {
      await db
        .update(messages)
        .set({
          authorId: null,
          clientId: null,
          body: '',
          deletedAt: sql`coalesce(${messages.deletedAt}, ${now.toISOString()}::timestamptz)`,
        })
        .where(
          inArray(
            messages.id,
            own.map((m) => m.id),
          ),
        );
    }
  },
};

// Moderation records touching the member: the reports they filed (never who filed reports about them),
// private notices, mutes, removals and duty. On deletion, safety records stay but forget the account.
const moderationSource: PersonalDataSource = {
  key: 'moderation',
  tables: [moderationItems, reports, roomMutes, roomRemovals, moderatorDuty, memberNotices],
  export: async ({ db, userId }) => {
    const iso = (d: Date | null) => d?.toISOString() ?? null;
    const filed = await db
      .select({ report: reports, targetType: moderationItems.targetType, targetId: moderationItems.targetId })
      .from(reports)
      .innerJoin(moderationItems, eq(moderationItems.id, reports.itemId))
      .where(eq(reports.reporterId, userId));
    const notices = await db.select().from(memberNotices).where(eq(memberNotices.userId, userId));
    const mutes = await db
      .select({ room: rooms.slug, until: roomMutes.until })
      .from(roomMutes)
      .innerJoin(rooms, eq(rooms.id, roomMutes.roomId))
      .where(eq(roomMutes.userId, userId));
    const removals = await db
      .select({ room: rooms.slug, at: roomRemovals.createdAt })
      .from(roomRemovals)
      .innerJoin(rooms, eq(rooms.id, roomRemovals.roomId))
      .where(eq(roomRemovals.userId, userId));
    const duty = await db
      .select({ room: rooms.slug, since: moderatorDuty.since, showName: moderatorDuty.showName })
      .from(moderatorDuty)
      .innerJoin(rooms, eq(rooms.id, moderatorDuty.roomId))
      .where(eq(moderatorDuty.userId, userId));
    return {
      reportsFiled: filed.map(({ report, targetType, targetId }) => ({
        target: { type: targetType, id: targetId },
        reason: report.reason,
        note: report.note,
        createdAt: iso(report.createdAt),
      })),
      notices: notices.map((n) => ({ kind: n.kind, text: n.text, createdAt: iso(n.createdAt), readAt: iso(n.readAt) })),
      mutes: mutes.map((m) => ({ room: m.room, until: iso(m.until) })),
      removals: removals.map((r) => ({ room: r.room, at: iso(r.at) })),
      duty: duty.map((d) => ({ room: d.room, since: iso(d.since), showName: d.showName })),
    };
  },
  erase: async ({ db, userId }) => {
    await db.update(reports).set({ reporterId: null }).where(eq(reports.reporterId, userId));
    await db.update(moderationItems).set({ subjectId: null }).where(eq(moderationItems.subjectId, userId));
    await db.delete(memberNotices).where(eq(memberNotices.userId, userId));
    await db.delete(roomMutes).where(eq(roomMutes.userId, userId));
    await db.delete(roomRemovals).where(eq(roomRemovals.userId, userId));
    await db.delete(moderatorDuty).where(eq(moderatorDuty.userId, userId));
  },
};

// Stories are the member's own words: exported whole (anonymous ones too: they are theirs), and deleted
// with the account, with their replies and the member's replies and reactions elsewhere.
const storiesSource: PersonalDataSource = {
  key: 'stories',
  tables: [stories, storyReplies, storyReactions],
  export: async ({ db, userId }) => {
    const iso = (d: Date | null) => d?.toISOString() ?? null;
    const own = await db.select().from(stories).where(eq(stories.authorId, userId));
    const replies = await db.select().from(storyReplies).where(eq(storyReplies.authorId, userId));
    const reacted = await db.select().from(storyReactions).where(eq(storyReactions.userId, userId));
    return {
      written: own.map((s) => ({
        id: s.id,
        title: s.title,
        body: s.body,
        tags: s.tags,
        contentWarnings: s.contentWarnings,
        anonymous: s.anonymous,
        status: s.status,
        hidden: s.hiddenAt !== null,
        createdAt: iso(s.createdAt),
        publishedAt: iso(s.publishedAt),
      })),
      replies: replies.map((r) => ({
        id: r.id,
        storyId: r.storyId,
        body: r.body,
        anonymous: r.anonymous,
        hidden: r.hiddenAt !== null,
        createdAt: iso(r.createdAt),
      })),
      reactions: reacted.map((r) => ({ storyId: r.storyId, kind: r.kind, createdAt: iso(r.createdAt) })),
    };
  },
  erase: async ({ db, userId }) => {
    await db.delete(storyReactions).where(eq(storyReactions.userId, userId));
    await db.delete(storyReplies).where(eq(storyReplies.authorId, userId));
    await db.delete(stories).where(eq(stories.authorId, userId));
  },
};

// The gentle tools: the journal and hard dates are the member's alone; candles they lit go with them.
const careSource: PersonalDataSource = {
  key: 'care',
  tables: [journalEntries, hardDates, candles],
  export: async ({ db, userId }) => {
    const iso = (d: Date | null) => d?.toISOString() ?? null;
    const journal = await db.select().from(journalEntries).where(eq(journalEntries.userId, userId));
    const dates = await db.select().from(hardDates).where(eq(hardDates.userId, userId));
    const lit = await db.select().from(candles).where(eq(candles.userId, userId));
    return {
      journal: journal.map((e) => ({
        prompt: e.prompt,
        body: e.body,
        createdAt: iso(e.createdAt),
        updatedAt: iso(e.updatedAt),
      })),
      hardDates: dates.map((d) => ({ label: d.label, kind: d.kind, month: d.month, day: d.day, year: d.year })),
      candles: lit.map((c) => ({
        name: c.name,
        words: c.words,
        contentWarnings: c.contentWarnings,
        anonymous: c.anonymous,
        createdAt: iso(c.createdAt),
      })),
    };
  },
  erase: async ({ db, userId }) => {
    await db.delete(journalEntries).where(eq(journalEntries.userId, userId));
    await db.delete(hardDates).where(eq(hardDates.userId, userId));
    await db.delete(candles).where(eq(candles.userId, userId));
  },
};

// Whom the member blocked (never who blocked them); both directions go with the account.
const blocksSource: PersonalDataSource = {
  key: 'blocks',
  tables: [blocks],
  export: async ({ db, userId }) =>
    (
      await db
        .select({ id: blocks.blockedId, displayName: users.displayName, blockedAt: blocks.createdAt })
        .from(blocks)
        .innerJoin(users, eq(users.id, blocks.blockedId))
        .where(eq(blocks.blockerId, userId))
    ).map((row) => ({ ...row, blockedAt: row.blockedAt.toISOString() })),
  erase: async ({ db, userId }) => {
    await db.delete(blocks).where(or(eq(blocks.blockerId, userId), eq(blocks.blockedId, userId)));
  },
};

// Getting back in: whether the member has recovery codes, when they were made and how many are unused, and
// the reset links issued for them; never a hash of a code or a token.
const recoverySource: PersonalDataSource = {
  key: 'recovery',
  tables: [recoveryCodes, passwordResetLinks],
  export: async ({ db, userId }) => {
    const codes = await db
      .select({ createdAt: recoveryCodes.createdAt, usedAt: recoveryCodes.usedAt })
      .from(recoveryCodes)
      .where(eq(recoveryCodes.userId, userId));
    const links = await db
      .select({
        createdAt: passwordResetLinks.createdAt,
        expiresAt: passwordResetLinks.expiresAt,
        usedAt: passwordResetLinks.usedAt,
      })
      .from(passwordResetLinks)
      .where(eq(passwordResetLinks.userId, userId));
    return {
      codes: codes.length
        ? { remaining: codes.filter((code) => !code.usedAt).length, createdAt: codes[0]!.createdAt.toISOString() }
        : null,
      resetLinks: links.map((link) => ({
        issuedAt: link.createdAt.toISOString(),
        expiresAt: link.expiresAt.toISOString(),
        usedAt: link.usedAt?.toISOString() ?? null,
      })),
    };
  },
  erase: async ({ db, userId }) => {
    await db.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
    await db.delete(passwordResetLinks).where(eq(passwordResetLinks.userId, userId));
  },
};

// The account itself goes last: other sources may still need the row while they erase.
const userSource: PersonalDataSource = {
  key: 'user',
  tables: [users],
  export: async ({ db, userId }) => {
    const [user] = await db.select().from(users).where(eq(users.id, userId));
    return user ? toUser(user) : null;
  },
  erase: async ({ db, userId }) => {
    await db.delete(users).where(eq(users.id, userId));
  },
};

// A moderator's handover notes and stretches on duty are theirs: exported, and erased with the account.
const moderatorCareSource: PersonalDataSource = {
  key: 'moderatorCare',
  tables: [handoverNotes, dutyStretches],
  export: async ({ db, userId }) => ({
    handoverNotes: (
      await db
        .select({ room: rooms.slug, body: handoverNotes.body, createdAt: handoverNotes.createdAt })
        .from(handoverNotes)
        .innerJoin(rooms, eq(rooms.id, handoverNotes.roomId))
        .where(eq(handoverNotes.authorId, userId))
    ).map((row) => ({ ...row, createdAt: row.createdAt.toISOString() })),
    dutyStretches: (
      await db
        .select({ room: rooms.slug, startedAt: dutyStretches.startedAt, endedAt: dutyStretches.endedAt })
        .from(dutyStretches)
        .innerJoin(rooms, eq(rooms.id, dutyStretches.roomId))
        .where(eq(dutyStretches.userId, userId))
    ).map((row) => ({ ...row, startedAt: row.startedAt.toISOString(), endedAt: row.endedAt.toISOString() })),
  }),
  erase: async ({ db, userId }) => {
    await db.delete(handoverNotes).where(eq(handoverNotes.authorId, userId));
    await db.delete(dutyStretches).where(eq(dutyStretches.userId, userId));
  },
};

export const personalDataSources: readonly PersonalDataSource[] = [
  moderatorCareSource,
  sessionsSource,
  messagesSource,
  moderationSource,
  storiesSource,
  careSource,
  blocksSource,
  readsSource,
  membershipsSource,
  recoverySource,
  userSource,
];

export async function exportPersonalData(context: PersonalDataContext): Promise<Record<string, unknown>> {
  const result: Record<string, unknown> = { exportedAt: context.now.toISOString() };
  for (const source of personalDataSources) result[source.key] = await source.export(context);
  return result;
}

/** Erases everything in one transaction; returns the room events it added, for live delivery. */
export async function erasePersonalData(
  context: PersonalDataContext,
): Promise<{ roomId: string; from: number; to: number }[]> {
  const roomEventRanges: { roomId: string; from: number; to: number }[] = [];
  await context.db.transaction(async (tx) => {
    for (const source of personalDataSources) {
      await source.erase({ ...context, db: tx as unknown as Database, roomEvents: roomEventRanges });
    }
  });
  return roomEventRanges;
}
