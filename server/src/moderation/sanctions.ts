// The sanctions in force now, so they can be lifted: a room's mutes and removals for its moderators and
// admins, and platform bans for admins. Lifting is an action like any other (`unmute`, `readmit`,
// `unban`), audited by the actions service; this module only reads. The member directory shows one
// member's sanctions from here too.
import { schema, type Database } from '@kindred/db';
import type { Bans, MemberDetail, RoomSanctions } from '@kindred/shared';
import { and, asc, eq, gt, inArray, isNotNull } from 'drizzle-orm';
import { ApiError } from '../errors.ts';
import { assertCanModerate, roomBySlug, type Moderator } from './authority.ts';

const { roomMutes, roomRemovals, rooms, users } = schema;

export function createSanctionService({ db, now }: { db: Database; now: () => Date }) {
  return {
    /** One member's sanctions in force, in these rooms (or all); their ban only when `withBan` (admins). */
    async ofMember(memberId: string, roomIds: string[] | 'all', withBan: boolean): Promise<MemberDetail['sanctions']> {
      if (roomIds !== 'all' && roomIds.length === 0) return { mutes: [], removals: [] };
      const inScope = (column: typeof roomMutes.roomId | typeof roomRemovals.roomId) =>
        roomIds === 'all' ? undefined : inArray(column, roomIds);
      const mutes = await db
        .select({ slug: rooms.slug, name: rooms.name, since: roomMutes.createdAt, until: roomMutes.until })
        .from(roomMutes)
        .innerJoin(rooms, eq(rooms.id, roomMutes.roomId))
        .where(and(eq(roomMutes.userId, memberId), gt(roomMutes.until, now()), inScope(roomMutes.roomId)))
        .orderBy(asc(roomMutes.until));
      const removals = await db
        .select({ slug: rooms.slug, name: rooms.name, since: roomRemovals.createdAt })
        .from(roomRemovals)
        .innerJoin(rooms, eq(rooms.id, roomRemovals.roomId))
        .where(and(eq(roomRemovals.userId, memberId), inScope(roomRemovals.roomId)))
        .orderBy(asc(roomRemovals.createdAt));
      const sanctions: MemberDetail['sanctions'] = {
        mutes: mutes.map((row) => ({
          room: { slug: row.slug, name: row.name },
          since: row.since.toISOString(),
          until: row.until.toISOString(),
        })),
        removals: removals.map((row) => ({ room: { slug: row.slug, name: row.name }, since: row.since.toISOString() })),
      };
      if (withBan) {
        const [row] = await db.select({ since: users.bannedAt }).from(users).where(eq(users.id, memberId));
        sanctions.ban = row?.since ? { since: row.since.toISOString() } : null;
      }
      return sanctions;
    },

    async inRoom(moderator: Moderator, slug: string): Promise<RoomSanctions> {
      const room = await roomBySlug(db, slug);
      await assertCanModerate(db, moderator, room.id);
      const mutes = await db
        .select({ id: users.id, displayName: users.displayName, since: roomMutes.createdAt, until: roomMutes.until })
        .from(roomMutes)
        .innerJoin(users, eq(users.id, roomMutes.userId))
        // A mute that has ended is no longer in force, though its row stays until the member is muted again.
        .where(and(eq(roomMutes.roomId, room.id), gt(roomMutes.until, now())))
        .orderBy(asc(roomMutes.until));
      const removals = await db
        .select({ id: users.id, displayName: users.displayName, since: roomRemovals.createdAt })
        .from(roomRemovals)
        .innerJoin(users, eq(users.id, roomRemovals.userId))
        .where(eq(roomRemovals.roomId, room.id))
        .orderBy(asc(roomRemovals.createdAt));
      return {
        mutes: mutes.map((row) => ({
          user: { id: row.id, displayName: row.displayName },
          since: row.since.toISOString(),
          until: row.until.toISOString(),
        })),
        removals: removals.map((row) => ({
          user: { id: row.id, displayName: row.displayName },
          since: row.since.toISOString(),
        })),
      };
    },

    async bans(moderator: Moderator): Promise<Bans> {
      if (!moderator.isAdmin) throw new ApiError('forbidden', 'Only admins can see who is banned.');
      const rows = await db
        .select({ id: users.id, displayName: users.displayName, since: users.bannedAt })
        .from(users)
        .where(isNotNull(users.bannedAt))
        .orderBy(asc(users.bannedAt));
      return {
        bans: rows.map((row) => ({
          user: { id: row.id, displayName: row.displayName },
          since: row.since!.toISOString(),
        })),
      };
    },
  };
}

export type SanctionService = ReturnType<typeof createSanctionService>;
