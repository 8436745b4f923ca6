// Anonymity in moderation. Stories, replies and candles can be shared anonymously; then no answer to
// anyone but their author, admins included, may link them to a member. Moderators act on such content
// by its id alone. Two rules keep it so: nothing written about anonymous content names its author (queue
// items and audit rows get no subject), and what is read is checked against the content as it is now,
// since a story can be made anonymous after moderators acted on it under its author's name.
import { schema, type Database } from '@kindred/db';
import { and, eq, exists, not, or, sql, type Column, type SQL } from 'drizzle-orm';

const { candles, moderationItems, moderationActions, stories, storyReplies } = schema;

/** SQL that is true when the (type, id) columns name content shared anonymously now. */
export function anonymousContent(db: Database, type: Column, id: Column): SQL {
  const one = { one: sql`1` };
  return or(
    and(
      eq(type, 'story'),
      exists(
        db
          .select(one)
          .from(stories)
          .where(and(eq(stories.id, id), eq(stories.anonymous, true))),
      ),
    ),
    and(
      eq(type, 'reply'),
      exists(
        db
          .select(one)
          .from(storyReplies)
          .where(and(eq(storyReplies.id, id), eq(storyReplies.anonymous, true))),
      ),
    ),
    and(
      eq(type, 'candle'),
      exists(
        db
          .select(one)
          .from(candles)
          .where(and(eq(candles.id, id), eq(candles.anonymous, true))),
      ),
    ),
  )!;
}

/**
 * SQL that keeps the audit rows safe to show beside a member: none about anonymous content, nor about a
 * queue item of anonymous content (closing it), since either would say whose it is.
 */
export function notAboutAnonymousContent(db: Database): SQL {
  return not(
    or(
      anonymousContent(db, moderationActions.targetType, moderationActions.targetId),
      and(
        eq(moderationActions.targetType, 'report'),
        exists(
          db
            .select({ one: sql`1` })
            .from(moderationItems)
            .where(
              and(
                eq(moderationItems.id, moderationActions.targetId),
                anonymousContent(db, moderationItems.targetType, moderationItems.targetId),
              ),
            ),
        ),
      ),
    )!,
  );
}

/** Whether this content is shared anonymously now. */
export async function isAnonymous(db: Database, type: string, id: string): Promise<boolean> {
  const table = { story: stories, reply: storyReplies, candle: candles }[type];
  if (!table) return false;
  const [row] = await db.select({ anonymous: table.anonymous }).from(table).where(eq(table.id, id));
  return row?.anonymous ?? false;
}
