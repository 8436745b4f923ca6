// "Step away": a moderator going off duty hands the room's open urgent items to whoever is still there.
// Kindred has no assignment of items to one moderator, so "one's urgent items" are the room's: each is told
// again, as an `urgent_item` notice, to the room's other moderators on duty, or to the admins when none
// remain. Who may receive an item is the platform's one rule (moderation/visibility.ts): nobody is handed an
// item about their own words or person, anonymous words included.
import { schema, type Database } from '@kindred/db';
import { and, eq, inArray, isNull, ne } from 'drizzle-orm';
import { itemVisibleTo } from '../moderation/visibility.ts';

const { memberships, moderationItems, moderatorDuty, users } = schema;

export interface UrgentItem {
  id: string;
  roomId: string;
  subjectId: string | null;
}

export interface HandOver {
  urgentItems: number;
  handedTo: 'moderators' | 'admins' | 'none';
  recipients: number;
  notices: { userId: string; roomId: string; itemId: string }[];
}

export async function handOverUrgentItems(db: Database, roomId: string, fromUserId: string): Promise<HandOver> {
  const items = await db
    .select({
      id: moderationItems.id,
      roomId: moderationItems.roomId,
      subjectId: moderationItems.subjectId,
      // Whether the one stepping away may see it: her answer counts only those, never one about herself.
      seen: itemVisibleTo(db, fromUserId).mapWith(Boolean),
    })
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
  const itemIds = items.map((item) => item.id);
  const notices: HandOver['notices'] = [];
  for (const userId of recipients) {
    const visible = await db
      .select({ id: moderationItems.id })
      .from(moderationItems)
      .where(and(inArray(moderationItems.id, itemIds), itemVisibleTo(db, userId)));
    for (const { id } of visible) notices.push({ userId, roomId, itemId: id });
  }
  const seen = items.filter((item) => item.seen).length;
  if (seen === 0) return { urgentItems: 0, handedTo: 'none', recipients: 0, notices };
  return { urgentItems: seen, handedTo, recipients: recipients.length, notices };
}
