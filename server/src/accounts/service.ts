// A member's own account: their name, their sessions, their data to take away, and leaving for good.
import { schema, type Database } from '@kindred/db';
import { and, desc, eq } from 'drizzle-orm';
import type { UpdateMeBody } from '@kindred/shared';
import { ApiError } from '../errors.ts';
import { isKnownTimeZone } from '../care/words.ts';
import type { AuthService } from '../auth/service.ts';
import { acceptDisplayName } from './display-names.ts';
import { assertNotPassingForStaff } from './staff-names.ts';
import { invalidateUserSessions, type ValidSession } from '../auth/sessions.ts';
import { erasePersonalData, exportPersonalData } from './personal-data.ts';

const { memberships, sessions, users } = schema;

export interface AccountServiceDeps {
  db: Database;
  auth: AuthService;
  now: () => Date;
  /** Room events an account deletion added (its messages becoming placeholders), for live delivery. */
  onRoomEvents: (ranges: { roomId: string; from: number; to: number }[]) => void;
  /** Called once a deletion has committed (the tables that held the member's words want a VACUUM). */
  onErased: () => void;
}

export function createAccountService({ db, auth, now, onRoomEvents, onErased }: AccountServiceDeps) {
  return {
    async update(userId: string, changes: UpdateMeBody) {
      const values: Partial<typeof users.$inferInsert> = {};
      if (changes.displayName !== undefined) {
        values.displayName = acceptDisplayName(changes.displayName);
        await assertNotPassingForStaff(db, values.displayName, userId);
      }
      if (changes.identity !== undefined) values.identity = changes.identity;
      if (changes.country !== undefined) values.country = changes.country;
      if (changes.timeZone !== undefined) {
        if (changes.timeZone !== null && !isKnownTimeZone(changes.timeZone)) {
          throw new ApiError(
            'validation',
            'That time zone is not one we know. Try a name like Europe/London.',
            'timeZone',
          );
        }
        values.timeZone = changes.timeZone;
      }
      if (changes.showPresence !== undefined) values.showPresence = changes.showPresence;
      const [user] = await db.update(users).set(values).where(eq(users.id, userId)).returning();
      return user!;
    },

    /** Whether this member looks after anything: stories, or any room as its volunteer moderator. */
    async moderates(user: { id: string; storyModerator: boolean }): Promise<boolean> {
      if (user.storyModerator) return true;
      const [row] = await db
        .select({ roomId: memberships.roomId })
        .from(memberships)
        .where(and(eq(memberships.userId, user.id), eq(memberships.role, 'moderator')))
        .limit(1);
      return row !== undefined;
    },

    async listSessions(current: ValidSession) {
      const rows = await db
        .select({ id: sessions.id, createdAt: sessions.createdAt, lastSeenAt: sessions.lastSeenAt })
        .from(sessions)
        .where(eq(sessions.userId, current.user.id))
        .orderBy(desc(sessions.lastSeenAt));
      return rows.map((row) => ({
        id: row.id,
        createdAt: row.createdAt.toISOString(),
        lastSeenAt: row.lastSeenAt.toISOString(),
        current: row.id === current.session.id,
      }));
    },

    /** Ends one of the member's own sessions; somebody else's session id is simply not found. */
    async revokeSession(userId: string, sessionId: string): Promise<void> {
      const ended = await db
        .delete(sessions)
        .where(and(eq(sessions.id, sessionId), eq(sessions.userId, userId)))
        .returning({ id: sessions.id });
      if (ended.length === 0) throw new ApiError('not_found', 'That session has already ended.');
    },

    revokeOtherSessions: (current: ValidSession) => invalidateUserSessions(db, current.user.id, current.session.id),

    exportData: (userId: string) => exportPersonalData({ db, userId, now: now() }),

    /** Deletes the account and everything that is only theirs, after checking the password. */
    async deleteAccount(current: ValidSession, password: string): Promise<string[]> {
      await auth.confirmPassword(current.user, password);
      const ended = await db.select({ id: sessions.id }).from(sessions).where(eq(sessions.userId, current.user.id));
      onRoomEvents(await erasePersonalData({ db, userId: current.user.id, now: now() }));
      onErased();
      return ended.map((row) => row.id);
    },
  };
}

export type AccountService = ReturnType<typeof createAccountService>;
