// The gentle tools: a private journal, hard dates kept privately and met with a note on the day (in the
// member's own time zone), the daily mantra, and the remembrance wall. Journal entries and hard dates
// are read by their owner only: every query here is scoped by the owner's id.
import { schema, type Database } from '@kindred/db';
import type { CreateHardDateBody } from '@kindred/shared';
import { and, count, desc, eq, isNull } from 'drizzle-orm';
import { lensOf, noFilter, type ViewerFilter } from '../accounts/blocks.ts';
import { ApiError } from '../errors.ts';
import { journalPrompts, localDate, mantras, pick } from './words.ts';

const { candles, hardDates, journalEntries, users } = schema;

export function createCareService({ db, now }: { db: Database; now: () => Date }) {
  const entryView = (row: typeof journalEntries.$inferSelect) => ({
    id: row.id,
    prompt: row.prompt,
    body: row.body,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  });
  const dateView = (row: typeof hardDates.$inferSelect) => ({
    id: row.id,
    label: row.label,
    kind: row.kind,
    month: row.month,
    day: row.day,
    year: row.year,
  });
  const notFound = () => new ApiError('not_found', 'That isn’t here.');

  async function ownEntry(userId: string, id: string) {
    const [row] = await db
      .select()
      .from(journalEntries)
      .where(and(eq(journalEntries.id, id), eq(journalEntries.userId, userId)));
    if (!row) throw notFound();
    return row;
  }

  return {
    prompts: (timeZone: string | null) => {
      const today = localDate(now(), timeZone);
      return { prompts: journalPrompts, today: pick(journalPrompts, today) };
    },

    async journal(userId: string) {
      const rows = await db
        .select()
        .from(journalEntries)
        .where(eq(journalEntries.userId, userId))
        .orderBy(desc(journalEntries.createdAt))
        .limit(200);
      return rows.map(entryView);
    },

    async write(userId: string, body: string, prompt: string | undefined) {
      const at = now();
      const [row] = await db
        .insert(journalEntries)
        .values({ userId, body, prompt: prompt ?? null, createdAt: at, updatedAt: at })
        .returning();
      return entryView(row!);
    },

    async rewrite(userId: string, id: string, body: string) {
      await ownEntry(userId, id);
      const [row] = await db
        .update(journalEntries)
        .set({ body, updatedAt: now() })
        .where(and(eq(journalEntries.id, id), eq(journalEntries.userId, userId)))
        .returning();
      return entryView(row!);
    },

    async erase(userId: string, id: string) {
      const deleted = await db
        .delete(journalEntries)
        .where(and(eq(journalEntries.id, id), eq(journalEntries.userId, userId)))
        .returning({ id: journalEntries.id });
      if (deleted.length === 0) throw notFound();
    },

    ownEntry,

    async dates(userId: string) {
      return (
        await db.select().from(hardDates).where(eq(hardDates.userId, userId)).orderBy(hardDates.month, hardDates.day)
      ).map(dateView);
    },

    async addDate(userId: string, input: CreateHardDateBody) {
      const probe = new Date(Date.UTC(input.year ?? 2024, input.month - 1, input.day));
      if (probe.getUTCMonth() !== input.month - 1) {
        throw new ApiError('validation', 'That day doesn’t exist in that month.', 'day');
      }
      const [row] = await db
        .insert(hardDates)
        .values({
          userId,
          label: input.label.trim(),
          kind: input.kind,
          month: input.month,
          day: input.day,
          year: input.year ?? null,
          createdAt: now(),
        })
        .returning();
      return dateView(row!);
    },

    async removeDate(userId: string, id: string) {
      const deleted = await db
        .delete(hardDates)
        .where(and(eq(hardDates.id, id), eq(hardDates.userId, userId)))
        .returning({ id: hardDates.id });
      if (deleted.length === 0) throw notFound();
    },

    /** Today for this member: the day's mantra, and their hard dates that fall on it (their own day). */
    async today(user: { id: string; timeZone: string | null } | undefined) {
      const date = localDate(now(), user?.timeZone);
      const [, month, day] = date.split('-').map(Number);
      const todays = user
        ? await db
            .select()
            .from(hardDates)
            .where(and(eq(hardDates.userId, user.id), eq(hardDates.month, month!), eq(hardDates.day, day!)))
        : [];
      // 29 February is remembered on 28 February in other years.
      const leapNote =
        user && month === 2 && day === 28 && !isLeap(Number(date.slice(0, 4)))
          ? await db
              .select()
              .from(hardDates)
              .where(and(eq(hardDates.userId, user.id), eq(hardDates.month, 2), eq(hardDates.day, 29)))
          : [];
      return { date, mantra: pick(mantras, date), hardDates: [...todays, ...leapNote].map(dateView) };
    },

    /** The wall through the viewer's filter; an anonymous candle is never marked as lit by someone they blocked. */
    async candles(viewerId: string | undefined, steward: boolean, filter: ViewerFilter = noFilter) {
      const rows = await db
        .select({ candle: candles, displayName: users.displayName })
        .from(candles)
        .innerJoin(users, eq(users.id, candles.userId))
        .where(steward ? undefined : isNull(candles.hiddenAt))
        .orderBy(desc(candles.createdAt))
        .limit(200);
      const [total] = await db.select({ n: count() }).from(candles).where(isNull(candles.hiddenAt));
      return {
        count: Number(total?.n ?? 0),
        candles: rows.map(({ candle, displayName }) => ({
          id: candle.id,
          name: candle.name,
          words: candle.words,
          contentWarnings: candle.contentWarnings,
          ...lensOf(filter, candle.contentWarnings, candle.anonymous ? null : candle.userId),
          anonymous: candle.anonymous,
          litBy: candle.anonymous && candle.userId !== viewerId ? null : { id: candle.userId, displayName },
          mine: candle.userId === viewerId,
          hidden: candle.hiddenAt !== null,
          createdAt: candle.createdAt.toISOString(),
        })),
      };
    },

    async light(
      user: { id: string; displayName: string; hiddenWarnings: string[] },
      input: { name?: string; words?: string; anonymous?: boolean; contentWarnings?: string[] },
    ) {
      const [row] = await db
        .insert(candles)
        .values({
          userId: user.id,
          name: input.name?.trim() || null,
          words: input.words?.trim() || null,
          anonymous: input.anonymous ?? false,
          contentWarnings: input.contentWarnings ?? [],
          createdAt: now(),
        })
        .returning();
      return {
        id: row!.id,
        name: row!.name,
        words: row!.words,
        contentWarnings: row!.contentWarnings,
        ...lensOf({ hiddenWarnings: user.hiddenWarnings, blocked: new Set() }, row!.contentWarnings, user.id),
        anonymous: row!.anonymous,
        litBy: { id: user.id, displayName: user.displayName },
        mine: true,
        hidden: false,
        createdAt: row!.createdAt.toISOString(),
      };
    },
  };
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export type CareService = ReturnType<typeof createCareService>;
