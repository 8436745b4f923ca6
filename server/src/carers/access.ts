// Who may use the carers' tools on a room: its volunteer moderators and admins (authority.ts), with the
// moderators' room not there at all for anyone outside it.
import { schema, type Database } from '@kindred/db';
import { and, eq } from 'drizzle-orm';
import { ApiError } from '../errors.ts';
import { assertCanModerate, type Moderator } from '../moderation/authority.ts';

const { memberships, rooms } = schema;

export async function roomModeratedBy(db: Database, moderator: Moderator, slug: string) {
  const [room] = await db.select().from(rooms).where(eq(rooms.slug, slug));
  if (!room) throw new ApiError('not_found', 'There is no room at this address.');
  if (room.kind === 'staff') {
    const [inIt] = await db
      .select({ userId: memberships.userId })
      .from(memberships)
      .where(and(eq(memberships.roomId, room.id), eq(memberships.userId, moderator.id)));
    if (!inIt) throw new ApiError('not_found', 'There is no room at this address.');
  }
  await assertCanModerate(db, moderator, room.id);
  return room;
}
