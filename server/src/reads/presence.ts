// Presence: who has a socket subscribed to a room now, over every instance. Each instance keeps its own
// sockets in memory and writes one row per (room, member) it holds to `room_presence` when a member's first
// socket there arrives or their last one goes (gathered for DEBOUNCE_MS), under its row in
// `presence_instances`, which it renews every heartbeat (database time, so instances' clocks don't matter).
// An instance that dies stops renewing: once its row expires (3 heartbeats), any instance's next heartbeat
// deletes it and its rows with it, and tells the rooms concerned. "Here now" counts distinct members over
// live instances only, so a dead instance never leaves members "here" for longer than that.
//
// A change is told over the bus (`presence-changed`, room ids only); each instance with subscribers in those
// rooms counts them again, once per burst, and sends a `presence` frame only when the room's frame changed.
import { randomUUID } from 'node:crypto';
import { schema, type Database } from '@kindred/db';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { ControlMessage } from '../chat/bus.ts';

const { memberships, moderatorDuty, presenceInstances, roomPresence, users } = schema;

/** Changes within this long of each other are written, and counted, once. */
const DEBOUNCE_MS = 100;

/** What a subscribed socket must offer: the gateway's connection. */
export interface PresenceSocket {
  sendRaw(frame: string): void;
}

interface LocalRoom {
  slug: string;
  members: Map<string, Set<PresenceSocket>>;
  /** The last presence frame sent to this room's sockets here. */
  frame?: string;
}

export interface RoomPresence {
  hereNow: number;
  hereNames: string[];
  moderatorOnDuty: boolean;
}

