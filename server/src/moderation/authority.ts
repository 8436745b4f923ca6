// Who may moderate what. Admins act everywhere; a room's volunteer moderators act in that room, and on its
// members only: an admin or another moderator of the room is for an admin to act on; story moderators act
// on stories, replies and candles, which belong to no room.
import { schema, type Database } from '@kindred/db';
import { and, eq } from 'drizzle-orm';
import { ApiError } from '../errors.ts';

const { memberships, rooms, users } = schema;

export interface Moderator {
  id: string;
  isAdmin: boolean;
  /** Named by an admin to moderate stories and their replies, which belong to no room. */
  storyModerator: boolean;
}

/** Content that belongs to no room: stories, replies and remembrance candles. */
export const STORY_TARGETS = ['story', 'reply', 'candle'];

export async function assertCanModerate(
  tx: Database,
  moderator: Moderator,
  roomId: string | null,
  targetType?: string,
): Promise<void> {
  if (moderator.isAdmin) return;
  if (!roomId && targetType && STORY_TARGETS.includes(targetType) && moderator.storyModerator) return;
  if (roomId) {
    const [row] = await tx
      .select({ role: memberships.role })
      .from(memberships)
      .where(and(eq(memberships.roomId, roomId), eq(memberships.userId, moderator.id)));
    if (row?.role === 'moderator') return;
  }
  throw new ApiError('forbidden', 'Only this room’s moderators (or an admin) can do that.');
}

/**
 * A volunteer moderator's actions on a member of their room (mute, remove and their lifts) never reach an
 * admin or a fellow moderator of the room: a disagreement between those who look after a room is an
 * admin's to settle, never one moderator's to end by muting the other.
 */
export async function assertMayActOnMember(
  tx: Database,
  moderator: Moderator,
  roomId: string,
  member: { id: string; isAdmin: boolean },
): Promise<void> {
  if (moderator.isAdmin) return;
  const [row] = await tx
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.roomId, roomId), eq(memberships.userId, member.id)));
  if (member.isAdmin || row?.role === 'moderator') {
    throw new ApiError(
      'forbidden',
      'A room’s moderators look after its members. For an admin or another moderator of this room, please ask an admin.',
    );
  }
}

/** The room at this address; a missing one is the person's to correct (400), an unknown one 404. */
export async function roomBySlug(tx: Database, slug: string | undefined) {
  if (!slug) throw new ApiError('validation', 'Please say which room this is about.', 'room');
  const [room] = await tx.select().from(rooms).where(eq(rooms.slug, slug));
  if (!room) throw new ApiError('not_found', 'There is no room at this address.');
  return room;
}

/** The member a user action is about, with what decides whether a volunteer may act on them. */
export async function memberById(tx: Database, id: string) {
  const [member] = await tx.select({ id: users.id, isAdmin: users.isAdmin }).from(users).where(eq(users.id, id));
  if (!member) throw new ApiError('not_found', 'There is no such member.');
  return member;
}
