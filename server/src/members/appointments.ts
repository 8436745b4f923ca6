// Appointing the volunteers: an admin makes a member a moderator of a room, or a story moderator, and
// stands them down again. Like every moderation action, each change writes one row of the audit log
// (moderation_actions) in the same transaction as its effect, and a request that changes nothing writes
// none. A room appointment's row carries the room, so its moderators read it in the room's log; a story
// moderator's has no room and is in the admins' log only. (admin_changes is for the operator's admin
// grants alone.)
import { schema, type Database } from '@kindred/db';
import { and, eq } from 'drizzle-orm';
import { ApiError } from '../errors.ts';

const { memberships, moderationActions, rooms, users } = schema;

export type AppointmentAction =
  'appoint_moderator' | 'remove_moderator' | 'appoint_story_moderator' | 'remove_story_moderator';

const reasons: Record<AppointmentAction, string> = {
  appoint_moderator: 'Appointed a moderator of the room by an admin.',
  remove_moderator: 'A moderator of the room no longer, by an admin.',
  appoint_story_moderator: 'Named a story moderator by an admin.',
  remove_story_moderator: 'A story moderator no longer, by an admin.',
};

export function createAppointmentService({ db, now }: { db: Database; now: () => Date }) {
  const record = (tx: Database, actorId: string, action: AppointmentAction, userId: string, roomId: string | null) =>
    tx.insert(moderationActions).values({
      actorId,
      action,
      targetType: 'user',
      targetId: userId,
      roomId,
      subjectId: userId,
      reason: reasons[action],
      createdAt: now(),
    });

  return {
    /** Makes a member of the room its moderator (`appointed`), or a member again. */
    async roomModerator(actorId: string, slug: string, userId: string, appointed: boolean): Promise<void> {
      await db.transaction(async (txRaw) => {
        const tx = txRaw as unknown as Database;
        const [room] = await tx.select({ id: rooms.id, kind: rooms.kind }).from(rooms).where(eq(rooms.slug, slug));
        if (!room) throw new ApiError('not_found', 'There is no room at this address.');
        if (room.kind === 'staff') {
          throw new ApiError('validation', 'The moderators’ room has no moderators of its own.', 'slug');
        }
        const role = appointed ? 'moderator' : 'member';
        const [membership] = await tx
          .select({ role: memberships.role })
          .from(memberships)
          .where(and(eq(memberships.roomId, room.id), eq(memberships.userId, userId)))
          .for('update');
        if (!membership) {
          if (appointed)
            throw new ApiError('validation', 'Only a member of this room can become its moderator.', 'userId');
          return;
        }
        if (membership.role === role) return;
        await tx
          .update(memberships)
          .set({ role })
          .where(and(eq(memberships.roomId, room.id), eq(memberships.userId, userId)));
        await record(tx, actorId, appointed ? 'appoint_moderator' : 'remove_moderator', userId, room.id);
      });
    },

    /** Names a member a story moderator (`appointed`), or stands them down. */
    async storyModerator(actorId: string, userId: string, appointed: boolean): Promise<void> {
      await db.transaction(async (txRaw) => {
        const tx = txRaw as unknown as Database;
        const [member] = await tx
          .select({ storyModerator: users.storyModerator })
          .from(users)
          .where(eq(users.id, userId))
          .for('update');
        if (!member) throw new ApiError('not_found', 'There is no such member.');
        if (member.storyModerator === appointed) return;
        await tx.update(users).set({ storyModerator: appointed }).where(eq(users.id, userId));
        await record(tx, actorId, appointed ? 'appoint_story_moderator' : 'remove_story_moderator', userId, null);
      });
    },
  };
}

export type AppointmentService = ReturnType<typeof createAppointmentService>;
