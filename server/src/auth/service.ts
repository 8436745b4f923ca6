// Registering, signing in and changing a password: the rules, with no HTTP in sight.
import { schema, sqlState, UNIQUE_VIOLATION, type Database } from '@kindred/db';
import type { ChangePasswordBody, LoginBody, RegisterBody } from '@kindred/shared';
import { eq, sql } from 'drizzle-orm';
import { acceptDisplayName } from '../accounts/display-names.ts';
import { ApiError } from '../errors.ts';
import type { Limit, LimitCounters } from '../limits/counters.ts';
import { hashPassword, passwordProblem, timingDummyHash, verifyPassword } from './passwords.ts';
import { createSession, invalidateUserSessions, type SessionRow, type UserRow } from './sessions.ts';

const { users } = schema;

export interface AuthServiceDeps {
  db: Database;
  now: () => Date;
  limits: LimitCounters;
  /** Sign-in attempts per username, on top of the per-address limit on the route. */
  loginLimit: Limit;
}

export interface SignedIn {
  user: UserRow;
  session: SessionRow;
  token: string;
}

const INVALID_CREDENTIALS = 'That username and password do not match. Please check them and try again.';

export function normalizeUsername(username: string): string {
  return username.toLowerCase();
}

export function createAuthService({ db, now, limits, loginLimit }: AuthServiceDeps) {
  async function findUser(username: string): Promise<UserRow | undefined> {
    const [user] = await db
      .select()
      .from(users)
      .where(eq(sql`lower(${users.username})`, username));
    return user;
  }

  return {
    async register(input: RegisterBody): Promise<SignedIn> {
      const username = normalizeUsername(input.username);
      // Without a display name of their own, a member is shown by their username (letters, digits and _).
      const displayName = input.displayName === undefined ? input.username : acceptDisplayName(input.displayName);
      const problem = passwordProblem(input.password, username);
      if (problem) throw new ApiError('validation', problem, 'password');
      if (await findUser(username)) throw usernameTaken();
      const passwordHash = await hashPassword(input.password);
      const at = now();
      let user: UserRow;
      try {
        [user] = (await db
          .insert(users)
          .values({ username, displayName, passwordHash, createdAt: at })
          .returning()) as [UserRow];
      } catch (error) {
        // Two registrations of one name at once: the unique index decides, and the loser hears it kindly.
        if (sqlState(error) === UNIQUE_VIOLATION) throw usernameTaken();
        throw error;
      }
      const { token, session } = await createSession(db, user.id, at);
      return { user, session, token };
    },

    async login(input: LoginBody): Promise<SignedIn> {
      const username = normalizeUsername(input.username);
      const at = now();
      // Counted before the password is checked, so guesses sent all at once cannot slip past the limit.
      await limits.take(loginLimit, username, at);
      const user = await findUser(username);
      // An unknown name costs one hash check too, so time does not tell which names exist.
      const valid = await verifyPassword(user?.passwordHash ?? (await timingDummyHash()), input.password);
      if (!user || !valid) throw new ApiError('invalid_credentials', INVALID_CREDENTIALS);
      await limits.clear(loginLimit, username);
      if (user.bannedAt) {
        throw new ApiError('banned', 'This account has been closed by Kindred’s admins, so it can’t sign in.');
      }
      const { token, session } = await createSession(db, user.id, at);
      return { user, session, token };
    },

    /** Checks the current password; used before anything that can't be undone. */
    async confirmPassword(user: UserRow, password: string): Promise<void> {
      if (!(await verifyPassword(user.passwordHash, password))) {
        throw new ApiError('invalid_credentials', 'That password is not right. Please try again.', 'password');
      }
    },

    /** Changes the password and ends every other session. Returns the ids of the sessions ended. */
    async changePassword(user: UserRow, currentSessionId: string, input: ChangePasswordBody): Promise<string[]> {
      if (!(await verifyPassword(user.passwordHash, input.currentPassword))) {
        throw new ApiError('invalid_credentials', 'Your current password is not right.', 'currentPassword');
      }
      const problem = passwordProblem(input.newPassword, user.username);
      if (problem) throw new ApiError('validation', problem, 'newPassword');
      const passwordHash = await hashPassword(input.newPassword);
      await db.update(users).set({ passwordHash }).where(eq(users.id, user.id));
      return invalidateUserSessions(db, user.id, currentSessionId);
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;

function usernameTaken(): ApiError {
  return new ApiError('username_taken', 'Someone already uses that username. Please choose another.', 'username');
}
