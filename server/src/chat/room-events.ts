// Appending events to a room's stream outside the chat writer (moderation, account deletion): the seqs
// are reserved in the caller's transaction, exactly as the writer does, so the stream stays gapless.
import { schema, type Database } from '@kindred/db';
import { eq, sql } from 'drizzle-orm';

const { roomEvents, rooms } = schema;

export interface RoomEventRange {
  roomId: string;
  from: number;
  to: number;
}

/** Adds one `updated` event per message id, in order; returns the seq range it used. */
export async function appendUpdatedEvents(
  tx: Database,
  roomId: string,
  messageIds: string[],
  at: Date,
): Promise<RoomEventRange | undefined> {
  if (messageIds.length === 0) return undefined;
  const [room] = await tx
    .update(rooms)
    .set({ lastSeq: sql`${rooms.lastSeq} + ${messageIds.length}` })
    .where(eq(rooms.id, roomId))
    .returning({ lastSeq: rooms.lastSeq });
  const to = Number(room!.lastSeq);
  const from = to - messageIds.length + 1;
  await tx
    .insert(roomEvents)
    .values(messageIds.map((messageId, i) => ({ roomId, seq: from + i, kind: 'updated', messageId, createdAt: at })));
  return { roomId, from, to };
}
