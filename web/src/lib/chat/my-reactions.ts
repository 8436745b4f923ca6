// Which support reactions this member has given, remembered on this device. Messages carry only counts,
// so without this a reaction button could not show that it is pressed after a reload. Kept per member,
// newest last and capped, as "messageId:kind" keys.
import type { ReactionKind } from '@kindred/shared';

const limit = 1000;

export const reactionKey = (messageId: string, kind: ReactionKind) => `${messageId}:${kind}`;

export function myReactionsKey(memberId: string): string {
  return `kindred.reactions.${memberId}`;
}

export function loadMyReactions(memberId: string, storage: Storage | undefined = globalThis.localStorage): string[] {
  try {
    const value: unknown = JSON.parse(storage?.getItem(myReactionsKey(memberId)) ?? '[]');
    return Array.isArray(value) ? value.filter((key): key is string => typeof key === 'string') : [];
  } catch {
    return [];
  }
}

export function saveMyReactions(
  memberId: string,
  keys: Iterable<string>,
  storage: Storage | undefined = globalThis.localStorage,
): void {
  try {
    storage?.setItem(myReactionsKey(memberId), JSON.stringify([...keys].slice(-limit)));
  } catch {
    // Storage full or switched off: the buttons still show the truth until the page is reloaded.
  }
}
