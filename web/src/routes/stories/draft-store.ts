// The copy of a story being written that lives on this device until the server has it, so a closed tab,
// a dead battery or a lost connection loses nothing. One copy per member and story ("new" until the story
// has an id); it is removed as soon as the server holds the same words. Storage that refuses (private
// browsing, a full disk) only means there is no copy: writing carries on.
import type { ContentWarning, StoryTag } from '@kindred/shared';
import { knownTags, knownWarnings } from '$lib/story-words';

export interface StoryContent {
  title: string;
  body: string;
  tags: StoryTag[];
  contentWarnings: ContentWarning[];
  anonymous: boolean;
}

export function draftKey(userId: string, storyId: string | null): string {
  return `kindred:story-draft:${userId}:${storyId ?? 'new'}`;
}

/** The same words, themes, notes and choice of name, whatever order the boxes were ticked in. */
export function sameContent(a: StoryContent, b: StoryContent): boolean {
  const sorted = (values: readonly string[]) => [...values].sort().join(',');
  return (
    a.title === b.title &&
    a.body === b.body &&
    a.anonymous === b.anonymous &&
    sorted(a.tags) === sorted(b.tags) &&
    sorted(a.contentWarnings) === sorted(b.contentWarnings)
  );
}

export function readDraft(storage: Storage, key: string): StoryContent | null {
  try {
    const raw = storage.getItem(key);
    if (raw === null) return null;
    const value = JSON.parse(raw) as Partial<Record<keyof StoryContent, unknown>>;
    if (typeof value.title !== 'string' || typeof value.body !== 'string') return null;
    const strings = (list: unknown) => (Array.isArray(list) ? list.filter((item) => typeof item === 'string') : []);
    return {
      title: value.title,
      body: value.body,
      tags: knownTags(strings(value.tags)),
      contentWarnings: knownWarnings(strings(value.contentWarnings)),
      anonymous: value.anonymous === true,
    };
  } catch {
    return null;
  }
}

export function writeDraft(storage: Storage, key: string, content: StoryContent): void {
  try {
    storage.setItem(key, JSON.stringify(content));
  } catch {
    // No room or no permission: the words are still on the page and on their way to the server.
  }
}

export function forgetDraft(storage: Storage, key: string): void {
  try {
    storage.removeItem(key);
  } catch {
    // Storage is out of reach just now; the copy goes the next time it is written or removed.
  }
}
