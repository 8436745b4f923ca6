// The one set of support reactions, shared by chat messages and stories: each with the words shown on its
// button (never a picture alone, never a tooltip-only name). Counts only, never a ranking.
import { Type } from 'typebox';

export const supportReactions = ['love', 'hug', 'me_too', 'candle'] as const;
export type SupportReaction = (typeof supportReactions)[number];
export const supportReactionLabels: Record<SupportReaction, string> = {
  love: 'Love',
  hug: 'Hug',
  me_too: 'Me too',
  candle: 'Candle',
};

/**
 * Chat's first set called love `heart`: a client from before the shared set may still send it, and it means
 * `love` (the server stores `love`; a migration renamed the stored ones).
 */
export const LEGACY_LOVE = 'heart' as const;

const literals = [Type.Literal('love'), Type.Literal('hug'), Type.Literal('me_too'), Type.Literal('candle')] as const;

export const SupportReactionSchema = Type.Union([...literals], {
  errorMessage: `Reactions are ${supportReactions.join(', ')}.`,
});

/** What a chat client may send: the set, and `heart` from a client of before it (read as love). */
export const ChatReactionSchema = Type.Union([...literals, Type.Literal(LEGACY_LOVE)], {
  errorMessage: `Reactions are ${supportReactions.join(', ')}.`,
});
