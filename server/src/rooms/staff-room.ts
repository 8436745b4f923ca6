// The private moderators' room: one per community, made with the first moderator (room or story), whose
// members are kept to exactly every room moderator, story moderator and admin. Members never see it: it is
// left out of every list, and to anyone not in it the room is not there at all (404 over HTTP, `not_found`
// on the socket). It is an ordinary room underneath (rooms.kind = 'staff'), so its chat, crisis detection
// and moderation are the same as everywhere else; everyone in it is a plain member there, so its urgent
// items go to admins.
import { schema, type Database } from '@kindred/db';
import { eq, sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';

const { rooms } = schema;

export const STAFF_ROOM = {
  slug: 'moderators-room',
  name: 'The moderators’ room',
  description:
    'A private room for the people who look after Kindred: to talk over a hard shift, ask each other for help and hand over.',
  rules: [
    'This room is only for moderators and admins; members never see it.',
    'What is said here stays here. Speak of members with the same care as in their rooms, and name them only when it helps someone look after them.',
    'You carry a lot. It is fine to say a shift was hard, and fine to step away.',
  ].join('\n\n'),
};

/** Who belongs in the moderators' room, as SQL over `users u`. */
const isStaff = sql`(u.is_admin OR u.story_moderator OR EXISTS (
  SELECT 1 FROM memberships m JOIN rooms r ON r.id = m.room_id
  WHERE m.user_id = u.id AND m.role = 'moderator' AND r.kind = 'community'))`;

export async function staffRoomId(db: Database): Promise<string | undefined> {
  const [row] = await db.select({ id: rooms.id }).from(rooms).where(eq(rooms.kind, 'staff'));
  return row?.id;
}

/**
 * Makes the room's members what they should be: creates the room when the first moderator exists, adds
 * everyone who looks after Kindred and takes out whoever no longer does. Returns the room and those taken
 * out, whose open sockets must leave it. Idempotent: safe at start-up, hourly and after any change.
 */
export async function syncStaffRoom(
  db: Database,
  now: Date,
): Promise<{ roomId: string | undefined; removed: string[] }> {
  let roomId = await staffRoomId(db);
  if (!roomId) {
    const moderators = await db.execute(sql`SELECT 1 FROM users u WHERE (u.story_moderator OR EXISTS (
      SELECT 1 FROM memberships m JOIN rooms r ON r.id = m.room_id
      WHERE m.user_id = u.id AND m.role = 'moderator' AND r.kind = 'community')) LIMIT 1`);
    if (rowsOf(moderators).length === 0) return { roomId: undefined, removed: [] };
    // A community room may already hold the address: then the moderators' room takes the next free one.
    for (let attempt = 0; attempt < 20 && !roomId; attempt++) {
      const slug = attempt === 0 ? STAFF_ROOM.slug : `${STAFF_ROOM.slug}-${attempt + 1}`;
      await db
        .insert(rooms)
        .values({ ...STAFF_ROOM, slug, audience: 'everyone', kind: 'staff', position: 0, createdAt: now })
        .onConflictDoNothing();
      roomId = await staffRoomId(db);
    }
    if (!roomId) return { roomId: undefined, removed: [] };
  }
  const at = now.toISOString();
  await db.execute(sql`INSERT INTO memberships (room_id, user_id, role, rules_accepted_at, joined_at)
    SELECT ${roomId}, u.id, 'member', ${at}, ${at} FROM users u WHERE ${isStaff} AND u.banned_at IS NULL
    ON CONFLICT DO NOTHING`);
  const removed = await db.execute(sql`DELETE FROM memberships WHERE room_id = ${roomId}
    AND user_id IN (SELECT u.id FROM users u WHERE NOT ${isStaff} OR u.banned_at IS NOT NULL)
    RETURNING user_id`);
  return { roomId, removed: rowsOf(removed).map((row) => String(row.user_id)) };
}

function rowsOf(result: unknown): Record<string, unknown>[] {
  return (Array.isArray(result) ? result : (result as { rows: Record<string, unknown>[] }).rows) ?? [];
}

/**
 * The routes after whose success someone may have started or stopped looking after Kindred. A new route
 * that appoints or removes a moderator (room or story), grants admin, removes or bans a member belongs here.
 * The CLI's admin grants are caught at the next start or hourly sweep.
 */
const STAFF_CHANGING_ROUTES = new Set([
  'PUT /api/rooms/:slug/moderators/:userId',
  'DELETE /api/rooms/:slug/moderators/:userId',
  'PUT /api/stories/moderators/:userId',
  'DELETE /api/stories/moderators/:userId',
  'POST /api/rooms/:slug/leave',
  'POST /api/moderation/actions',
]);

/**
 * Keeps the moderators' room true after every change of who looks after Kindred, before the answer is
 * sent: whoever stops is out of it (HTTP and writes) by the time the change is answered, and their open
 * sockets are told to leave it.
 */
export function keepStaffRoom(
  app: FastifyInstance,
  { db, now, onRemoved }: { db: Database; now: () => Date; onRemoved: (roomId: string, userId: string) => void },
): void {
  app.addHook('onSend', async (request, reply, payload) => {
    if (reply.statusCode >= 300) return payload;
    if (!STAFF_CHANGING_ROUTES.has(`${request.method} ${request.routeOptions.url}`)) return payload;
    await resync(db, now(), onRemoved);
    return payload;
  });
}

export async function resync(
  db: Database,
  at: Date,
  onRemoved: (roomId: string, userId: string) => void,
): Promise<void> {
  const { roomId, removed } = await syncStaffRoom(db, at);
  if (roomId) for (const userId of removed) onRemoved(roomId, userId);
}
