// Blocking, and the personal filter each viewer reads content through: the warnings they never want to
// see unasked and the members they blocked. Both are applied on the server in every path where content
// appears. A blocked member is never told: nothing they receive says "blocked".
import { schema, type Database } from '@kindred/db';
import { and, desc, eq } from 'drizzle-orm';
import { ApiError } from '../errors.ts';

const { blocks, users } = schema;

export interface ViewerFilter {
  hiddenWarnings: readonly string[];
  /** Members this viewer blocked. */
  blocked: ReadonlySet<string>;
}

export const noFilter: ViewerFilter = { hiddenWarnings: [], blocked: new Set() };

/** How one item looks through a viewer's filter: which of its warnings they hide, and whether they blocked its author. */
export function lensOf(
  filter: ViewerFilter,
  contentWarnings: readonly string[],
  authorId: string | null | undefined,
): { filtered: string[]; authorBlocked: boolean } {
  return {
    filtered: contentWarnings.filter((warning) => filter.hiddenWarnings.includes(warning)),
    authorBlocked: authorId ? filter.blocked.has(authorId) : false,
  };
}

export async function loadViewerFilter(db: Database, userId: string): Promise<ViewerFilter> {
  const [user] = await db.select({ hiddenWarnings: users.hiddenWarnings }).from(users).where(eq(users.id, userId));
  const rows = await db.select({ id: blocks.blockedId }).from(blocks).where(eq(blocks.blockerId, userId));
  return { hiddenWarnings: user?.hiddenWarnings ?? [], blocked: new Set(rows.map((row) => row.id)) };
}

/** True when `blockerId` blocked `memberId`: then `memberId` may not reply to or react to their words. */
export async function hasBlocked(db: Database, blockerId: string, memberId: string): Promise<boolean> {
  const [row] = await db
    .select({ id: blocks.blockerId })
    .from(blocks)
    .where(and(eq(blocks.blockerId, blockerId), eq(blocks.blockedId, memberId)));
  return row !== undefined;
}

export function createBlockService({ db, now }: { db: Database; now: () => Date }) {
  return {
    async list(blockerId: string) {
      const rows = await db
        .select({ id: blocks.blockedId, displayName: users.displayName, blockedAt: blocks.createdAt })
        .from(blocks)
        .innerJoin(users, eq(users.id, blocks.blockedId))
        .where(eq(blocks.blockerId, blockerId))
        .orderBy(desc(blocks.createdAt));
      return rows.map((row) => ({ ...row, blockedAt: row.blockedAt.toISOString() }));
    },

    async block(blockerId: string, blockedId: string): Promise<void> {
      if (blockerId === blockedId) throw new ApiError('validation', 'You can’t block yourself.', 'userId');
      const [user] = await db.select({ id: users.id }).from(users).where(eq(users.id, blockedId));
      if (!user) throw new ApiError('not_found', 'There is no such member.');
      await db.insert(blocks).values({ blockerId, blockedId, createdAt: now() }).onConflictDoNothing();
    },

    async unblock(blockerId: string, blockedId: string): Promise<void> {
      await db.delete(blocks).where(and(eq(blocks.blockerId, blockerId), eq(blocks.blockedId, blockedId)));
    },
  };
}

export type BlockService = ReturnType<typeof createBlockService>;