export function createPresence(options: {
  db: Database;
  heartbeatMs: number;
  publish: (message: ControlMessage) => void;
  onError: (error: unknown) => void;
}) {
  const { db, heartbeatMs, publish, onError } = options;
  const instanceId = randomUUID();
  const ttl = sql`make_interval(secs => ${(heartbeatMs * 3) / 1000})`;
  const local = new Map<string, LocalRoom>();
  /** (room, member) pairs whose row must be written or deleted. */
  const dirty = new Map<string, { roomId: string; userId: string }>();
  const recount = new Set<string>();
  let writeTimer: NodeJS.Timeout | undefined;
  let countTimer: NodeJS.Timeout | undefined;
  let heartbeat: NodeJS.Timeout | undefined;
  let work: Promise<void> = Promise.resolve();
  let started: Promise<void> | undefined;
  let closed = false;

  const queue = (task: () => Promise<void>) => {
    work = work.then(task).catch(onError);
    return work;
  };

  /** Renews this instance (making it again, with all its rows, if it was taken for dead); sweeps the dead. */
  async function beat(): Promise<void> {
    const [renewed] = await db
      .insert(presenceInstances)
      .values({ id: instanceId, expiresAt: sql`now() + ${ttl}` })
      .onConflictDoUpdate({ target: presenceInstances.id, set: { expiresAt: sql`now() + ${ttl}` } })
      .returning({ made: sql<boolean>`(xmax = 0)` });
    if (renewed?.made) {
      for (const [roomId, room] of local) {
        for (const userId of room.members.keys()) dirty.set(`${roomId}:${userId}`, { roomId, userId });
      }
      if (dirty.size) await writeDirty();
    }
    // The rows of instances that expired, read before the delete takes them with it (same snapshot).
    const swept = await db.execute(sql`
      WITH dead AS (DELETE FROM presence_instances WHERE expires_at < now() RETURNING id)
      SELECT DISTINCT room_id FROM room_presence WHERE instance_id IN (SELECT id FROM dead)`);
    const roomIds = rowsOf<{ room_id: string }>(swept).map((row) => row.room_id);
    if (roomIds.length) publish({ type: 'presence-changed', roomIds });
  }

  async function writeDirty(): Promise<void> {
    const pairs = [...dirty.values()];
    dirty.clear();
    if (pairs.length === 0) return;
    const present = pairs.filter(({ roomId, userId }) => (local.get(roomId)?.members.get(userId)?.size ?? 0) > 0);
    const gone = pairs.filter((pair) => !present.includes(pair));
    if (present.length) {
      await db
        .insert(roomPresence)
        .values(present.map((pair) => ({ ...pair, instanceId })))
        .onConflictDoNothing();
    }
    for (const { roomId, userId } of gone) {
      await db
        .delete(roomPresence)
        .where(
          and(
            eq(roomPresence.instanceId, instanceId),
            eq(roomPresence.roomId, roomId),
            eq(roomPresence.userId, userId),
          ),
        );
    }
    publish({ type: 'presence-changed', roomIds: [...new Set(pairs.map((pair) => pair.roomId))] });
  }

  function markDirty(roomId: string, userId: string): void {
    dirty.set(`${roomId}:${userId}`, { roomId, userId });
    writeTimer ??= setTimeout(() => {
      writeTimer = undefined;
      void queue(async () => {
        await started;
        await writeDirty();
      });
    }, DEBOUNCE_MS);
  }

  /** Here now, names of those who chose to be seen, and duty, for each of these rooms. */
  async function of(roomIds: string[]): Promise<Map<string, RoomPresence>> {
    const byRoom = new Map<string, RoomPresence>();
    if (roomIds.length === 0) return byRoom;
    for (const roomId of roomIds) byRoom.set(roomId, { hereNow: 0, hereNames: [], moderatorOnDuty: false });
    const here = await db
      .select({
        roomId: roomPresence.roomId,
        hereNow: sql<number>`count(DISTINCT ${roomPresence.userId})::int`,
        hereNames: sql<
          string[] | null
        >`array_agg(DISTINCT ${users.displayName} ORDER BY ${users.displayName}) FILTER (WHERE ${users.showPresence})`,
      })
      .from(roomPresence)
      .innerJoin(
        presenceInstances,
        and(eq(presenceInstances.id, roomPresence.instanceId), sql`${presenceInstances.expiresAt} > now()`),
      )
      .innerJoin(users, eq(users.id, roomPresence.userId))
      .where(inArray(roomPresence.roomId, roomIds))
      .groupBy(roomPresence.roomId);
    for (const row of here) {
      byRoom.set(row.roomId, { hereNow: Number(row.hereNow), hereNames: row.hereNames ?? [], moderatorOnDuty: false });
    }
    // On duty as a moderator of the room now (as rooms/service.ts counts them).
    const duty = await db
      .selectDistinct({ roomId: moderatorDuty.roomId })
      .from(moderatorDuty)
      .innerJoin(
        memberships,
        and(
          eq(memberships.roomId, moderatorDuty.roomId),
          eq(memberships.userId, moderatorDuty.userId),
          eq(memberships.role, 'moderator'),
        ),
      )
      .where(inArray(moderatorDuty.roomId, roomIds));
    for (const { roomId } of duty) byRoom.get(roomId)!.moderatorOnDuty = true;
    return byRoom;
  }

  async function countMarked(): Promise<void> {
    const roomIds = [...recount].filter((roomId) => local.has(roomId));
    recount.clear();
    if (roomIds.length === 0) return;
    const counted = await of(roomIds);
    for (const roomId of roomIds) {
      const room = local.get(roomId);
      const presence = counted.get(roomId);
      if (!room || !presence) continue;
      const frame = JSON.stringify({ type: 'presence', room: room.slug, ...presence });
      if (frame === room.frame) continue;
      room.frame = frame;
      for (const sockets of room.members.values()) for (const socket of sockets) socket.sendRaw(frame);
    }
  }

  return {
    instanceId,
    of,

    /** Registers this instance and starts its heartbeat. */
    start(): Promise<void> {
      started ??= queue(beat);
      heartbeat = setInterval(() => void queue(beat), heartbeatMs);
      heartbeat.unref();
      return started;
    },

    /** A socket of this member subscribed to the room. */
    enter(socket: PresenceSocket, roomId: string, slug: string, userId: string): void {
      if (closed) return;
      let room = local.get(roomId);
      if (!room) {
        room = { slug, members: new Map() };
        local.set(roomId, room);
      }
      const sockets = room.members.get(userId) ?? new Set();
      room.members.set(userId, sockets);
      sockets.add(socket);
      if (sockets.size === 1) markDirty(roomId, userId);
    },

    /** A socket of this member left the room (unsubscribed, left, closed). */
    leave(socket: PresenceSocket, roomId: string, userId: string): void {
      const room = local.get(roomId);
      const sockets = room?.members.get(userId);
      if (!room || !sockets?.delete(socket)) return;
      if (sockets.size > 0) return;
      room.members.delete(userId);
      if (room.members.size === 0) local.delete(roomId);
      if (!closed) markDirty(roomId, userId);
    },

    onControl(message: ControlMessage): void {
      if (message.type !== 'presence-changed') return;
      let any = false;
      for (const roomId of message.roomIds) {
        if (!local.has(roomId)) continue;
        recount.add(roomId);
        any = true;
      }
      if (!any) return;
      countTimer ??= setTimeout(() => {
        countTimer = undefined;
        void queue(countMarked);
      }, DEBOUNCE_MS);
    },

    /** Stops the heartbeat and takes this instance's rows away (the app closing), telling the rooms. */
    async close(): Promise<void> {
      closed = true;
      clearInterval(heartbeat);
      clearTimeout(writeTimer);
      clearTimeout(countTimer);
      await work;
      const rows = await db
        .delete(roomPresence)
        .where(eq(roomPresence.instanceId, instanceId))
        .returning({ roomId: roomPresence.roomId })
        .catch(() => []);
      await db
        .delete(presenceInstances)
        .where(eq(presenceInstances.id, instanceId))
        .catch(() => undefined);
      const roomIds = [...new Set(rows.map((row) => row.roomId))];
      if (roomIds.length) publish({ type: 'presence-changed', roomIds });
    },
  };
}

export type Presence = ReturnType<typeof createPresence>;

function rowsOf<T>(result: unknown): T[] {
  return Array.isArray(result) ? (result as T[]) : ((result as { rows?: T[] }).rows ?? []);
}
