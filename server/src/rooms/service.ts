// Rooms and who is in them: listing, joining after accepting the rules, leaving, and the admin's tools
// (create, edit, archive; appointing moderators is members/appointments.ts). No HTTP here.
import { schema, type Database } from '@kindred/db';
import type { Audience, CreateRoomBody, Room, UpdateRoomBody } from '@kindred/shared';
import { and, asc, eq, inArray, isNull, ne, or, sql, type SQL } from 'drizzle-orm';
import { ApiError } from '../errors.ts';

const { memberships, moderatorDuty, roomRemovals, rooms, users } = schema;

export interface Viewer {
  userId: string | undefined;
  isAdmin: boolean;
}

export type RoomRow = typeof rooms.$inferSelect;

export function createRoomService({ db, now }: { db: Database; now: () => Date }) {
  async function roomViews(viewer: Viewer, where: SQL | undefined): Promise<Room[]> {
    const memberCount = sql<number>`(SELECT count(*)::int FROM ${memberships} WHERE ${memberships.roomId} = ${rooms.id})`;
    const mine = viewer.userId
      ? and(eq(memberships.roomId, rooms.id), eq(memberships.userId, viewer.userId))
      : sql`false`;
    // Archived rooms stay visible to those who were in them (their history is theirs) and to admins.
    const visible = viewer.isAdmin ? undefined : or(isNull(rooms.archivedAt), sql`${memberships.userId} IS NOT NULL`);
    // The moderators' room (staff-room.ts) exists only for those in it.
    const staffRoomVisible = or(ne(rooms.kind, 'staff'), sql`${memberships.userId} IS NOT NULL`);
    const rows = await db
      .select({ room: rooms, memberCount, myRole: memberships.role })
      .from(rooms)
      .leftJoin(memberships, mine)
      .where(and(where, visible, staffRoomVisible))
      .orderBy(asc(rooms.position), asc(rooms.name));
    const moderators = await moderatorsOf(rows.map((row) => row.room.id));
    const onDuty = await onDutyIn(rows.map((row) => row.room.id));
    return rows.map(({ room, memberCount, myRole }) => {
      const all = moderators.get(room.id) ?? [];
      const duty = onDuty.get(room.id) ?? { count: 0, names: [], shown: new Set<string>() };
      // Who looks after a room is the moderators' to tell: admins and the room's own moderators see them all;
      // everyone else only those on duty now who chose "Let members see my name".
      const seesAll = viewer.isAdmin || myRole === 'moderator';
      return {
        id: room.id,
        slug: room.slug,
        name: room.name,
        description: room.description,
        audience: room.audience as Audience,
        rules: room.rules,
        contentNote: room.contentNote,
        memberCount: Number(memberCount),
        joined: myRole !== null,
        myRole: (myRole as 'member' | 'moderator' | null) ?? null,
        slowModeSeconds: room.slowModeSeconds,
        locked: room.locked,
        archived: room.archivedAt !== null,
        moderators: seesAll ? all : all.filter((moderator) => duty.shown.has(moderator.id)),
        moderatorCount: all.length,
        onDuty: { count: duty.count, names: duty.names },
      };
    });
  }

  async function moderatorsOf(roomIds: string[]): Promise<Map<string, { id: string; displayName: string }[]>> {
    const byRoom = new Map<string, { id: string; displayName: string }[]>();
    if (roomIds.length === 0) return byRoom;
    const rows = await db
      .select({ roomId: memberships.roomId, id: users.id, displayName: users.displayName })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(and(inArray(memberships.roomId, roomIds), eq(memberships.role, 'moderator')))
      .orderBy(asc(users.displayName));
    for (const { roomId, ...moderator } of rows) byRoom.set(roomId, [...(byRoom.get(roomId) ?? []), moderator]);
    return byRoom;
  }

  async function onDutyIn(
    roomIds: string[],
  ): Promise<Map<string, { count: number; names: string[]; shown: Set<string> }>> {
    const byRoom = new Map<string, { count: number; names: string[]; shown: Set<string> }>();
    if (roomIds.length === 0) return byRoom;
    const rows = await db
      .select({
        roomId: moderatorDuty.roomId,
        userId: moderatorDuty.userId,
        showName: moderatorDuty.showName,
        displayName: users.displayName,
      })
      .from(moderatorDuty)
      .innerJoin(users, eq(users.id, moderatorDuty.userId))
      .innerJoin(
        memberships,
        and(
          eq(memberships.roomId, moderatorDuty.roomId),
          eq(memberships.userId, moderatorDuty.userId),
          eq(memberships.role, 'moderator'),
        ),
      )
      .where(inArray(moderatorDuty.roomId, roomIds));
    for (const row of rows) {
      const entry = byRoom.get(row.roomId) ?? { count: 0, names: [], shown: new Set<string>() };
      entry.count += 1;
      if (row.showName) {
        entry.names.push(row.displayName);
        entry.shown.add(row.userId);
      }
      byRoom.set(row.roomId, entry);
    }
    return byRoom;
  }

  /** The room at this address; the moderators' room only for one of its members when `forUserId` is given. */
  async function findRoom(slug: string, forUserId?: string): Promise<RoomRow> {
    const [room] = await db.select().from(rooms).where(eq(rooms.slug, slug));
    if (!room) throw roomNotFound();
    if (room.kind === 'staff' && (forUserId === undefined || !(await membershipOf(room.id, forUserId)))) {
      throw roomNotFound();
    }
    return room;
  }

  async function membershipOf(roomId: string, userId: string) {
    const [row] = await db
      .select()
      .from(memberships)
      .where(and(eq(memberships.roomId, roomId), eq(memberships.userId, userId)));
    return row;
  }

  async function view(slug: string, viewer: Viewer): Promise<Room> {
    const [room] = await roomViews(viewer, eq(rooms.slug, slug));
    if (!room) throw roomNotFound();
    return room;
  }

  return {
    // Lists leave out the moderators' room, even for those in it: they reach it from the moderation pages.
    list: (viewer: Viewer) => roomViews(viewer, ne(rooms.kind, 'staff')),
    view,
    findRoom,

    async create(input: CreateRoomBody, viewer: Viewer): Promise<Room> {
      const inserted = await db
        .insert(rooms)
        .values({
          slug: input.slug,
          name: input.name.trim(),
          description: input.description.trim(),
          audience: input.audience,
          rules: input.rules.trim(),
          contentNote: input.contentNote?.trim() || null,
          slowModeSeconds: input.slowModeSeconds ?? 0,
          createdAt: now(),
        })
        .onConflictDoNothing({ target: rooms.slug })
        .returning({ id: rooms.id });
      if (inserted.length === 0) {
        throw new ApiError('slug_taken', 'Another room already has that address. Please choose another.', 'slug');
      }
      return view(input.slug, viewer);
    },

    async update(slug: string, changes: UpdateRoomBody, viewer: Viewer): Promise<Room> {
      const room = await findRoom(slug);
      const values: Partial<typeof rooms.$inferInsert> = {};
      if (changes.name !== undefined) values.name = changes.name.trim();
      if (changes.description !== undefined) values.description = changes.description.trim();
      if (changes.audience !== undefined) values.audience = changes.audience;
      if (changes.rules !== undefined) values.rules = changes.rules.trim();
      if (changes.contentNote !== undefined) values.contentNote = changes.contentNote?.trim() || null;
      if (changes.slowModeSeconds !== undefined) values.slowModeSeconds = changes.slowModeSeconds;
      if (changes.archived !== undefined) values.archivedAt = changes.archived ? (room.archivedAt ?? now()) : null;
      await db.update(rooms).set(values).where(eq(rooms.id, room.id));
      return view(slug, viewer);
    },

    async join(slug: string, viewer: Viewer & { userId: string }, acceptRules: boolean | undefined): Promise<Room> {
      const room = await findRoom(slug, viewer.userId);
      // Nobody joins the moderators' room: its members are kept by staff-room.ts.
      if (room.kind === 'staff') throw roomNotFound();
      if (room.archivedAt) throw new ApiError('room_archived', 'This room is closed now, so it cannot be joined.');
      const [removed] = await db
        .select({ at: roomRemovals.createdAt })
        .from(roomRemovals)
        .where(and(eq(roomRemovals.roomId, room.id), eq(roomRemovals.userId, viewer.userId)));
      if (removed) {
        throw new ApiError('forbidden', 'The moderators of this room removed you from it, so you can’t join it again.');
      }
      if (acceptRules !== true) {
        throw new ApiError('rules_not_accepted', 'Please read and accept the room’s rules to join.', 'acceptRules');
      }
      await db
        .insert(memberships)
        .values({ roomId: room.id, userId: viewer.userId, rulesAcceptedAt: now(), joinedAt: now() })
        .onConflictDoNothing();
      return view(slug, viewer);
    },

    /** Returns the room's id, so live connections can be told the membership ended. */
    async leave(slug: string, userId: string): Promise<string> {
      const room = await findRoom(slug, userId);
      if (room.kind === 'staff') {
        throw new ApiError('forbidden', 'This room is yours for as long as you help look after Kindred.');
      }
      await db.delete(memberships).where(and(eq(memberships.roomId, room.id), eq(memberships.userId, userId)));
      return room.id;
    },

    /** The caller's membership of a room, or undefined. */
    membership: membershipOf,
  };
}

export type RoomService = ReturnType<typeof createRoomService>;

function roomNotFound(): ApiError {
  return new ApiError('not_found', 'There is no room at this address.');
}
