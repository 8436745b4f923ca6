// Personal stories: written in Markdown (rendered once, sanitized), tagged, with content warnings and
// the choice to share anonymously. Published at once unless the rules say it waits for a moderator (a new
// account's first story, or words that suggest risk). Anonymity is enforced here: no answer to another
// member names the author of an anonymous story or reply.
import { schema, type Database } from '@kindred/db';
import type {
  CreateReplyBody,
  CreateStoryBody,
  MarkColour,
  Reply,
  StaffMark,
  Story,
  StorySummary,
  UpdateStoryBody,
} from '@kindred/shared';
import { and, count, desc, eq, inArray, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import { hasBlocked } from '../accounts/blocks.ts';
import { asMarkColour } from '../accounts/mark-colours.ts';
import { ApiError } from '../errors.ts';
import { plainText, renderMarkdown } from './markdown.ts';

const { storyReactions, storyReplies, stories, users } = schema;

export interface StoryViewer {
  id: string | undefined;
  /** Admins and members an admin named to moderate stories. */
  steward: boolean;
  hiddenWarnings: readonly string[];
  /** Members this viewer blocked: their stories and replies come folded (unless shared anonymously). */
  blocked: ReadonlySet<string>;
}

type StoryRow = typeof stories.$inferSelect;
type ReplyRow = typeof storyReplies.$inferSelect;

const PAGE = 20;

/** Authors by id: their name and their staff mark on stories and replies as it is now. */
type Names = Map<string, { displayName: string; staff: StaffMark; markColour: MarkColour | null }>;

/** Admins everywhere; story moderators on stories and replies, which they look after. */
function storyStaffMark(user: { admin: boolean; stories: boolean }): StaffMark {
  if (user.admin) return 'admin';
  return user.stories ? 'story_moderator' : null;
}

export function createStoryService(deps: {
  db: Database;
  now: () => Date;
  /** A new account's first story waits for a moderator during this period after joining. */
  newMemberWindowMs: number;
  /** True when this author is still in the new-member sandbox and the text holds a link. */
  sandboxedLink: (authorCreatedAt: Date, text: string) => boolean;
  /** True when the text suggests risk of self-harm: the story waits, as an urgent item. */
  suggestsRisk: (text: string) => boolean;
  /** Opens a queue item for a story that waits. */
  holdForReview: (storyId: string, authorId: string, urgent: boolean) => Promise<void>;
  /** A reply was stored: the notice centre tells the story's author (notices/centre.ts). */
  onReplied?: (replyId: string) => void;
  /** Support was sent to a story: its author's gathered notice grows. */
  onReacted?: (storyId: string, userId: string) => void;
}) {
  const { db, now } = deps;

  async function authorsOf(ids: string[]): Promise<Names> {
    if (ids.length === 0) return new Map();
    const rows = await db
      .select({
        id: users.id,
        displayName: users.displayName,
        markColour: users.markColour,
        admin: users.isAdmin,
        stories: users.storyModerator,
      })
      .from(users)
      .where(inArray(users.id, ids));
    return new Map(
      rows.map((row) => [
        row.id,
        { displayName: row.displayName, staff: storyStaffMark(row), markColour: asMarkColour(row.markColour) },
      ]),
    );
  }

  // Anonymous words carry no mark, not even in their author's own view: a mark would say who wrote them.
  function authorFor(row: { authorId: string; anonymous: boolean }, viewer: StoryViewer, names: Names) {
    if (row.anonymous && row.authorId !== viewer.id) return null;
    const known = names.get(row.authorId);
    return {
      id: row.authorId,
      displayName: known?.displayName ?? '',
      staff: row.anonymous ? null : (known?.staff ?? null),
      markColour: row.anonymous ? null : (known?.markColour ?? null),
    };
  }

  const filteredFor = (warnings: string[], viewer: StoryViewer) =>
    warnings.filter((warning) => viewer.hiddenWarnings.includes(warning));
  // Not for anonymous words: a fold would tell the blocker who wrote them.
  const authorBlockedFor = (row: { authorId: string; anonymous: boolean }, viewer: StoryViewer) =>
    !row.anonymous && viewer.blocked.has(row.authorId);

  async function summaries(rows: StoryRow[], viewer: StoryViewer): Promise<StorySummary[]> {
    const ids = rows.map((row) => row.id);
    const names = await authorsOf([...new Set(rows.map((row) => row.authorId))]);
    const reactionRows = ids.length
      ? await db
          .select({ storyId: storyReactions.storyId, kind: storyReactions.kind, n: count() })
          .from(storyReactions)
          .where(inArray(storyReactions.storyId, ids))
          .groupBy(storyReactions.storyId, storyReactions.kind)
      : [];
    const replyRows = ids.length
      ? await db
          .select({ storyId: storyReplies.storyId, n: count() })
          .from(storyReplies)
          .where(and(inArray(storyReplies.storyId, ids), isNull(storyReplies.hiddenAt)))
          .groupBy(storyReplies.storyId)
      : [];
    return rows.map((row) => ({
      id: row.id,
      title: row.title,
      excerpt: plainText(row.body, 240),
      tags: row.tags,
      contentWarnings: row.contentWarnings,
      filtered: filteredFor(row.contentWarnings, viewer),
      authorBlocked: authorBlockedFor(row, viewer),
      anonymous: row.anonymous,
      author: authorFor(row, viewer, names),
      mine: row.authorId === viewer.id,
      status: row.status,
      heldFor: row.authorId === viewer.id && row.status === 'pending' ? row.heldFor : null,
      hidden: row.hiddenAt !== null,
      reactions: Object.fromEntries(reactionRows.filter((r) => r.storyId === row.id).map((r) => [r.kind, Number(r.n)])),
      replyCount: Number(replyRows.find((r) => r.storyId === row.id)?.n ?? 0),
      createdAt: row.createdAt.toISOString(),
      publishedAt: row.publishedAt?.toISOString() ?? null,
    }));
  }

  async function full(row: StoryRow, viewer: StoryViewer): Promise<Story> {
    const [summary] = await summaries([row], viewer);
    const mine = viewer.id
      ? await db
          .select({ kind: storyReactions.kind })
          .from(storyReactions)
          .where(and(eq(storyReactions.storyId, row.id), eq(storyReactions.userId, viewer.id)))
      : [];
    return {
      ...summary!,
      // A hidden story keeps its words only for its author and moderators.
      bodyHtml: row.hiddenAt && !(viewer.steward || row.authorId === viewer.id) ? '' : row.bodyHtml,
      ...(row.authorId === viewer.id ? { body: row.body } : {}),
      myReactions: mine.map((r) => r.kind),
    };
  }

  function replyView(row: ReplyRow, viewer: StoryViewer, names: Names): Reply {
    const canSeeHidden = viewer.steward || row.authorId === viewer.id;
    return {
      id: row.id,
      storyId: row.storyId,
      bodyHtml: row.hiddenAt && !canSeeHidden ? '' : row.bodyHtml,
      contentWarnings: row.contentWarnings,
      filtered: filteredFor(row.contentWarnings, viewer),
      authorBlocked: authorBlockedFor(row, viewer),
      anonymous: row.anonymous,
      author: authorFor(row, viewer, names),
      mine: row.authorId === viewer.id,
      hidden: row.hiddenAt !== null,
      createdAt: row.createdAt.toISOString(),
    };
  }

  /** The story as this viewer may see it, or 404: drafts and pending stories only for their author and moderators. */
  async function visible(id: string, viewer: StoryViewer): Promise<StoryRow> {
    const [row] = await db.select().from(stories).where(eq(stories.id, id));
    const own = row && row.authorId === viewer.id;
    const open = row && row.status === 'published' && (!row.hiddenAt || viewer.steward);
    const reviewable = row && viewer.steward && row.status !== 'draft';
    if (!row || !(own || open || reviewable)) throw storyNotHere();
    return row;
  }

  /**
   * The story someone may answer (reply or react): as `visible`, and its author has not blocked them. A
   * blocked member gets exactly the answer for a story that isn't here, so they are never told.
   */
  async function answerable(id: string, viewer: StoryViewer & { id: string }): Promise<StoryRow> {
    const story = await visible(id, viewer);
    // Not for an anonymous story: a refusal there would tell the blocked member who wrote it.
    if (!story.anonymous && (await hasBlocked(db, story.authorId, viewer.id))) throw storyNotHere();
    return story;
  }

  async function ownStory(id: string, viewer: StoryViewer): Promise<StoryRow> {
    const [row] = await db.select().from(stories).where(eq(stories.id, id));
    if (!row || row.authorId !== viewer.id) throw new ApiError('not_found', 'This story isn’t here.');
    return row;
  }

  /** Published now, or held for a moderator: a new account's first story, or words that suggest risk. */
  async function publicationStatus(
    authorId: string,
    text: string,
  ): Promise<{ status: string; urgent: boolean; heldFor: string | null }> {
    if (deps.suggestsRisk(text)) return { status: 'pending', urgent: true, heldFor: 'risk' };
    const [author] = await db.select({ createdAt: users.createdAt }).from(users).where(eq(users.id, authorId));
    const isNew = author && now().getTime() - author.createdAt.getTime() < deps.newMemberWindowMs;
    if (isNew) {
      const [published] = await db
        .select({ n: count() })
        .from(stories)
        .where(and(eq(stories.authorId, authorId), eq(stories.status, 'published')));
      if (Number(published?.n ?? 0) === 0) return { status: 'pending', urgent: false, heldFor: 'new_member' };
    }
    return { status: 'published', urgent: false, heldFor: null };
  }

  async function refuseSandboxedLinks(authorId: string, text: string): Promise<void> {
    const [author] = await db.select({ createdAt: users.createdAt }).from(users).where(eq(users.id, authorId));
    if (author && deps.sandboxedLink(author.createdAt, text)) {
      throw new ApiError(
        'validation',
        'New members can share links after their first day here — it keeps spam out. Everything else you wrote is kept.',
        'body',
      );
    }
  }

  async function publish(row: StoryRow): Promise<StoryRow> {
    const { status, urgent, heldFor } = await publicationStatus(row.authorId, `${row.title}\n${row.body}`);
    const at = now();
    const [updated] = await db
      .update(stories)
      .set({ status, heldFor, updatedAt: at, publishedAt: status === 'published' ? at : null })
      .where(eq(stories.id, row.id))
      .returning();
    if (status === 'pending') await deps.holdForReview(row.id, row.authorId, urgent);
    return updated!;
  }

  return {
    async list(viewer: StoryViewer, query: { tag?: string; q?: string; cursor?: string; mine?: boolean }) {
      const conditions: (SQL | undefined)[] = [];
      if (query.mine) {
        if (!viewer.id) throw new ApiError('unauthenticated', 'Please sign in to see your stories.');
        conditions.push(eq(stories.authorId, viewer.id));
      } else {
        conditions.push(eq(stories.status, 'published'), isNull(stories.hiddenAt));
      }
      if (query.tag) conditions.push(sql`${query.tag} = ANY(${stories.tags})`);
      if (query.q) conditions.push(sql`${stories.search} @@ websearch_to_tsquery('english', ${query.q})`);
      const order = query.mine ? stories.createdAt : stories.publishedAt;
      if (query.cursor) {
        const [at, id] = decodeCursor(query.cursor);
        conditions.push(or(lt(order, at), and(eq(order, at), lt(stories.id, id))));
      }
      const rows = await db
        .select()
        .from(stories)
        .where(and(...conditions))
        .orderBy(desc(order), desc(stories.id))
        .limit(PAGE + 1);
      const page = rows.slice(0, PAGE);
      const last = page.at(-1);
      const lastAt = last ? (query.mine ? last.createdAt : last.publishedAt) : null;
      return {
        stories: await summaries(page, viewer),
        nextCursor: rows.length > PAGE && last && lastAt ? encodeCursor(lastAt, last.id) : null,
      };
    },

    async create(viewer: StoryViewer & { id: string }, input: CreateStoryBody): Promise<Story> {
      await refuseSandboxedLinks(viewer.id, `${input.title}\n${input.body}`);
      const at = now();
      const [row] = await db
        .insert(stories)
        .values({
          authorId: viewer.id,
          title: input.title.trim(),
          body: input.body,
          bodyHtml: renderMarkdown(input.body),
          tags: input.tags,
          contentWarnings: input.contentWarnings,
          anonymous: input.anonymous,
          status: 'draft',
          createdAt: at,
          updatedAt: at,
        })
        .returning();
      return full(input.draft ? row! : await publish(row!), viewer);
    },

    async get(id: string, viewer: StoryViewer) {
      const row = await visible(id, viewer);
      const replies = await db
        .select()
        .from(storyReplies)
        .where(eq(storyReplies.storyId, row.id))
        .orderBy(storyReplies.createdAt);
      const names = await authorsOf([...new Set(replies.map((r) => r.authorId))]);
      return {
        story: await full(row, viewer),
        replies: replies
          .filter((reply) => !reply.hiddenAt || viewer.steward || reply.authorId === viewer.id)
          .map((reply) => replyView(reply, viewer, names)),
      };
    },

    async update(id: string, viewer: StoryViewer & { id: string }, changes: UpdateStoryBody): Promise<Story> {
      const row = await ownStory(id, viewer);
      const values: Partial<typeof stories.$inferInsert> = { updatedAt: now() };
      if (changes.title !== undefined) values.title = changes.title.trim();
      if (changes.body !== undefined) {
        await refuseSandboxedLinks(viewer.id, changes.body);
        values.body = changes.body;
        values.bodyHtml = renderMarkdown(changes.body);
      }
      if (changes.tags !== undefined) values.tags = changes.tags;
      // Once shared, an edit adds warnings and never drops one (a moderator may have added it), as in chat;
      // while it is a draft only its author has touched them.
      if (changes.contentWarnings !== undefined) {
        values.contentWarnings =
          row.status === 'draft'
            ? changes.contentWarnings
            : [...new Set([...row.contentWarnings, ...changes.contentWarnings])];
      }
      if (changes.anonymous !== undefined) values.anonymous = changes.anonymous;
      const [updated] = await db.update(stories).set(values).where(eq(stories.id, row.id)).returning();
      // Words that suggest risk in an edit of a shared story: it waits again, as an urgent item.
      if (updated!.status === 'published' && changes.body !== undefined && deps.suggestsRisk(changes.body)) {
        return full(await publish(updated!), viewer);
      }
      return full(updated!, viewer);
    },

    async publishDraft(id: string, viewer: StoryViewer & { id: string }): Promise<Story> {
      const row = await ownStory(id, viewer);
      if (row.status !== 'draft') throw new ApiError('validation', 'This story is already shared.');
      return full(await publish(row), viewer);
    },

    async remove(id: string, viewer: StoryViewer & { id: string }): Promise<void> {
      const row = await ownStory(id, viewer);
      await db.delete(stories).where(eq(stories.id, row.id));
    },

    async reply(id: string, viewer: StoryViewer & { id: string }, input: CreateReplyBody): Promise<Reply> {
      const story = await answerable(id, viewer);
      if (story.status !== 'published' || story.hiddenAt) {
        throw new ApiError('validation', 'Replies open once the story is shared.');
      }
      await refuseSandboxedLinks(viewer.id, input.body);
      const [row] = await db
        .insert(storyReplies)
        .values({
          storyId: story.id,
          authorId: viewer.id,
          body: input.body,
          bodyHtml: renderMarkdown(input.body),
          contentWarnings: input.contentWarnings ?? [],
          anonymous: input.anonymous ?? false,
          createdAt: now(),
        })
        .returning();
      deps.onReplied?.(row!.id);
      return replyView(row!, viewer, await authorsOf([viewer.id]));
    },

    async react(id: string, viewer: StoryViewer & { id: string }, kind: string, on: boolean) {
      const story = await answerable(id, viewer);
      if (story.status !== 'published') throw new ApiError('validation', 'Reactions open once the story is shared.');
      if (on) {
        const added = await db
          .insert(storyReactions)
          .values({ storyId: story.id, userId: viewer.id, kind, createdAt: now() })
          .onConflictDoNothing()
          .returning({ kind: storyReactions.kind });
        if (added.length) deps.onReacted?.(story.id, viewer.id);
      } else {
        await db
          .delete(storyReactions)
          .where(
            and(
              eq(storyReactions.storyId, story.id),
              eq(storyReactions.userId, viewer.id),
              eq(storyReactions.kind, kind),
            ),
          );
      }
      const result = await full(story, viewer);
      return { reactions: result.reactions, myReactions: result.myReactions };
    },
  };
}

export type StoryService = ReturnType<typeof createStoryService>;

const storyNotHere = () => new ApiError('not_found', 'This story isn’t here, or isn’t shared yet.');

function encodeCursor(at: Date, id: string): string {
  return Buffer.from(`${at.toISOString()}|${id}`).toString('base64url');
}

function decodeCursor(cursor: string): [Date, string] {
  const [at, id] = Buffer.from(cursor, 'base64url').toString().split('|');
  const date = new Date(at ?? '');
  if (!id || Number.isNaN(date.getTime()) || !/^[0-9a-f-]{36}$/.test(id)) {
    throw new ApiError('validation', 'That page cursor is not valid.', 'cursor');
  }
  return [date, id];
}
