// Reports, the review queue, moderation actions and the audit log. Every action checks who may act
// where, applies its effect and writes its audit row in one transaction; what must reach live sockets
// (events, ended sessions and memberships, private notices) is returned and sent after the commit.
import { schema, type Database } from '@kindred/db';
import type { AddWarningsBody, AuditEntry, CreateActionBody, CreateReportBody, QueueItem } from '@kindred/shared';
import { and, asc, desc, eq, exists, gt, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import { ApiError } from '../errors.ts';
import { appendUpdatedEvents, type RoomEventRange } from '../chat/room-events.ts';
import { forViewer, loadMessageViews } from '../chat/messages.ts';
import { loadViewerFilter, type ViewerFilter } from '../accounts/blocks.ts';
import { anonymousContent, isAnonymous, notAboutAnonymousContent } from './anonymity.ts';
import { storyContext } from './story-context.ts';
import { assertNotAboutSelf } from './visibility.ts';
import { moderatedRoomIds, openItemsIn, queueScopeOf } from './queue-scope.ts';
import {
  assertCanModerate,
  assertMayActOnMember,
  memberById,
  roomBySlug,
  STORY_TARGETS,
  type Moderator,
} from './authority.ts';

export type { Moderator } from './authority.ts';

const {
  memberNotices,
  memberships,
  messages,
  moderationActions,
  moderationItems,
  moderatorDuty,
  reports,
  roomMutes,
  roomRemovals,
  rooms,
  sessions,
  candles,
  stories,
  storyReplies,
  users,
} = schema;

/** What an action or report changes beyond the database, to be sent after the commit. */
export interface LiveEffects {
  roomEvents: RoomEventRange[];
  endedSessions: string[];
  endedMemberships: { roomId: string; userId: string }[];
  notices: { userId: string; notice: Record<string, unknown> }[];
  /** Urgent items on-duty moderators of a room should hear about now. */
  urgent: { roomId: string; itemId: string }[];
  /** Rooms whose review queue changed (null: the stories'), so its live counts are told again. */
  queue: (string | null)[];
}

const noEffects = (): LiveEffects => ({
  roomEvents: [],
  endedSessions: [],
  endedMemberships: [],
  notices: [],
  urgent: [],
  queue: [],
});

export function createModerationService({ db, now }: { db: Database; now: () => Date }) {
  /** Finds or opens the queue item for a target; a second report joins the open one. */
  async function openItem(
    tx: Database,
    target: { type: string; id: string },
    fields: { roomId: string | null; subjectId: string | null; urgent: boolean; automaticReason?: string },
  ): Promise<string> {
    const [existing] = await tx
      .select({ id: moderationItems.id, urgent: moderationItems.urgent })
      .from(moderationItems)
      .where(
        and(
          eq(moderationItems.targetType, target.type),
          eq(moderationItems.targetId, target.id),
          eq(moderationItems.status, 'open'),
        ),
      );
    if (existing) {
      if (fields.urgent && !existing.urgent) {
        await tx
          .update(moderationItems)
          .set({
            urgent: true,
            updatedAt: now(),
            ...(fields.automaticReason ? { automaticReason: fields.automaticReason } : {}),
          })
          .where(eq(moderationItems.id, existing.id));
      }
      return existing.id;
    }
    const [created] = await tx
      .insert(moderationItems)
      .values({
        targetType: target.type,
        targetId: target.id,
        roomId: fields.roomId,
        subjectId: fields.subjectId,
        urgent: fields.urgent,
        automaticReason: fields.automaticReason ?? null,
        createdAt: now(),
        updatedAt: now(),
      })
      .returning({ id: moderationItems.id });
    return created!.id;
  }

  async function audit(
    tx: Database,
    actor: Moderator,
    body: Pick<CreateActionBody, 'target' | 'reason' | 'durationMinutes' | 'seconds'> & { action: string },
    scope: { roomId: string | null; subjectId: string | null },
  ) {
    const [row] = await tx
      .insert(moderationActions)
      .values({
        actorId: actor.id,
        action: body.action,
        targetType: body.target.type,
        targetId: body.target.id,
        roomId: scope.roomId,
        subjectId: scope.subjectId,
        reason: body.reason.trim(),
        durationMinutes: body.durationMinutes ?? null,
        seconds: body.seconds ?? null,
        createdAt: now(),
      })
      .returning();
    return row!;
  }

  async function notify(
    tx: Database,
    effects: LiveEffects,
    userId: string,
    notice: { kind: string; roomId: string | null; messageId: string | null; text: string; contentWarnings?: string[] },
  ) {
    const contentWarnings = notice.contentWarnings ?? [];
    const [row] = await tx
      .insert(memberNotices)
      .values({
        userId,
        kind: notice.kind,
        roomId: notice.roomId,
        messageId: notice.messageId,
        text: notice.text,
        contentWarnings,
        createdAt: now(),
      })
      .returning({ id: memberNotices.id });
    const [member] = await tx.select({ hiddenWarnings: users.hiddenWarnings }).from(users).where(eq(users.id, userId));
    const filtered = contentWarnings.filter((warning) => member?.hiddenWarnings.includes(warning));
    effects.notices.push({
      userId,
      notice: {
        type: 'notice',
        code: notice.kind,
        id: row!.id,
        text: notice.text,
        messageId: notice.messageId,
        filtered,
      },
    });
  }

  async function auditEntries(where: ReturnType<typeof and> | undefined, limit: number): Promise<AuditEntry[]> {
    const rows = await db
      .select({ action: moderationActions, displayName: users.displayName, room: rooms.slug })
      .from(moderationActions)
      .leftJoin(users, eq(users.id, moderationActions.actorId))
      .leftJoin(rooms, eq(rooms.id, moderationActions.roomId))
      .where(where)
      .orderBy(desc(moderationActions.createdAt))
      .limit(limit);
    return rows.map(({ action: a, displayName, room }) => ({
      id: a.id,
      actor: { id: a.actorId, displayName },
      action: a.action,
      target: { type: a.targetType, id: a.targetId },
      room,
      reason: a.reason,
      durationMinutes: a.durationMinutes,
      seconds: a.seconds,
      createdAt: a.createdAt.toISOString(),
    }));
  }

  return {
    async report(reporterId: string, body: CreateReportBody) {
      const notFound = () =>
        new ApiError('not_found', 'We couldn’t find what you reported. It may have been removed already.');
      return db.transaction(async (txRaw) => {
        const tx = txRaw as unknown as Database;
        let roomId: string | null = null;
        let subjectId: string | null;
        if (body.target.type === 'message') {
          const [message] = await tx
            .select({ roomId: messages.roomId, authorId: messages.authorId })
            .from(messages)
            .innerJoin(memberships, and(eq(memberships.roomId, messages.roomId), eq(memberships.userId, reporterId)))
            .where(eq(messages.id, body.target.id));
          if (!message) throw notFound(); // only what the reporter can see can be reported
          roomId = message.roomId;
          subjectId = message.authorId;
        } else if (body.target.type === 'story' || body.target.type === 'reply') {
          // Only what the reporter can read: a published, visible story (or a reply under one).
          const [row] =
            body.target.type === 'story'
              ? await tx
                  .select({ authorId: stories.authorId, anonymous: stories.anonymous })
                  .from(stories)
                  .where(and(eq(stories.id, body.target.id), eq(stories.status, 'published'), isNull(stories.hiddenAt)))
              : await tx
                  .select({ authorId: storyReplies.authorId, anonymous: storyReplies.anonymous })
                  .from(storyReplies)
                  .innerJoin(stories, eq(stories.id, storyReplies.storyId))
                  .where(
                    and(
                      eq(storyReplies.id, body.target.id),
                      isNull(storyReplies.hiddenAt),
                      eq(stories.status, 'published'),
                    ),
                  );
          if (!row) throw notFound();
          // A report names its reporter to admins: of one's own anonymous words it would name their author.
          if (row.authorId === reporterId) {
            throw new ApiError(
              'validation',
              `This ${body.target.type} is yours: you can change or delete it yourself. Reports are for what others write.`,
            );
          }
          subjectId = row.anonymous ? null : row.authorId;
        } else {
          // About a member: only where both are members, so a stranger can neither report anyone (nor alert
          // a room's moderators) nor learn who is in a room; every refusal reads the same.
          if (!body.room) throw new ApiError('validation', 'Please say which room this happened in.', 'room');
          const [shared] = await tx
            .select({ roomId: rooms.id })
            .from(rooms)
            .innerJoin(memberships, and(eq(memberships.roomId, rooms.id), eq(memberships.userId, reporterId)))
            .where(
              and(
                eq(rooms.slug, body.room),
                exists(
                  tx
                    .select({ one: sql`1` })
                    .from(memberships)
                    .where(and(eq(memberships.roomId, rooms.id), eq(memberships.userId, body.target.id))),
                ),
              ),
            );
          if (!shared) {
            throw new ApiError('not_found', 'We couldn’t find that member in that room. They may have left it.');
          }
          subjectId = body.target.id;
          roomId = shared.roomId;
        }
        const itemId = await openItem(tx, body.target, {
          roomId,
          subjectId,
          urgent: body.reason === 'worried_about_member',
        });
        const [report] = await tx
          .insert(reports)
          .values({ itemId, reporterId, reason: body.reason, note: body.note?.trim() || null, createdAt: now() })
          .onConflictDoNothing()
          .returning();
        const saved =
          report ??
          (
            await tx
              .select()
              .from(reports)
              .where(and(eq(reports.itemId, itemId), eq(reports.reporterId, reporterId)))
          )[0]!;
        const effects = noEffects();
        if (body.reason === 'worried_about_member' && roomId) effects.urgent.push({ roomId, itemId });
        effects.queue.push(roomId);
        return {
          report: {
            id: saved.id,
            target: body.target,
            reason: saved.reason,
            note: saved.note,
            createdAt: saved.createdAt.toISOString(),
          },
          effects,
        };
      });
    },

    /** A message matched the crisis matcher: an urgent item, at the top of its room's queue. */
    async flagCrisis(messageId: string, roomId: string, authorId: string): Promise<LiveEffects> {
      const itemId = await db.transaction(async (tx) =>
        openItem(
          tx as unknown as Database,
          { type: 'message', id: messageId },
          {
            roomId,
            subjectId: authorId,
            urgent: true,
            automaticReason: 'crisis_language',
          },
        ),
      );
      return { ...noEffects(), urgent: [{ roomId, itemId }], queue: [roomId] };
    },

    /** A story that waits for a moderator: a new account's first, or one with words that suggest risk. */
    async holdStory(storyId: string, authorId: string, urgent: boolean): Promise<LiveEffects> {
      await db.transaction(async (txRaw) => {
        const tx = txRaw as unknown as Database;
        return openItem(
          tx,
          { type: 'story', id: storyId },
          {
            roomId: null,
            subjectId: (await isAnonymous(tx, 'story', storyId)) ? null : authorId,
            urgent,
            automaticReason: urgent ? 'crisis_language' : 'first_story',
          },
        );
      });
      return { ...noEffects(), queue: [null] };
    },

    async queue(moderator: Moderator): Promise<QueueItem[]> {
      const scope = await queueScopeOf(db, moderator);
      if (!scope) throw new ApiError('forbidden', 'The review queue is for moderators and admins.');
      const items = await db
        .select({
          item: moderationItems,
          room: rooms.slug,
          subjectName: users.displayName,
          anonymous: anonymousContent(db, moderationItems.targetType, moderationItems.targetId).mapWith(Boolean),
        })
        .from(moderationItems)
        .leftJoin(rooms, eq(rooms.id, moderationItems.roomId))
        .leftJoin(users, eq(users.id, moderationItems.subjectId))
        .where(openItemsIn(db, scope))
        .orderBy(desc(moderationItems.urgent), asc(moderationItems.createdAt))
        .limit(50);
      const itemIds = items.map(({ item }) => item.id);
      const reportRows = itemIds.length
        ? await db
            .select({ report: reports, reporterName: users.displayName })
            .from(reports)
            .leftJoin(users, eq(users.id, reports.reporterId))
            .where(inArray(reports.itemId, itemIds))
            .orderBy(asc(reports.createdAt))
        : [];
      // Moderators have filters too: what they hide comes folded, and they can always open it.
      const filter = await loadViewerFilter(db, moderator.id);
      const result: QueueItem[] = [];
      for (const { item, room, subjectName, anonymous } of items) {
        const context = await itemContextFor(item, filter, anonymous);
        result.push({
          id: item.id,
          target: { type: item.targetType, id: item.targetId },
          room,
          urgent: item.urgent,
          automaticReason: item.automaticReason,
          createdAt: item.createdAt.toISOString(),
          reports: reportRows
            .filter((row) => row.report.itemId === item.id)
            .map(({ report, reporterName }) => ({
              reason: report.reason,
              note: report.note,
              createdAt: report.createdAt.toISOString(),
              // Volunteer moderators never learn who reported; admins may need to.
              ...(moderator.isAdmin && report.reporterId
                ? { reporter: { id: report.reporterId, displayName: reporterName ?? '' } }
                : {}),
            })),
          // The author of anonymous content stays unknown to everyone, admins too, who act on it all the same.
          subject: item.subjectId && !anonymous ? { id: item.subjectId, displayName: subjectName ?? '' } : null,
          context,
        });
      }
      return result;
    },

    async log(moderator: Moderator, roomSlug: string | undefined): Promise<AuditEntry[]> {
      const scope = await moderatedRoomIds(db, moderator);
      let roomFilter: ReturnType<typeof eq> | undefined;
      if (roomSlug) {
        const room = await roomBySlug(db, roomSlug);
        if (scope !== 'all' && !scope.includes(room.id)) {
          throw new ApiError('forbidden', 'Only this room’s moderators (or an admin) can read its log.');
        }
        roomFilter = eq(moderationActions.roomId, room.id);
      } else if (scope !== 'all') {
        if (scope.length === 0 && !moderator.storyModerator) {
          throw new ApiError('forbidden', 'The moderation log is for moderators and admins.');
        }
        roomFilter = or(
          scope.length ? inArray(moderationActions.roomId, scope) : undefined,
          moderator.storyModerator
            ? and(isNull(moderationActions.roomId), inArray(moderationActions.targetType, STORY_TARGETS))
            : undefined,
        ) as ReturnType<typeof eq>;
      }
      return auditEntries(roomFilter, 200);
    },

    async act(moderator: Moderator, body: CreateActionBody): Promise<{ entry: AuditEntry; effects: LiveEffects }> {
      const effects = noEffects();
      const at = now();
      const row = await db.transaction(async (txRaw) => {
        const tx = txRaw as unknown as Database;
        const { action, target } = body;
        await assertNotAboutSelf(tx, moderator.id, target);
        const expect = (type: string) => {
          if (target.type !== type) throw new ApiError('validation', `“${action}” acts on a ${type}.`, 'target.type');
        };
        switch (action) {
          case 'hide':
          case 'restore': {
            if (target.type === 'story' || target.type === 'reply' || target.type === 'candle') {
              const hiddenAt = action === 'hide' ? at : null;
              const [row] =
                target.type === 'candle'
                  ? await tx
                      .update(candles)
                      .set({ hiddenAt })
                      .where(eq(candles.id, target.id))
                      .returning({ authorId: candles.userId, anonymous: candles.anonymous })
                  : await (target.type === 'story'
                      ? tx
                          .update(stories)
                          .set({ hiddenAt })
                          .where(eq(stories.id, target.id))
                          .returning({ authorId: stories.authorId, anonymous: stories.anonymous })
                      : tx
                          .update(storyReplies)
                          .set({ hiddenAt })
                          .where(eq(storyReplies.id, target.id))
                          .returning({ authorId: storyReplies.authorId, anonymous: storyReplies.anonymous }));
              if (!row) throw new ApiError('not_found', 'That is no longer here.');
              await assertCanModerate(tx, moderator, null, target.type);
              await notify(tx, effects, row.authorId, {
                kind: action === 'hide' ? `${target.type}_hidden` : `${target.type}_restored`,
                roomId: null,
                messageId: null,
                text:
                  action === 'hide'
                    ? `A moderator hid your ${target.type}. Their reason: ${body.reason.trim()}`
                    : `A moderator has restored your ${target.type}.`,
              });
              return audit(tx, moderator, body, { roomId: null, subjectId: row.anonymous ? null : row.authorId });
            }
            expect('message');
            const [message] = await tx.select().from(messages).where(eq(messages.id, target.id));
            if (!message) throw new ApiError('not_found', 'That message is no longer here.');
            await assertCanModerate(tx, moderator, message.roomId);
            await tx
              .update(messages)
              .set({ hiddenAt: action === 'hide' ? (message.hiddenAt ?? at) : null })
              .where(eq(messages.id, message.id));
            const range = await appendUpdatedEvents(tx, message.roomId, [message.id], at);
            if (range) effects.roomEvents.push(range);
            if (message.authorId) {
              await notify(tx, effects, message.authorId, {
                kind: action === 'hide' ? 'message_hidden' : 'message_restored',
                roomId: message.roomId,
                messageId: message.id,
                text:
                  action === 'hide'
                    ? `A moderator hid one of your messages. Their reason: ${body.reason.trim()}`
                    : 'A moderator has restored one of your messages.',
              });
            }
            return audit(tx, moderator, body, { roomId: message.roomId, subjectId: message.authorId });
          }
          case 'mute':
          case 'unmute':
          case 'remove_from_room':
          case 'readmit': {
            expect('user');
            const room = await roomBySlug(tx, body.room);
            await assertCanModerate(tx, moderator, room.id);
            const user = await memberById(tx, target.id);
            await assertMayActOnMember(tx, moderator, room.id, user);
            if (action === 'mute') {
              if (!body.durationMinutes) {
                throw new ApiError('validation', 'Please say how long the mute lasts.', 'durationMinutes');
              }
              const until = new Date(at.getTime() + body.durationMinutes * 60_000);
              await tx
                .insert(roomMutes)
                .values({ roomId: room.id, userId: user.id, until, createdAt: at })
                .onConflictDoUpdate({ target: [roomMutes.roomId, roomMutes.userId], set: { until, createdAt: at } });
              effects.notices.push({
                userId: user.id,
                notice: { type: 'notice', code: 'muted', room: room.slug, until: until.toISOString() },
              });
            } else if (action === 'unmute') {
              await tx.delete(roomMutes).where(and(eq(roomMutes.roomId, room.id), eq(roomMutes.userId, user.id)));
            } else if (action === 'readmit') {
              // Lifts a removal: they may join again (accepting the rules, as anyone joining does).
              await tx
                .delete(roomRemovals)
                .where(and(eq(roomRemovals.roomId, room.id), eq(roomRemovals.userId, user.id)));
            } else {
              await tx.delete(memberships).where(and(eq(memberships.roomId, room.id), eq(memberships.userId, user.id)));
              await tx
                .insert(roomRemovals)
                .values({ roomId: room.id, userId: user.id, createdAt: at })
                .onConflictDoNothing();
              effects.endedMemberships.push({ roomId: room.id, userId: user.id });
            }
            return audit(tx, moderator, body, { roomId: room.id, subjectId: user.id });
          }
          case 'ban':
          case 'unban': {
            expect('user');
            if (!moderator.isAdmin) throw new ApiError('forbidden', 'Only an admin can ban or unban a member.');
            const [user] = await tx
              .update(users)
              .set({ bannedAt: action === 'ban' ? at : null })
              .where(eq(users.id, target.id))
              .returning({ id: users.id });
            if (!user) throw new ApiError('not_found', 'There is no such member.');
            if (action === 'ban') {
              const ended = await tx
                .delete(sessions)
                .where(eq(sessions.userId, user.id))
                .returning({ id: sessions.id });
              effects.endedSessions.push(...ended.map((s) => s.id));
            }
            return audit(tx, moderator, body, { roomId: null, subjectId: user.id });
          }
          case 'set_slow_mode':
          case 'lock_room':
          case 'unlock_room': {
            expect('room');
            const [room] = await tx.select().from(rooms).where(eq(rooms.id, target.id));
            if (!room) throw new ApiError('not_found', 'There is no such room.');
            await assertCanModerate(tx, moderator, room.id);
            if (action === 'set_slow_mode') {
              if (body.seconds === undefined) {
                throw new ApiError('validation', 'Please say how many seconds (0 turns slow mode off).', 'seconds');
              }
              await tx.update(rooms).set({ slowModeSeconds: body.seconds }).where(eq(rooms.id, room.id));
            } else {
              await tx
                .update(rooms)
                .set({ locked: action === 'lock_room' })
                .where(eq(rooms.id, room.id));
            }
            return audit(tx, moderator, body, { roomId: room.id, subjectId: null });
          }
          case 'approve_story':
          case 'reject_story': {
            expect('story');
            const [story] = await tx.select().from(stories).where(eq(stories.id, target.id));
            if (!story) throw new ApiError('not_found', 'That story is no longer here.');
            await assertCanModerate(tx, moderator, null, 'story');
            if (story.status !== 'pending')
              throw new ApiError('validation', 'Only a story that is waiting can be approved or declined.');
            const approve = action === 'approve_story';
            await tx
              .update(stories)
              .set({ status: approve ? 'published' : 'rejected', publishedAt: approve ? at : null, updatedAt: at })
              .where(eq(stories.id, story.id));
            await tx
              .update(moderationItems)
              .set({ status: 'resolved', resolvedAt: at, updatedAt: at })
              .where(
                and(
                  eq(moderationItems.targetType, 'story'),
                  eq(moderationItems.targetId, story.id),
                  eq(moderationItems.status, 'open'),
                ),
              );
            effects.queue.push(null);
            await notify(tx, effects, story.authorId, {
              kind: approve ? 'story_approved' : 'story_declined',
              roomId: null,
              messageId: null,
              contentWarnings: story.contentWarnings,
              text: approve
                ? `Your story “${story.title}” is shared now.`
                : `A moderator didn’t share your story “${story.title}”. Their reason: ${body.reason.trim()}. It is still yours to read and change.`,
            });
            return audit(tx, moderator, body, { roomId: null, subjectId: story.anonymous ? null : story.authorId });
          }
          case 'resolve_report': {
            expect('report');
            const [item] = await tx.select().from(moderationItems).where(eq(moderationItems.id, target.id));
            if (!item) throw new ApiError('not_found', 'There is no such report.');
            await assertCanModerate(tx, moderator, item.roomId, item.targetType);
            await tx
              .update(moderationItems)
              .set({ status: 'resolved', resolvedAt: at, updatedAt: at })
              .where(eq(moderationItems.id, item.id));
            effects.queue.push(item.roomId);
            const anonymous = await isAnonymous(tx, item.targetType, item.targetId);
            return audit(tx, moderator, body, { roomId: item.roomId, subjectId: anonymous ? null : item.subjectId });
          }
        }
      });
      const [entry] = await auditEntries(eq(moderationActions.id, row.id), 1);
      return { entry: entry!, effects };
    },

    /**
     * A moderator adds content warnings to a message, story, reply or candle (never removes the author's).
     * A message's change travels as an `updated` event in its room; every addition is one audit row.
     */
    async addWarnings(
      moderator: Moderator,
      kind: 'messages' | 'stories' | 'replies' | 'candles',
      id: string,
      body: AddWarningsBody,
    ): Promise<{ contentWarnings: string[]; entry: AuditEntry; effects: LiveEffects }> {
      const effects = noEffects();
      const at = now();
      const table = { messages, stories, replies: storyReplies, candles }[kind];
      const targetType = { messages: 'message', stories: 'story', replies: 'reply', candles: 'candle' }[kind];
      const { contentWarnings, auditId } = await db.transaction(async (txRaw) => {
        const tx = txRaw as unknown as Database;
        // Someone who may not add warnings here at all is told so before anything is looked up, so the
        // answer never says whether an id exists (404 against 403).
        if (kind !== 'messages') {
          await assertCanModerate(tx, moderator, null, targetType);
        } else if (!moderator.isAdmin) {
          const [anyRoom] = await tx
            .select({ roomId: memberships.roomId })
            .from(memberships)
            .where(and(eq(memberships.userId, moderator.id), eq(memberships.role, 'moderator')))
            .limit(1);
          if (!anyRoom) throw new ApiError('forbidden', 'Only this room’s moderators (or an admin) can do that.');
        }
        // Locked until commit, so a concurrent edit adding warnings of its own is merged, not overwritten.
        const [row] = await tx
          .select({ contentWarnings: table.contentWarnings })
          .from(table)
          .where(eq(table.id, id))
          .for('update');
        if (!row) throw new ApiError('not_found', 'That is no longer here.');
        let roomId: string | null = null;
        let subjectId: string | null;
        if (kind === 'messages') {
          const [message] = await tx
            .select({ roomId: messages.roomId, authorId: messages.authorId })
            .from(messages)
            .where(eq(messages.id, id));
          roomId = message!.roomId;
          subjectId = message!.authorId;
        } else {
          const [owner] =
            kind === 'candles'
              ? await tx
                  .select({ id: candles.userId, anonymous: candles.anonymous })
                  .from(candles)
                  .where(eq(candles.id, id))
              : kind === 'stories'
                ? await tx
                    .select({ id: stories.authorId, anonymous: stories.anonymous })
                    .from(stories)
                    .where(eq(stories.id, id))
                : await tx
                    .select({ id: storyReplies.authorId, anonymous: storyReplies.anonymous })
                    .from(storyReplies)
                    .where(eq(storyReplies.id, id));
          subjectId = owner!.anonymous ? null : owner!.id;
        }
        await assertCanModerate(tx, moderator, roomId, targetType);
        await assertNotAboutSelf(tx, moderator.id, { type: targetType, id });
        const merged = [...new Set([...row.contentWarnings, ...body.contentWarnings])];
        await tx.update(table).set({ contentWarnings: merged }).where(eq(table.id, id));
        if (roomId) {
          const range = await appendUpdatedEvents(tx, roomId, [id], at);
          if (range) effects.roomEvents.push(range);
        }
        const audited = await audit(
          tx,
          moderator,
          {
            action: 'add_warnings',
            target: { type: targetType as CreateActionBody['target']['type'], id },
            reason: body.reason ?? `Added content warnings: ${body.contentWarnings.join(', ')}`,
          },
          { roomId, subjectId },
        );
        return { contentWarnings: merged, auditId: audited.id };
      });
      const [entry] = await auditEntries(eq(moderationActions.id, auditId), 1);
      return { contentWarnings, entry: entry!, effects };
    },

    /** Marks a moderator on or off duty in a room they moderate. */
    async setDuty(moderator: Moderator, slug: string, onDuty: boolean, showName: boolean): Promise<void> {
      const room = await roomBySlug(db, slug);
      await assertCanModerate(db, moderator, room.id);
      if (onDuty) {
        await db
          .insert(moderatorDuty)
          .values({ roomId: room.id, userId: moderator.id, showName, since: now() })
          .onConflictDoUpdate({ target: [moderatorDuty.roomId, moderatorDuty.userId], set: { showName } });
      } else {
        await db
          .delete(moderatorDuty)
          .where(and(eq(moderatorDuty.roomId, room.id), eq(moderatorDuty.userId, moderator.id)));
      }
    },
  };

  /**
   * What was done before: about anonymous content, only what was done to it (by its id); about a member,
   * what was done about them, except to their anonymous content.
   */
  async function earlierActionsFor(item: typeof moderationItems.$inferSelect, anonymous: boolean) {
    if (anonymous) {
      return auditEntries(
        and(eq(moderationActions.targetType, item.targetType), eq(moderationActions.targetId, item.targetId)),
        10,
      );
    }
    if (!item.subjectId) return [];
    return auditEntries(and(eq(moderationActions.subjectId, item.subjectId), notAboutAnonymousContent(db)), 10);
  }

  async function itemContextFor(
    item: typeof moderationItems.$inferSelect,
    filter: ViewerFilter,
    anonymous: boolean,
  ): Promise<QueueItem['context']> {
    const earlierActions = await earlierActionsFor(item, anonymous);
    if (!STORY_TARGETS.includes(item.targetType)) return itemContext(item, filter, earlierActions);
    const story = await storyContext(db, { type: item.targetType, id: item.targetId }, filter);
    return { message: null, surrounding: [], authorRecent: [], earlierActions, ...(story ? { story } : {}) };
  }

  async function itemContext(
    item: typeof moderationItems.$inferSelect,
    filter: ViewerFilter,
    earlierActions: AuditEntry[],
  ): Promise<QueueItem['context']> {
    const empty = { message: null, surrounding: [], authorRecent: [], earlierActions: [] as AuditEntry[] };
    if (item.targetType !== 'message') {
      const authorRecent = item.subjectId && item.roomId ? await recentBy(item.subjectId, item.roomId, filter) : [];
      return { ...empty, authorRecent, earlierActions };
    }
    const [target] = await db
      .select({ roomId: messages.roomId, seq: messages.seq, authorId: messages.authorId })
      .from(messages)
      .where(eq(messages.id, item.targetId));
    if (!target) return { ...empty, earlierActions };
    const around = await db
      .select({ id: messages.id })
      .from(messages)
      .where(
        and(eq(messages.roomId, target.roomId), gt(messages.seq, target.seq - 4), lt(messages.seq, target.seq + 4)),
      )
      .orderBy(asc(messages.seq));
    const views = await loadMessageViews(
      db,
      around.map((row) => row.id),
    );
    const asModerator = (id: string) => forViewer(views.get(id)!, undefined, true, filter);
    return {
      message: views.has(item.targetId) ? asModerator(item.targetId) : null,
      surrounding: around.filter((row) => row.id !== item.targetId).map((row) => asModerator(row.id)),
      authorRecent: target.authorId ? await recentBy(target.authorId, target.roomId, filter) : [],
      earlierActions,
    };
  }

  async function recentBy(authorId: string, roomId: string, filter: ViewerFilter) {
    const rows = await db
      .select({ id: messages.id })
      .from(messages)
      .where(and(eq(messages.authorId, authorId), eq(messages.roomId, roomId)))
      .orderBy(desc(messages.seq))
      .limit(5);
    const views = await loadMessageViews(
      db,
      rows.map((row) => row.id),
    );
    return rows.map((row) => forViewer(views.get(row.id)!, undefined, true, filter));
  }
}

export type ModerationService = ReturnType<typeof createModerationService>;
