// What a member whose chat words suggest risk is answered, privately and at once: crisis lines for their
// country, and an honest word about who will see it. The message becomes an urgent item first, so whether
// a moderator of the room is on duty now, and may see it (never the writer herself: visibility.ts), is
// known when the answer is written. The lines are sent even if flagging fails.
import type { Database } from '@kindred/db';
import { assessCrisisRisk } from './crisis.ts';
import type { Helplines } from './helplines.ts';
import type { LiveEffects, ModerationService } from './service.ts';
import { onDutyWhoMaySee } from './visibility.ts';

export function createCrisisAnswer(deps: {
  db: Database;
  moderation: ModerationService;
  helplines: Helplines;
  applyEffects: (effects: LiveEffects) => void;
  logError: (error: unknown) => void;
}) {
  return async (
    message: { id: string; roomId: string; body: string },
    author: { id: string; country: string | null },
  ): Promise<Record<string, unknown> | undefined> => {
    if (!assessCrisisRisk(message.body).match) return undefined;
    const moderatorOnDuty = await deps.moderation.flagCrisis(message.id, message.roomId, author.id).then(
      async (effects) => {
        deps.applyEffects(effects);
        const itemId = effects.urgent[0]?.itemId;
        return itemId ? (await onDutyWhoMaySee(deps.db, itemId)).length > 0 : false;
      },
      (error: unknown) => {
        deps.logError(error);
        return false;
      },
    );
    return {
      type: 'notice',
      code: 'crisis_resources',
      messageId: message.id,
      resources: deps.helplines.crisisResources(author.country),
      moderatorOnDuty,
    };
  };
}
