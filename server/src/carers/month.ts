// A moderator's own month: counts only (items resolved, actions by kind, minutes on duty), never whose
// words or which members. The month is the calendar month in UTC.
import { schema, type Database } from '@kindred/db';
import type { MyMonth } from '@kindred/shared';
import { and, asc, count, eq, gt, gte, lt } from 'drizzle-orm';

const { dutyStretches, moderationActions, moderatorDuty } = schema;

/** Actions that close a queue item. */
const RESOLVING = ['resolve_report', 'approve_story', 'reject_story'];

export async function myMonth(db: Database, userId: string, at: Date): Promise<MyMonth> {
  const from = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
  const to = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1));
  const actions = await db
    .select({ action: moderationActions.action, count: count() })
    .from(moderationActions)
    .where(
      and(
        eq(moderationActions.actorId, userId),
        gte(moderationActions.createdAt, from),
        lt(moderationActions.createdAt, to),
      ),
    )
    .groupBy(moderationActions.action)
    .orderBy(asc(moderationActions.action));
  const stretches = await db
    .select({ startedAt: dutyStretches.startedAt, endedAt: dutyStretches.endedAt })
    .from(dutyStretches)
    .where(and(eq(dutyStretches.userId, userId), gt(dutyStretches.endedAt, from), lt(dutyStretches.startedAt, to)));
  const open = await db
    .select({ startedAt: moderatorDuty.since })
    .from(moderatorDuty)
    .where(and(eq(moderatorDuty.userId, userId), lt(moderatorDuty.since, to)));
  const end = Math.min(at.getTime(), to.getTime());
  let ms = 0;
  for (const s of [...stretches, ...open.map((o) => ({ startedAt: o.startedAt, endedAt: new Date(end) }))]) {
    ms += Math.max(0, Math.min(s.endedAt.getTime(), to.getTime()) - Math.max(s.startedAt.getTime(), from.getTime()));
  }
  const counted = actions.map((row) => ({ action: row.action, count: Number(row.count) }));
  return {
    month: from.toISOString().slice(0, 7),
    from: from.toISOString(),
    to: to.toISOString(),
    itemsResolved: counted.filter((row) => RESOLVING.includes(row.action)).reduce((sum, row) => sum + row.count, 0),
    actions: counted,
    dutyMinutes: Math.floor(ms / 60_000),
  };
}
