// One's stretch on duty: when it began, when the gentle nudge is due (DUTY_NUDGE_MINUTES after, by the
// server's clock; the web app shows it when its own clock passes `nudgeAt`), going off duty (the stretch is
// kept, for the moderator's own month) and stepping away (going off duty and handing on the room's urgent
// items). Never a forced stop: nothing here ends a duty the moderator did not end.
import { schema, type Database } from '@kindred/db';
import type { DutyState } from '@kindred/shared';
import { and, eq } from 'drizzle-orm';
import type { Moderator } from '../moderation/authority.ts';
import { roomModeratedBy } from './access.ts';
import { handOverUrgentItems, type HandOver } from './hand-over.ts';

const { dutyStretches, moderatorDuty } = schema;

export function createDutyCare({ db, now, nudgeMinutes }: { db: Database; now: () => Date; nudgeMinutes: number }) {
  async function goOffDuty(moderator: Moderator, slug: string) {
    const room = await roomModeratedBy(db, moderator, slug);
    const ended = await db
      .delete(moderatorDuty)
      .where(and(eq(moderatorDuty.roomId, room.id), eq(moderatorDuty.userId, moderator.id)))
      .returning({ since: moderatorDuty.since });
    const at = now();
    for (const { since } of ended) {
      await db.insert(dutyStretches).values({ userId: moderator.id, roomId: room.id, startedAt: since, endedAt: at });
    }
    return room;
  }

  return {
    async state(moderator: Moderator, slug: string): Promise<DutyState> {
      const room = await roomModeratedBy(db, moderator, slug);
      const [duty] = await db
        .select({ since: moderatorDuty.since })
        .from(moderatorDuty)
        .where(and(eq(moderatorDuty.roomId, room.id), eq(moderatorDuty.userId, moderator.id)));
      if (!duty) return { onDuty: false, since: null, nudgeAt: null, nudgeDue: false, nudgeAfterMinutes: nudgeMinutes };
      const nudgeAt = new Date(duty.since.getTime() + nudgeMinutes * 60_000);
      return {
        onDuty: true,
        since: duty.since.toISOString(),
        nudgeAt: nudgeAt.toISOString(),
        nudgeDue: now().getTime() >= nudgeAt.getTime(),
        nudgeAfterMinutes: nudgeMinutes,
      };
    },

    goOffDuty: async (moderator: Moderator, slug: string): Promise<void> => {
      await goOffDuty(moderator, slug);
    },

    async stepAway(moderator: Moderator, slug: string): Promise<HandOver> {
      const room = await goOffDuty(moderator, slug);
      return handOverUrgentItems(db, room.id, moderator.id);
    },
  };
}

export type DutyCare = ReturnType<typeof createDutyCare>;
