// The notice centre: one list of what concerns a member. Moderators' notices about their words (made by
// moderation/service.ts), and here: replies to their stories and chat messages, the support sent to a
// story (gathered: one notice per story that grows), mentions by @username, and the hard-day note.
//
// Each notice is read through the member's filter and blocks, as everything else is: a notice caused by a
// member blocked either way is not made, and one made before a block is left out of every answer; a
// preview whose warnings the member's filter holds comes `filtered` (folded on screen). The author of
// anonymous words is never named: the stored actor is only compared, never sent, and the text says
// "Someone". Support to a story is counted (people, never names), blocks apart.
import { schema, type Database } from '@kindred/db';
import { noticeKinds, type NoticeKind, type NoticeSettings } from '@kindred/shared';
import { and, desc, eq, inArray, isNull, lt, notInArray, or, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { createCareService } from '../care/service.ts';
import { ApiError } from '../errors.ts';
import type { LimitCounters, Limit } from '../limits/counters.ts';
import { mentionedUsernames, MENTIONS_PER_MESSAGE, previewOf } from './words.ts';

const { blocks, memberNotices, memberships, messages, rooms, stories, storyReactions, storyReplies, users } = schema;

export interface NoticeFrame {
  type: 'notice';
  code: string;
  id: string;
  text: string;
  preview: string | null;
  link: string | null;
  messageId: string | null;
  filtered: string[];
}

interface NewNotice {
  kind: NoticeKind;
  /** Who caused it: compared with the member's blocks, and named unless anonymous. */
  actorId: string;
  /** False for gathered support: the latest person to react is not the notice's author. */
  keepActor?: boolean;
  anonymous?: boolean;
  storyId?: string;
  roomId?: string;
  messageId?: string;
  preview: string;
  contentWarnings: string[];
  gatherKey: string;
  /** Gathered notices grow (and come back unread); others are made once per key. */
  grows?: boolean;
}

export function createNoticeCentre(deps: {
  db: Database;
  now: () => Date;
  kept: number;
  limits: LimitCounters;
  mentionLimit: Limit;
  /** A notice made: its member's sockets are sent the frame (all instances), and their count again. */
  publish: (userId: string, frame: NoticeFrame) => void;
  onError: (error: unknown) => void;
}) {
  const { db, now, kept } = deps;
  const care = createCareService({ db, now });
  const actor = alias(users, 'actor');

  /** Members blocked by, or blocking, this one. */
  async function blockedEitherWay(userId: string): Promise<Set<string>> {
    const rows = await db
      .select({ blockerId: blocks.blockerId, blockedId: blocks.blockedId })
      .from(blocks)
      .where(or(eq(blocks.blockerId, userId), eq(blocks.blockedId, userId)));
    return new Set(rows.map((row) => (row.blockerId === userId ? row.blockedId : row.blockerId)));
  }

  async function settingsRow(userId: string) {
    const [row] = await db
      .select({ off: users.noticeKindsOff, hiddenWarnings: users.hiddenWarnings, timeZone: users.timeZone })
      .from(users)
      .where(eq(users.id, userId));
    return row;
  }

  /** Makes a notice (unless turned off, blocked either way, or the member's own doing) and tells them. */
  async function add(userId: string, notice: NewNotice): Promise<void> {
    if (userId === notice.actorId) return;
    const member = await settingsRow(userId);
    if (!member || member.off.includes(notice.kind)) return;
    if ((await blockedEitherWay(userId)).has(notice.actorId)) return;
    const at = now();
    const values = {
      userId,
      kind: notice.kind,
      roomId: notice.roomId ?? null,
      messageId: notice.messageId ?? null,
      storyId: notice.storyId ?? null,
      actorId: notice.keepActor === false ? null : notice.actorId,
      anonymous: notice.anonymous ?? false,
      text: notice.preview,
      contentWarnings: notice.contentWarnings,
      gatherKey: notice.gatherKey,
      createdAt: at,
    };
    const insert = db.insert(memberNotices).values(values);
    const [row] = await (
      notice.grows
        ? insert.onConflictDoUpdate({
            target: [memberNotices.userId, memberNotices.gatherKey],
            set: { createdAt: at, readAt: null },
          })
        : insert.onConflictDoNothing()
    ).returning({ id: memberNotices.id });
    if (!row) return;
    await forgetOldest(userId);
    const [view] = await list(userId, { id: row.id });
    if (view) {
      deps.publish(userId, {
        type: 'notice',
        code: view.kind,
        id: view.id,
        text: view.text,
        preview: view.preview,
        link: view.link,
        messageId: view.messageId,
        filtered: view.filtered,
      });
    }
  }

  /** Keeps the newest `kept` notices of a member. */
  async function forgetOldest(userId: string): Promise<void> {
    const newest = db
      .select({ id: memberNotices.id })
      .from(memberNotices)
      .where(eq(memberNotices.userId, userId))
      .orderBy(desc(memberNotices.createdAt), desc(memberNotices.id))
      .limit(kept);
    await db.delete(memberNotices).where(and(eq(memberNotices.userId, userId), notInArray(memberNotices.id, newest)));
  }

  /** Today's hard-day notes, made once a day when the member's notices are first read that day. */
  async function meetHardDays(userId: string, timeZone: string | null, off: string[]): Promise<void> {
    if (off.includes('hard_day')) return;
    const today = await care.today({ id: userId, timeZone });
    for (const date of today.hardDates) {
      await db
        .insert(memberNotices)
        .values({
          userId,
          kind: 'hard_day',
          text: date.label,
          gatherKey: `hard_day:${date.id}:${today.date}`,
          createdAt: now(),
        })
        .onConflictDoNothing();
    }
    if (today.hardDates.length) await forgetOldest(userId);
  }

  /** A member's notices, newest first, as they may see them. */
  async function list(userId: string, page: { before?: string; limit?: number; id?: string } = {}) {
    const member = await settingsRow(userId);
    if (!member) return [];
    if (!page.id) await meetHardDays(userId, member.timeZone, member.off);
    const rows = await db
      .select({
        notice: memberNotices,
        actorName: actor.displayName,
        storyTitle: stories.title,
        storyWarnings: stories.contentWarnings,
        roomSlug: rooms.slug,
        roomName: rooms.name,
        // The words as they are now: an edit shows, and hidden or deleted words take their notice away.
        message: {
          body: messages.body,
          warnings: messages.contentWarnings,
          hiddenAt: messages.hiddenAt,
          deletedAt: messages.deletedAt,
        },
        reply: { body: storyReplies.body, warnings: storyReplies.contentWarnings, hiddenAt: storyReplies.hiddenAt },
      })
      .from(memberNotices)
      .leftJoin(actor, eq(actor.id, memberNotices.actorId))
      .leftJoin(stories, eq(stories.id, memberNotices.storyId))
      .leftJoin(rooms, eq(rooms.id, memberNotices.roomId))
      .leftJoin(messages, eq(messages.id, memberNotices.messageId))
      .leftJoin(
        storyReplies,
        and(
          eq(memberNotices.kind, 'story_reply'),
          eq(memberNotices.gatherKey, sql`'story_reply:' || ${storyReplies.id}::text`),
        ),
      )
      .where(
        and(
          eq(memberNotices.userId, userId),
          page.id ? eq(memberNotices.id, page.id) : undefined,
          page.before ? lt(memberNotices.createdAt, new Date(page.before)) : undefined,
        ),
      )
      .orderBy(desc(memberNotices.createdAt), desc(memberNotices.id))
      .limit(page.limit ?? 50);
    const blocked = await blockedEitherWay(userId);
    const supportOf = await supportCounts(
      rows.filter((r) => r.notice.kind === 'story_reactions').map((r) => r.notice.storyId!),
      userId,
      blocked,
    );
    return rows.flatMap(({ notice: n, actorName, storyTitle, storyWarnings, roomSlug, roomName, message, reply }) => {
      if (n.actorId && blocked.has(n.actorId)) return [];
      if (member.off.includes(n.kind)) return [];
      const who = n.anonymous || !actorName ? 'Someone' : actorName;
      const story = `your story “${storyTitle ?? 'that is no longer here'}”`;
      let warnings = [...n.contentWarnings, ...(storyWarnings ?? [])];
      let text: string;
      let preview: string | null;
      let link: string | null = null;
      switch (n.kind) {
        case 'story_reply':
          if (!reply?.body || reply.hiddenAt) return [];
          preview = previewOf(reply.body);
          warnings = [...reply.warnings, ...(storyWarnings ?? [])];
          text = `${who} replied to ${story}.`;
          link = n.storyId ? `/stories/${n.storyId}` : null;
          break;
        case 'story_reactions': {
          const people = supportOf.get(n.storyId!) ?? 0;
          if (people === 0) return [];
          text = `${people === 1 ? 'One person' : `${people} people`} sent support to ${story}.`;
          preview = null;
          link = `/stories/${n.storyId}`;
          break;
        }
        case 'message_reply':
        case 'mention':
          if (!message?.body || message.hiddenAt || message.deletedAt) return [];
          preview = previewOf(message.body);
          warnings = message.warnings;
          text =
            n.kind === 'mention'
              ? `${who} mentioned you in ${roomName ?? 'a room'}.`
              : `${who} replied to your message in ${roomName ?? 'a room'}.`;
          link = roomSlug ? `/rooms/${roomSlug}` : null;
          break;
        case 'hard_day':
          text = `Today is a date you keep here: ${n.text}. Go gently with yourself; the rooms are here if you want company.`;
          preview = null;
          link = '/tools';
          break;
        default:
          // A moderator's notice: its own words.
          text = n.text;
          preview = null;
      }
      return [
        {
          id: n.id,
          kind: n.kind,
          text,
          preview,
          link,
          messageId: n.messageId,
          filtered: [...new Set(warnings.filter((warning) => member.hiddenWarnings.includes(warning)))],
          createdAt: n.createdAt.toISOString(),
          read: n.readAt !== null,
        },
      ];
    });
  }

  /** People who sent support to each story, not counting the member or anyone blocked either way. */
  async function supportCounts(storyIds: string[], userId: string, blocked: Set<string>) {
    const counts = new Map<string, number>();
    if (storyIds.length === 0) return counts;
    const rows = await db
      .selectDistinct({ storyId: storyReactions.storyId, userId: storyReactions.userId })
      .from(storyReactions)
      .where(inArray(storyReactions.storyId, storyIds));
    for (const row of rows) {
      if (row.userId === userId || blocked.has(row.userId)) continue;
      counts.set(row.storyId, (counts.get(row.storyId) ?? 0) + 1);
    }
    return counts;
  }

  /** Runs an event's work off the request's path: a failure is logged and never fails what caused it. */
  const quietly = (work: Promise<void>) => work.catch(deps.onError);

  return {
    list,

    async unread(userId: string): Promise<number> {
      return (await list(userId, { limit: kept })).filter((notice) => !notice.read).length;
    },

    async markRead(userId: string, id: string): Promise<void> {
      const updated = await db
        .update(memberNotices)
        .set({ readAt: now() })
        .where(and(eq(memberNotices.id, id), eq(memberNotices.userId, userId), isNull(memberNotices.readAt)))
        .returning({ id: memberNotices.id });
      if (updated.length === 0) {
        const [exists] = await db
          .select({ id: memberNotices.id })
          .from(memberNotices)
          .where(and(eq(memberNotices.id, id), eq(memberNotices.userId, userId)));
        if (!exists) throw new ApiError('not_found', 'There is no such notice.');
      }
    },

    async settings(userId: string): Promise<NoticeSettings> {
      const member = await settingsRow(userId);
      const off = member?.off ?? [];
      return { kinds: Object.fromEntries(noticeKinds.map((kind) => [kind, !off.includes(kind)])) } as NoticeSettings;
    },

    async changeSettings(userId: string, kinds: Partial<Record<NoticeKind, boolean>>): Promise<NoticeSettings> {
      const member = await settingsRow(userId);
      const off = new Set(member?.off ?? []);
      for (const [kind, on] of Object.entries(kinds)) {
        if (on) off.delete(kind);
        else off.add(kind);
      }
      await db
        .update(users)
        .set({ noticeKindsOff: noticeKinds.filter((kind) => off.has(kind)) })
        .where(eq(users.id, userId));
      return this.settings(userId);
    },

    /** Someone replied under a story: its author is told. */
    storyReplied(replyId: string): Promise<void> {
      return quietly(
        (async () => {
          const [row] = await db
            .select({ reply: storyReplies, authorId: stories.authorId, storyWarnings: stories.contentWarnings })
            .from(storyReplies)
            .innerJoin(stories, eq(stories.id, storyReplies.storyId))
            .where(eq(storyReplies.id, replyId));
          if (!row) return;
          await add(row.authorId, {
            kind: 'story_reply',
            actorId: row.reply.authorId,
            anonymous: row.reply.anonymous,
            storyId: row.reply.storyId,
            preview: previewOf(row.reply.body),
            contentWarnings: [...row.reply.contentWarnings, ...row.storyWarnings],
            gatherKey: `story_reply:${replyId}`,
          });
        })(),
      );
    },

    /** Someone sent support to a story: its one gathered notice grows. */
    storyReacted(storyId: string, reactorId: string): Promise<void> {
      return quietly(
        (async () => {
          const [story] = await db
            .select({ authorId: stories.authorId, contentWarnings: stories.contentWarnings })
            .from(stories)
            .where(eq(stories.id, storyId));
          if (!story) return;
          await add(story.authorId, {
            kind: 'story_reactions',
            actorId: reactorId,
            keepActor: false,
            storyId,
            preview: '',
            contentWarnings: story.contentWarnings,
            gatherKey: `story_reactions:${storyId}`,
            grows: true,
          });
        })(),
      );
    },

    /** A chat message was sent or edited: the author of what it answers, and the members it names. */
    chatWritten(messageId: string, authorId: string): Promise<void> {
      return quietly(
        (async () => {
          const [message] = await db.select().from(messages).where(eq(messages.id, messageId));
          if (!message || message.deletedAt || message.hiddenAt) return;
          const preview = previewOf(message.body);
          if (message.replyTo) {
            const [parent] = await db
              .select({ authorId: messages.authorId })
              .from(messages)
              .where(and(eq(messages.id, message.replyTo), eq(messages.roomId, message.roomId)));
            if (parent?.authorId) {
              await add(parent.authorId, {
                kind: 'message_reply',
                actorId: authorId,
                roomId: message.roomId,
                messageId,
                preview,
                contentWarnings: message.contentWarnings,
                gatherKey: `message_reply:${messageId}`,
              });
            }
          }
          const names = mentionedUsernames(message.body).slice(0, MENTIONS_PER_MESSAGE);
          if (names.length === 0) return;
          const named = await db
            .select({ id: users.id })
            .from(users)
            .innerJoin(memberships, and(eq(memberships.userId, users.id), eq(memberships.roomId, message.roomId)))
            .where(and(inArray(sql`lower(${users.username})`, names), isNull(users.bannedAt)));
          const others = named.filter((member) => member.id !== authorId);
          const already = others.length
            ? await db
                .select({ userId: memberNotices.userId })
                .from(memberNotices)
                .where(
                  and(
                    eq(memberNotices.gatherKey, `mention:${messageId}`),
                    inArray(
                      memberNotices.userId,
                      others.map((member) => member.id),
                    ),
                  ),
                )
            : [];
          const fresh = others.filter((member) => !already.some((row) => row.userId === member.id));
          if (fresh.length === 0) return;
          // Past the member's allowance the message stands, and its mentions notify no one.
          if ((await deps.limits.hit(deps.mentionLimit, authorId, now(), fresh.length)) > 0) return;
          for (const member of fresh) {
            await add(member.id, {
              kind: 'mention',
              actorId: authorId,
              roomId: message.roomId,
              messageId,
              preview,
              contentWarnings: message.contentWarnings,
              gatherKey: `mention:${messageId}`,
            });
          }
        })(),
      );
    },
  };
}

export type NoticeCentre = ReturnType<typeof createNoticeCentre>;

/** The chat gateway's `onWritten`, telling the notice centre of each stored send and edit first. */
export function withNotices<M extends { id: string }, A extends { id: string }, R>(
  centre: Pick<NoticeCentre, 'chatWritten'>,
  onWritten: (message: M, author: A) => R,
): (message: M, author: A) => R {
  return (message, author) => {
    void centre.chatWritten(message.id, author.id);
    return onWritten(message, author);
  };
}
