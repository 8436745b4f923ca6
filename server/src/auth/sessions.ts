// Sessions the way the Lucia guide describes them, in one small module of our own.
// A token is `<id>.<secret>`: the id finds the row, the secret proves possession. Only SHA-256(secret) is
// stored, and it is compared in constant time, so neither a database copy nor timing yields a cookie.
// A session ends after 30 idle days (refreshed at most hourly, to spare a write per request) and,
// however active, 90 days after login. Ended sessions are deleted when presented, and every hour by a
// sweep (`deleteEndedSessions`) for those never presented again.
import { sha256 } from '@oslojs/crypto/sha2';
import { constantTimeEqual } from '@oslojs/crypto/subtle';
import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';
import { schema, type Database } from '@kindred/db';
import { and, eq, inArray, lte, ne, or } from 'drizzle-orm';

const { sessions, users } = schema;

const DAY = 24 * 60 * 60 * 1000;
export const SESSION_IDLE_MS = 30 * DAY;
export const SESSION_ABSOLUTE_MS = 90 * DAY;
export const SESSION_REFRESH_MS = 60 * 60 * 1000;

export type SessionRow = typeof sessions.$inferSelect;
export type UserRow = typeof users.$inferSelect;

export interface ValidSession {
  session: SessionRow;
  user: UserRow;
  /** When the session will end if unused from now on: what the cookie's lifetime should be. */
  expiresAt: Date;
  /** True when this validation moved lastSeenAt, so the cookie should be sent again with the new lifetime. */
  refreshed: boolean;
}

const SESSION_ID = /^[a-z2-7]+$/;

function randomString(bytes: number): string {
  return encodeBase32LowerCaseNoPadding(crypto.getRandomValues(new Uint8Array(bytes)));
}

function hashSecret(secret: string): Uint8Array {
  return sha256(new TextEncoder().encode(secret));
}

/** When a session seen last at `lastSeenAt` and created at `createdAt` stops working. */
export function sessionExpiry(session: Pick<SessionRow, 'createdAt' | 'lastSeenAt'>): Date {
  return new Date(
    Math.min(session.lastSeenAt.getTime() + SESSION_IDLE_MS, session.createdAt.getTime() + SESSION_ABSOLUTE_MS),
  );
}

export async function createSession(
  db: Database,
  userId: string,
  now: Date,
): Promise<{ token: string; session: SessionRow }> {
  // 120 bits for the id and 160 for the secret: both far beyond guessing.
  const id = randomString(15);
  const secret = randomString(20);
  const [session] = await db
    .insert(sessions)
    .values({ id, userId, secretHash: hashSecret(secret), createdAt: now, lastSeenAt: now })
    .returning();
  return { token: `${id}.${secret}`, session: session! };
}

export async function validateSessionToken(db: Database, token: string, now: Date): Promise<ValidSession | null> {
  const [id, secret, extra] = token.split('.');
  if (!id || !secret || extra !== undefined || id.length > 64 || secret.length > 64) return null;
  // Ids are base32 (createSession): anything else names no session, and could hold a character the
  // database refuses (a NUL), which would turn every request of that browser into an error.
  if (!SESSION_ID.test(id)) return null;

  const [row] = await db
    .select({ session: sessions, user: users })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(eq(sessions.id, id));
  if (!row || !constantTimeEqual(hashSecret(secret), row.session.secretHash)) return null;

  const { session, user } = row;
  if (user.bannedAt || now.getTime() >= sessionExpiry(session).getTime()) {
    await db.delete(sessions).where(eq(sessions.id, session.id));
    return null;
  }
  let refreshed = false;
  if (now.getTime() - session.lastSeenAt.getTime() >= SESSION_REFRESH_MS) {
    await db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.id, session.id));
    session.lastSeenAt = now;
    refreshed = true;
  }
  return { session, user, expiresAt: sessionExpiry(session), refreshed };
}

/**
 * Deletes every session that has ended, idle or too old. A session presented after its end is deleted
 * then; this removes the ones never presented again (a cleared browser, a lost phone), so the database
 * does not keep, for ever, when their member was last here. Returns the ids it deleted.
 */
export async function deleteEndedSessions(db: Database, now: Date): Promise<string[]> {
  const ended = or(
    lte(sessions.lastSeenAt, new Date(now.getTime() - SESSION_IDLE_MS)),
    lte(sessions.createdAt, new Date(now.getTime() - SESSION_ABSOLUTE_MS)),
  );
  // A thousand at a time, so that a first sweep over a long backlog never holds one long statement.
  const deleted: string[] = [];
  for (;;) {
    const rows = await db
      .delete(sessions)
      .where(inArray(sessions.id, db.select({ id: sessions.id }).from(sessions).where(ended).limit(1000)))
      .returning({ id: sessions.id });
    deleted.push(...rows.map((row) => row.id));
    if (rows.length < 1000) return deleted;
  }
}

export async function invalidateSession(db: Database, sessionId: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.id, sessionId));
}

/** Ends every session of a user, or every one but `exceptId`. Returns the ids it ended. */
export async function invalidateUserSessions(db: Database, userId: string, exceptId?: string): Promise<string[]> {
  const rows = await db
    .delete(sessions)
    .where(exceptId ? and(eq(sessions.userId, userId), ne(sessions.id, exceptId)) : eq(sessions.userId, userId))
    .returning({ id: sessions.id });
  return rows.map((row) => row.id);
}
