// The stories and replies a member chose to open although their personal filter folds them away. Kept in
// memory only, for as long as the app is open, so a story opened in the list is still open on its own page;
// keyed by member too, so someone else signing in on the same device starts with everything folded again.
import { SvelteSet } from 'svelte/reactivity';
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
};
