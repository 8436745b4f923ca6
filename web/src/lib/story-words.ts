// The words Kindred uses about stories: content notes and themes from shared/ as people read them, a
// story's status as its author reads it, who shared it, and support as quiet counts (never a ranking). In
// one place, so the stories list, a story's page, the composer and the personal filter say the same thing.
import {
  contentWarningLabels,
  contentWarnings,
  storyReactionKinds,
  storyReactionLabels,
  storyTagLabels,
  storyTags,
  type ContentWarning,
  type StorySummary,
  type StoryTag,
} from '@kindred/shared';

export type StoryReactionKind = (typeof storyReactionKinds)[number];

export const warningChoices = contentWarnings.map((value) => ({ value, label: contentWarningLabels[value] }));
export const tagChoices = storyTags.map((value) => ({ value, label: storyTagLabels[value] }));

const isWarning = (value: string): value is ContentWarning => Object.hasOwn(contentWarningLabels, value);
export const isStoryTag = (value: string): value is StoryTag => Object.hasOwn(storyTagLabels, value);

/** The labels of these warnings, joined for a sentence; a value the web doesn't know yet shows as it is. */
export function warningsText(warnings: readonly string[]): string {
  return warnings.map((warning) => (isWarning(warning) ? contentWarningLabels[warning] : warning)).join(', ');
}

export function tagLabel(tag: string): string {
  return isStoryTag(tag) ? storyTagLabels[tag] : tag;
}

/** Which of these values are warnings, in case the server sends one this build doesn't know. */
export function knownWarnings(values: readonly string[]): ContentWarning[] {
  return values.filter(isWarning);
}

export function knownTags(values: readonly string[]): StoryTag[] {
  return values.filter(isStoryTag);
}

/** A story's status, as its author reads it in My stories and on the story's page. */
export const statusLabels: Record<string, string> = {
  draft: 'Draft',
  pending: 'Waiting for a moderator',
  published: 'Shared',
  rejected: 'Not shared',
};

/** The support a story has had, in the vocabulary's order, leaving out the kinds nobody has sent. */
export function reactionCounts(
  reactions: Record<string, number>,
): { kind: StoryReactionKind; label: string; count: number }[] {
  return storyReactionKinds
    .map((kind) => ({ kind, label: storyReactionLabels[kind], count: reactions[kind] ?? 0 }))
    .filter((entry) => entry.count > 0);
}

/** Who shared a story, as a member reads it; an anonymous story names no one (its author sees that it's theirs). */
export function storyByline(story: Pick<StorySummary, 'anonymous' | 'author' | 'mine'>): string {
  if (story.anonymous) return story.mine ? 'Shared anonymously by you' : 'Shared anonymously';
  return `By ${story.author?.displayName ?? 'a member'}`;
}

export function repliesText(count: number): string {
  return count === 1 ? '1 reply' : `${count} replies`;
}
