// Whom a queue item may reach. Nobody is handed an item about their own words or their own person: not a
// message, story, reply or candle they wrote (anonymous ones included), nor a report about them ("worried
// about this person" too). Such an item goes to the room's other moderators and to admins; an admin who is
// its subject does not see it either, and with nobody else it waits for an admin. One rule for every reader:
// the queue, its counts, urgent notices, and whoever an item is handed to.
//
// The author of anonymous content is never stored on its item (anonymity.ts): the content's author is read
// here, at query time, inside an EXISTS that answers nothing but true or false, so the link never leaves
// the database in an answer.
import { schema, type Database } from '@kindred/db';
import { and, eq, exists, isNotNull, not, or, sql, type Column, type SQL } from 'drizzle-orm';
import { ApiError } from '../errors.ts';

const { candles, memberships, messages, moderationItems, moderatorDuty, stories, storyReplies } = schema;

/** A member's id, or a column holding one (e.g. `moderatorDuty.userId`, to ask for many at once). */
type Viewer = string | Column | SQL;

/** SQL true when the `moderation_items` row in the outer query is about `viewer`: their words or person. */
export function itemAboutViewer(db: Database, viewer: Viewer): SQL {
  const one = { one: sql`1` };
  const wrote = (table: typeof messages | typeof stories | typeof storyReplies | typeof candles, author: Column) =>
    exists(
      db
        .select(one)
        .from(table)
        .where(and(eq(table.id, moderationItems.targetId), eq(author, viewer))),
    );
  return or(
    // Never NULL: NOT over a NULL would hide an item with no subject (anonymous content) from everyone.
    and(isNotNull(moderationItems.subjectId), eq(moderationItems.subjectId, viewer)),
    and(eq(moderationItems.targetType, 'user'), eq(moderationItems.targetId, viewer)),
    and(eq(moderationItems.targetType, 'message'), wrote(messages, messages.authorId)),
    and(eq(moderationItems.targetType, 'story'), wrote(stories, stories.authorId)),
    and(eq(moderationItems.targetType, 'reply'), wrote(storyReplies, storyReplies.authorId)),
    and(eq(moderationItems.targetType, 'candle'), wrote(candles, candles.userId)),
  )!;
}

/** SQL true when the `moderation_items` row may reach `viewer` (scope apart: who moderates where). */
export function itemVisibleTo(db: Database, viewer: Viewer): SQL {
  return not(itemAboutViewer(db, viewer));
}

const refusal = () =>
  new ApiError(
    'forbidden',
    'This is about your own words or about you, so another moderator or an admin will look after it.',
  );

/** Refuses (403 `forbidden`) an action on a queue item about the one acting. */
export async function assertItemNotAboutSelf(tx: Database, actorId: string, itemId: string): Promise<void> {
  const [row] = await tx
    .select({ about: itemAboutViewer(tx, actorId).mapWith(Boolean) })
    .from(moderationItems)
    .where(eq(moderationItems.id, itemId));
  if (row?.about) throw refusal();
}

/** Refuses (403 `forbidden`) a moderation action on one's own words (a message, story, reply or candle). */
export async function assertNotOwnContent(tx: Database, actorId: string, type: string, id: string): Promise<void> {
  const table = { message: messages, story: stories, reply: storyReplies, candle: candles }[type];
  if (!table) return;
  const author = 'authorId' in table ? table.authorId : table.userId;
  const [row] = await tx
    .select({ one: sql`1` })
    .from(table)
    .where(and(eq(table.id, id), eq(author, actorId)));
  if (row) throw refusal();
}

/** Refuses (403 `forbidden`) any moderation action whose target is the one acting, their words, or an item about them. */
export async function assertNotAboutSelf(
  tx: Database,
  actorId: string,
  target: { type: string; id: string },
): Promise<void> {
  if (target.type === 'report') return assertItemNotAboutSelf(tx, actorId, target.id);
  if (target.type === 'user') {
    if (target.id === actorId) throw refusal();
    return;
  }
  return assertNotOwnContent(tx, actorId, target.type, target.id);
}

/**
 * The moderators on duty in the item's room now who may see it (its subject left out): whom an urgent
 * item is told to, and whether a writer in crisis can be told that a moderator may reach out.
 */
export async function onDutyWhoMaySee(db: Database, itemId: string): Promise<string[]> {
  const rows = await db
    .select({ userId: moderatorDuty.userId })
    .from(moderatorDuty)
    .innerJoin(moderationItems, eq(moderationItems.roomId, moderatorDuty.roomId))
    .innerJoin(
      memberships,
      and(
        eq(memberships.roomId, moderatorDuty.roomId),
        eq(memberships.userId, moderatorDuty.userId),
        eq(memberships.role, 'moderator'),
      ),
    )
    .where(and(eq(moderationItems.id, itemId), itemVisibleTo(db, moderatorDuty.userId)));
  return rows.map((row) => row.userId);
}
