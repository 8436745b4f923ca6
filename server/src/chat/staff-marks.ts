// The staff mark on a chat message (`author.staff`): `admin` for a Kindred admin, in every room; `moderator`
// for a volunteer moderator of the room the message is in (of that room only); otherwise null. Read from the
// roles as they are now, in the same statement that reads the message, so a moderator who steps down loses
// the mark on what they wrote, and every instance answers the same with no cache to keep in step: one
// primary-key probe of memberships per message, and users.is_admin from the author's row already read.
import { schema } from '@kindred/db';
import { sql } from 'drizzle-orm';

const { memberships, messages, users } = schema;

export type MessageStaffMark = 'admin' | 'moderator' | null;

/** The mark from the facts a chat write already reads: the author's admin flag and role in the room. */
export function staffMarkOf(isAdmin: boolean, role: string | undefined): MessageStaffMark {
  if (isAdmin) return 'admin';
  return role === 'moderator' ? 'moderator' : null;
}

/** For a drizzle select of messages left-joined to their author in users. */
export const staffMarkColumn = sql<MessageStaffMark>`CASE WHEN ${users.isAdmin} THEN 'admin'
  WHEN EXISTS (SELECT 1 FROM ${memberships} WHERE ${memberships.roomId} = ${messages.roomId}
    AND ${memberships.userId} = ${messages.authorId} AND ${memberships.role} = 'moderator') THEN 'moderator' END`;

/**
 * The same, in raw SQL over a message `m`, its author `u` (with `is_admin`) and `ms`, the author's membership
 * of the room read by MEMBERSHIP_OF_AUTHOR_SQL (a probe of its primary key, kept one in a generic plan).
 */
export const STAFF_MARK_SQL = sql.raw(
  `CASE WHEN u.is_admin THEN 'admin' WHEN ms.role = 'moderator' THEN 'moderator' END`,
);

export const MEMBERSHIP_OF_AUTHOR_SQL = sql.raw(`LEFT JOIN LATERAL (SELECT role FROM memberships
    WHERE memberships.room_id = m.room_id AND memberships.user_id = m.author_id OFFSET 0) ms ON true`);

/** A mark as read from the database: anything but the two marks is none. */
export function asStaffMark(value: unknown): MessageStaffMark {
  return value === 'admin' || value === 'moderator' ? value : null;
}
