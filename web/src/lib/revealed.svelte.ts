// What a member chose to open although it came folded (their personal filter matched it, or they blocked
// whoever wrote it): messages, stories, replies, candles, notices, queue previews. Kept in memory only, for
// as long as the app is open, so a story opened in the list is still open on its own page; keyed by member
// too, so someone else signing in on the same device starts with everything folded again.
import { SvelteSet } from 'svelte/reactivity';
import { warningsText } from '$lib/story-words';
import { session } from '$lib/session.svelte';

const opened = new SvelteSet<string>();
const keyOf = (id: string) => `${session.user?.id ?? 'visitor'}:${id}`;

export const revealed = {
  has: (id: string): boolean => opened.has(keyOf(id)),
  toggle(id: string): void {
    const key = keyOf(id);
    if (opened.has(key)) opened.delete(key);
    else opened.add(key);
  },
  /** Folds it again: after a block, what was opened under the filter closes too. */
  close(id: string): void {
    opened.delete(keyOf(id));
  },
};

/** Why something comes folded for this member, if it does. */
export interface FoldReason {
  /** The warnings that match the member's filter. */
  filtered: readonly string[];
  /** The member blocked whoever wrote it. */
  authorBlocked?: boolean;
}

export function isFolded(item: FoldReason): boolean {
  return item.filtered.length > 0 || item.authorBlocked === true;
}

/**
 * The line a folded thing shows instead of itself, and the only thing a screen reader hears of it:
 * "Contains: Birth", "A message from someone you blocked", or both.
 */
export function foldedLabel(item: FoldReason, noun: string): string {
  const contains = item.filtered.length > 0 ? `Contains: ${warningsText(item.filtered)}` : '';
  if (!item.authorBlocked) return contains;
  const blocked = `${/^[aeiou]/i.test(noun) ? 'An' : 'A'} ${noun} from someone you blocked`;
  return contains ? `${blocked}. ${contains}` : blocked;
}
