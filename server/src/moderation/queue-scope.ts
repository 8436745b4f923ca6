// Which review-queue items a moderator may see: the one rule that the queue list (GET /api/moderation/queue)
// and its live count (live-counts.ts) both read, so a count can never disagree with the list it counts.
// Room moderators see the items of the rooms they moderate, story moderators the items about stories,
// replies and candles (which belong to no room), admins everything.
import { schema, type Database } from '@kindred/db';
import { and, count, eq, inArray, isNull, or, sql, type SQL } from 'drizzle-orm';
import { STORY_TARGETS, type Moderator } from './authority.ts';
import { itemVisibleTo } from './visibility.ts';

const { memberships, moderationItems } = schema;

export async function moderatedRoomIds(db: Database, moderator: Moderator): Promise<string[] | 'all'> {
  if (moderator.isAdmin) return 'all';
  const rows = await db
    .select({ roomId: memberships.roomId })
    .from(memberships)
    .where(and(eq(memberships.userId, moderator.id), eq(memberships.role, 'moderator')));
  return rows.map((row) => row.roomId);
}

/**
 * Whose queue, the rooms (or all) and whether the stories are theirs to look after; null when nothing is.
 * Rules about the viewer (never an item about their own words or person: visibility.ts) apply in openItemsIn.
 */
export type QueueScope = { viewerId: string; rooms: string[] | 'all'; stories: boolean };

export async function queueScopeOf(db: Database, moderator: Moderator): Promise<QueueScope | null> {
  const rooms = await moderatedRoomIds(db, moderator);
  if (rooms !== 'all' && rooms.length === 0 && !moderator.storyModerator) return null;
  return { viewerId: moderator.id, rooms, stories: moderator.isAdmin || moderator.storyModerator };
}

/** The open items of a scope, none about the viewer: the queue list's filter, and its count's. */
export function openItemsIn(db: Database, scope: QueueScope): SQL {
  const inScope =
    scope.rooms === 'all'
      ? undefined
      : or(
          scope.rooms.length ? inArray(moderationItems.roomId, scope.rooms) : undefined,
          scope.stories
            ? and(isNull(moderationItems.roomId), inArray(moderationItems.targetType, STORY_TARGETS))
            : undefined,
        );
  return and(eq(moderationItems.status, 'open'), inScope, itemVisibleTo(db, scope.viewerId))!;
}

/** How many items the queue list holds for this moderator (beyond its first 50 too), urgent ones apart. */
export async function queueCounts(db: Database, scope: QueueScope): Promise<{ total: number; urgent: number }> {
  const [row] = await db
    .select({
      total: count(),
      urgent: sql<number>`count(*) filter (where ${moderationItems.urgent})`.mapWith(Number),
    })
    .from(moderationItems)
    .where(openItemsIn(db, scope));
  return { total: Number(row?.total ?? 0), urgent: Number(row?.urgent ?? 0) };
}
