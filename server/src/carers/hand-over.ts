// "Step away": a moderator going off duty hands the room's open urgent items to whoever is still there.
// Kindred has no assignment of items to one moderator, so "one's urgent items" are the room's: each is told
// again, as an `urgent_item` notice, to the room's other moderators on duty, or to the admins when none
// remain. Who may receive an item is one predicate (`mayReceive`), so the platform-wide rule that nobody is
// handed an item about their own words applies here too: pass that predicate in when it exists; until then
// the item's subject is never among its recipients.
import { schema, type Database } from '@kindred/db';
import { and, eq, isNull, ne } from 'drizzle-orm';

const { memberships, moderationItems, moderatorDuty, users } = schema;

export interface UrgentItem {
  id: string;
  roomId: string;
  subjectId: string | null;
}

export type MayReceive = (item: UrgentItem, recipientId: string) => boolean;

export const notAboutThemselves: MayReceive = (item, recipientId) => item.subjectId !== recipientId;

export interface HandOver {
  urgentItems: number;
  handedTo: 'moderators' | 'admins' | 'none';
  recipients: number;
  notices: { userId: string; roomId: string; itemId: string }[];
}

export async function handOverUrgentItems(
  db: Database,
  roomId: string,
  fromUserId: string,
  mayReceive: MayReceive = notAboutThemselves,
): Promise<HandOver> {
  const items = await db
    .select({ id: moderationItems.id, roomId: moderationItems.roomId, subjectId: moderationItems.subjectId })
    .from(moderationItems)
    .where(
      and(eq(moderationItems.roomId, roomId), eq(moderationItems.status, 'open'), eq(moderationItems.urgent, true)),
    );
  if (items.length === 0) return { urgentItems: 0, handedTo: 'none', recipients: 0, notices: [] };
  const onDuty = await db
    .select({ userId: moderatorDuty.userId })
    .from(moderatorDuty)
    .innerJoin(
      memberships,
      and(
        eq(memberships.roomId, moderatorDuty.roomId),
        eq(memberships.userId, moderatorDuty.userId),
        eq(memberships.role, 'moderator'),
      ),
    )
    .where(and(eq(moderatorDuty.roomId, roomId), ne(moderatorDuty.userId, fromUserId)));
  let handedTo: HandOver['handedTo'] = 'moderators';
  let recipients = onDuty.map((row) => row.userId);
  if (recipients.length === 0) {
    handedTo = 'admins';
    const admins = await db
      .select({ id: users.id })
      .from(users)
      .where(and(eq(users.isAdmin, true), isNull(users.bannedAt), ne(users.id, fromUserId)));
    recipients = admins.map((row) => row.id);
  }
  const notices = items.flatMap((item) =>
    recipients
      .filter((userId) => mayReceive({ ...item, roomId }, userId))
      .map((userId) => ({ userId, roomId, itemId: item.id })),
  );
  return { urgentItems: items.length, handedTo, recipients: recipients.length, notices };
}
