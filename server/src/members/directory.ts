// The member directory: how admins and room moderators find a member by name (to appoint, to look after)
// and what they may know of them: rooms, roles, joined date and sanctions in force. Never anything the
// member wrote, so nothing here can link them to their anonymous words. Admins see everyone; a room's
// moderator sees the members of the rooms they moderate (and those removed from them, to let them back),
// and of each such member only those rooms. Anyone else is refused.
import { schema, type Database } from '@kindred/db';
import type { MemberDetail, MemberSearchQuery, MemberSearchResponse } from '@kindred/shared';
import { and, asc, eq, inArray, ne, or, sql, type SQL } from 'drizzle-orm';
import { ApiError } from '../errors.ts';
import { roomBySlug } from '../moderation/authority.ts';
import type { SanctionService } from '../moderation/sanctions.ts';

const { memberships, roomRemovals, rooms, users } = schema;

export const DIRECTORY_PAGE_SIZE = 20;

export interface DirectoryViewer {
  id: string;
  isAdmin: boolean;
}

export function createDirectoryService({ db, sanctions }: { db: Database; sanctions: SanctionService }) {
  /** The rooms whose members the viewer may look up: all of them for admins, else the rooms they moderate. */
  async function scopeOf(viewer: DirectoryViewer): Promise<string[] | 'all'> {
    if (viewer.isAdmin) return 'all';
    const rows = await db
      .select({ roomId: memberships.roomId })
      .from(memberships)
      .where(and(eq(memberships.userId, viewer.id), eq(memberships.role, 'moderator')));
    if (rows.length === 0) {
      throw new ApiError('forbidden', 'The member directory is for admins and the moderators of a room.');
    }
    return rows.map((row) => row.roomId);
  }

  /** SQL true for members in (or removed from) one of these rooms. */
  function inRooms(roomIds: string[], withRemoved: boolean): SQL {
    const member = inArray(
      users.id,
      db.select({ id: memberships.userId }).from(memberships).where(inArray(memberships.roomId, roomIds)),
    );
    if (!withRemoved) return member;
    return or(
      member,
      inArray(
        users.id,
        db.select({ id: roomRemovals.userId }).from(roomRemovals).where(inArray(roomRemovals.roomId, roomIds)),
      ),
    )!;
  }

  return {
    async search(viewer: DirectoryViewer, query: MemberSearchQuery): Promise<MemberSearchResponse> {
      const scope = await scopeOf(viewer);
      let where: SQL | undefined = scope === 'all' ? undefined : inRooms(scope, true);
      if (query.room) {
        const room = await roomBySlug(db, query.room);
        if (scope !== 'all' && !scope.includes(room.id)) {
          throw new ApiError('forbidden', 'Only this room’s moderators (or an admin) can look through its members.');
        }
        where = inRooms([room.id], false);
      }
      const q = (query.q ?? '').normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase();
      // strpos rather than LIKE: an underscore or a percent sign is a letter of a name here, not a pattern.
      const username = sql`lower(${users.username})`;
      const displayName = sql`lower(${users.displayName})`;
      const rank = q
        ? sql<number>`(CASE WHEN strpos(${username}, ${q}) = 1 OR strpos(${displayName}, ${q}) = 1 THEN 0 ELSE 1 END)`
        : sql<number>`0`;
      const matches = q ? sql`(strpos(${username}, ${q}) > 0 OR strpos(${displayName}, ${q}) > 0)` : undefined;
      let after: SQL | undefined;
      if (query.cursor) {
        const [cursorRank, cursorName] = [Number(query.cursor[0]), query.cursor.slice(2)];
        after = sql`(${rank}, ${username}) > (${cursorRank}, ${cursorName})`;
      }
      const rows = await db
        .select({
          id: users.id,
          username: users.username,
          displayName: users.displayName,
          createdAt: users.createdAt,
          rank,
        })
        .from(users)
        .where(and(where, matches, after))
        .orderBy(asc(rank), asc(username))
        .limit(DIRECTORY_PAGE_SIZE + 1);
      const page = rows.slice(0, DIRECTORY_PAGE_SIZE);
      const last = page.at(-1);
      return {
        members: page.map((row) => ({
          id: row.id,
          username: row.username,
          displayName: row.displayName,
          joinedAt: row.createdAt.toISOString(),
        })),
        nextCursor: rows.length > DIRECTORY_PAGE_SIZE && last ? `${Number(last.rank)}:${last.username}` : null,
      };
    },

    async detail(viewer: DirectoryViewer, usernameAsked: string): Promise<MemberDetail> {
      const scope = await scopeOf(viewer);
      const [member] = await db
        .select()
        .from(users)
        .where(
          and(
            eq(sql`lower(${users.username})`, usernameAsked.toLowerCase()),
            scope === 'all' ? undefined : inRooms(scope, true),
          ),
        );
      // Unknown, or not one the viewer may see: the same answer, so it never says which.
      if (!member) throw new ApiError('not_found', 'There is no member by that name that you can look up.');
      const rows = await db
        .select({ slug: rooms.slug, name: rooms.name, role: memberships.role, joinedAt: memberships.joinedAt })
        .from(memberships)
        .innerJoin(rooms, eq(rooms.id, memberships.roomId))
        .where(
          and(
            eq(memberships.userId, member.id),
            // The moderators' room is not a community room: being in it is a role, shown under roles.
            ne(rooms.kind, 'staff'),
            scope === 'all' ? undefined : inArray(memberships.roomId, scope),
          ),
        )
        .orderBy(asc(rooms.position), asc(rooms.name));
      const memberRooms = rows.map((row) => ({
        slug: row.slug,
        name: row.name,
        role: row.role === 'moderator' ? ('moderator' as const) : ('member' as const),
        joinedAt: row.joinedAt.toISOString(),
      }));
      return {
        id: member.id,
        username: member.username,
        displayName: member.displayName,
        joinedAt: member.createdAt.toISOString(),
        roles: {
          admin: member.isAdmin,
          storyModerator: member.storyModerator,
          roomModerator: memberRooms
            .filter((room) => room.role === 'moderator')
            .map((room) => ({ slug: room.slug, name: room.name })),
        },
        rooms: memberRooms,
        sanctions: await sanctions.ofMember(member.id, scope, viewer.isAdmin),
      };
    },
  };
}

export type DirectoryService = ReturnType<typeof createDirectoryService>;
