// Every table that holds a member's data says here how that data is exported and how it is erased
// when the member deletes their account. A feature that adds such a table adds its source to
// `personalDataSources`; a test fails for any table that refers to users and is not covered.
import { schema, type Database } from '@kindred/db';
import { eq } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import { toUser } from '../auth/users.ts';

const { memberships, rooms, sessions, users } = schema;

export interface PersonalDataContext {
  db: Database;
  userId: string;
  adminUsernames: ReadonlySet<string>;
  now: Date;
}

export interface PersonalDataSource {
  /** The key of this source's rows in the export. */
  key: string;
  /** The tables this source answers for. */
  tables: PgTable[];
  export(context: PersonalDataContext): Promise<unknown>;
  /** Runs inside the deletion transaction, in the order of `personalDataSources`. */
  erase(context: PersonalDataContext): Promise<void>;
}

const sessionsSource: PersonalDataSource = {
  key: 'sessions',
  tables: [sessions],
  export: async ({ db, userId }) =>
    (
      await db
        .select({ id: sessions.id, createdAt: sessions.createdAt, lastSeenAt: sessions.lastSeenAt })
        .from(sessions)
        .where(eq(sessions.userId, userId))
    ).map((row) => ({ ...row, createdAt: row.createdAt.toISOString(), lastSeenAt: row.lastSeenAt.toISOString() })),
  erase: async ({ db, userId }) => {
    await db.delete(sessions).where(eq(sessions.userId, userId));
  },
};

const membershipsSource: PersonalDataSource = {
  key: 'memberships',
  tables: [memberships],
  export: async ({ db, userId }) =>
    (
      await db
        .select({
          room: rooms.slug,
          role: memberships.role,
          joinedAt: memberships.joinedAt,
          rulesAcceptedAt: memberships.rulesAcceptedAt,
        })
        .from(memberships)
        .innerJoin(rooms, eq(rooms.id, memberships.roomId))
        .where(eq(memberships.userId, userId))
    ).map((row) => ({
      ...row,
      joinedAt: row.joinedAt.toISOString(),
      rulesAcceptedAt: row.rulesAcceptedAt.toISOString(),
    })),
  erase: async ({ db, userId }) => {
    await db.delete(memberships).where(eq(memberships.userId, userId));
  },
};

// The account itself goes last: other sources may still need the row while they erase.
const userSource: PersonalDataSource = {
  key: 'user',
  tables: [users],
  export: async ({ db, userId, adminUsernames }) => {
    const [user] = await db.select().from(users).where(eq(users.id, userId));
    return user ? toUser(user, adminUsernames) : null;
  },
  erase: async ({ db, userId }) => {
    await db.delete(users).where(eq(users.id, userId));
  },
};

export const personalDataSources: readonly PersonalDataSource[] = [sessionsSource, membershipsSource, userSource];

export async function exportPersonalData(context: PersonalDataContext): Promise<Record<string, unknown>> {
  const result: Record<string, unknown> = { exportedAt: context.now.toISOString() };
  for (const source of personalDataSources) result[source.key] = await source.export(context);
  return result;
}

export async function erasePersonalData(context: PersonalDataContext): Promise<void> {
  await context.db.transaction(async (tx) => {
    for (const source of personalDataSources) await source.erase({ ...context, db: tx as unknown as Database });
  });
}
