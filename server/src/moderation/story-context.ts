// What a moderator reads to judge a story or a reply in the queue: its words, rendered, and what its writer
// chose for it — content notes, themes (a story's tags; a reply has none) and whether it is shared
// anonymously — so the note can be checked against the words. Anonymity is told as a fact about the
// content, never with whose it is (the queue item has no subject then; anonymity.ts).
import { schema, type Database } from '@kindred/db';
import type { QueueItem } from '@kindred/shared';
import { eq, sql } from 'drizzle-orm';
import { lensOf, type ViewerFilter } from '../accounts/blocks.ts';

const { stories, storyReplies } = schema;

export async function storyContext(
  db: Database,
  target: { type: string; id: string },
  filter: ViewerFilter,
): Promise<QueueItem['context']['story'] | undefined> {
  const [row] =
    target.type === 'story'
      ? await db
          .select({
            title: stories.title,
            bodyHtml: stories.bodyHtml,
            status: stories.status,
            contentWarnings: stories.contentWarnings,
            tags: stories.tags,
            anonymous: stories.anonymous,
          })
          .from(stories)
          .where(eq(stories.id, target.id))
      : await db
          .select({
            title: stories.title,
            bodyHtml: storyReplies.bodyHtml,
            status: stories.status,
            contentWarnings: storyReplies.contentWarnings,
            tags: sql<string[]>`'{}'::text[]`,
            anonymous: storyReplies.anonymous,
          })
          .from(storyReplies)
          .innerJoin(stories, eq(stories.id, storyReplies.storyId))
          .where(eq(storyReplies.id, target.id));
  if (!row) return undefined;
  return { ...row, filtered: lensOf(filter, row.contentWarnings, null).filtered };
}
