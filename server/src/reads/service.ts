// Read positions: the last seq of a room each member has read, which only moves forward, and the unread
// count that follows from it. No HTTP here (routes.ts).
import { schema, type Database } from '@kindred/db';
import { UNREAD_MAX, type ReadPosition } from '@kindred/shared';
import { and, eq, inArray, sql } from 'drizzle-orm';

const { memberships, readPositions, rooms } = schema;

export interface Position {
  readSeq: number | null;
  unread: number;
}

export function createReadService({ db, now }: { db: Database; now: () => Date }) {
  /**
   * What a member would see in each room after their read position (after joining, when they never opened
   * it): messages by others that are not hidden or deleted, by authors they have not blocked, and not
   * content-free placeholders of deleted accounts. Counted up to UNREAD_MAX, so a room with years of history
   * costs no more than that. Rooms they have not joined are left out.
   */
  async function positions(userId: string, roomIds: string[]): Promise<Map<string, Position>> {
    const byRoom = new Map<string, Position>();
    if (roomIds.length === 0) return byRoom;
    const rows = await db
      .select({
        roomId: memberships.roomId,
        readSeq: readPositions.seq,
        unread: sql<number>`(
          SELECT count(*)::int FROM (
            SELECT 1 FROM messages m
            WHERE m.room_id = ${memberships.roomId}
              AND m.seq > coalesce(${readPositions.seq}, 0)
              AND (${readPositions.seq} IS NOT NULL OR m.created_at >= ${memberships.joinedAt})
              AND m.author_id <> ${memberships.userId}
              AND m.deleted_at IS NULL
              AND m.hidden_at IS NULL
              AND NOT EXISTS (
                SELECT 1 FROM blocks b WHERE b.blocker_id = ${memberships.userId} AND b.blocked_id = m.author_id
              )
            LIMIT ${UNREAD_MAX}
          ) counted
        )`,
      })
      .from(memberships)
      .leftJoin(
        readPositions,
        and(eq(readPositions.userId, memberships.userId), eq(readPositions.roomId, memberships.roomId)),
      )
      .where(and(eq(memberships.userId, userId), inArray(memberships.roomId, roomIds)));
    for (const row of rows) {
      byRoom.set(row.roomId, {
        readSeq: row.readSeq === null ? null : Number(row.readSeq),
        unread: Number(row.unread),
      });
    }
    return byRoom;
  }

  return {
    positions,

    /**
     * Moves the member's position in the room forward to `seq`, clamped to the room's newest seq; never back.
     * `moved` says whether it changed (only then are the member's other screens told).
     */
    async markRead(userId: string, roomId: string, seq: number): Promise<ReadPosition & { moved: boolean }> {
      const newest = sql`(SELECT ${rooms.lastSeq} FROM ${rooms} WHERE ${rooms.id} = ${roomId})`;
      const [before] = await db
        .select({ seq: readPositions.seq })
        .from(readPositions)
        .where(and(eq(readPositions.userId, userId), eq(readPositions.roomId, roomId)));
      const [after] = await db
        .insert(readPositions)
        .values({ userId, roomId, seq: sql`LEAST(${seq}::bigint, ${newest})`, updatedAt: now() })
        .onConflictDoUpdate({
          target: [readPositions.userId, readPositions.roomId],
          set: {
            seq: sql`GREATEST(${readPositions.seq}, excluded.seq)`,
            updatedAt: sql`CASE WHEN excluded.seq > ${readPositions.seq} THEN excluded.updated_at ELSE ${readPositions.updatedAt} END`,
          },
        })
        .returning({ seq: readPositions.seq });
      const readSeq = Number(after!.seq);
      const position = (await positions(userId, [roomId])).get(roomId);
      return {
        readSeq,
        unread: position?.unread ?? 0,
        moved: before === undefined || Number(before.seq) < readSeq,
      };
    },
  };
}

export type ReadService = ReturnType<typeof createReadService>;
