// Registering, signing in and changing a password: the rules, with no HTTP in sight.
import { schema, sqlState, UNIQUE_VIOLATION, type Database } from '@kindred/db';
import type { ChangePasswordBody, LoginBody, RegisterBody } from '@kindred/shared';
import { eq, sql } from 'drizzle-orm';
import { acceptDisplayName } from '../accounts/display-names.ts';
import { assertNotPassingForStaff } from '../accounts/staff-names.ts';
import { ApiError } from '../errors.ts';
import type { Limit, LimitCounters } from '../limits/counters.ts';
import { hashPassword, passwordProblem, timingDummyHash, verifyPassword } from './passwords.ts';
import { createSession, invalidateUserSessions, type SessionRow, type UserRow } from './sessions.ts';

const { users } = schema;

export interface AuthServiceDeps {
  db: Database;
  now: () => Date;
  limits: LimitCounters;
  /**
   * Password guesses per username, wherever they come from: sign-in (on top of the per-address limit on its
   * route), and the current password asked for before a password change or an account deletion, so a
   * stolen session cannot guess its way to the password either.
   */
  passwordLimit: Limit;
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

export async function findUser(db: Database, username: string): Promise<UserRow | undefined> {
  const [user] = await db
    .select()
    .from(users)
    .where(eq(sql`lower(${users.username})`, username));
  return user;
}

/**
 * A new account by the rules of registration (a free name, a password that is not common, argon2id), for
 * a visitor registering and for the operator's `admin create` alike. The input has passed RegisterBodySchema.
 */
export async function createAccount(
  db: Database,
  input: RegisterBody,
  at: Date,
  /** The operator's CLI making an admin: someone who is staff from their first moment. */
  options: { staff?: boolean } = {},
): Promise<UserRow> {
  const username = normalizeUsername(input.username);
  // Without a display name of their own, a member is shown by their username (letters, digits and _).
  const displayName = input.displayName === undefined ? input.username : acceptDisplayName(input.displayName);
  // A name the member chose may neither claim a role nor pass for a staff member's (staff-names.ts).
  if (input.displayName !== undefined && !options.staff) await assertNotPassingForStaff(db, displayName, undefined);
  const problem = passwordProblem(input.password, username);
  if (problem) throw new ApiError('validation', problem, 'password');
  if (await findUser(db, username)) throw usernameTaken();
  const passwordHash = await hashPassword(input.password);
  try {
    const [user] = await db.insert(users).values({ username, displayName, passwordHash, createdAt: at }).returning();
    return user!;
  } catch (error) {
    // Two registrations of one name at once: the unique index decides, and the loser hears it kindly.
    if (sqlState(error) === UNIQUE_VIOLATION) throw usernameTaken();
    throw error;
  }
}

export function createAuthService({ db, now, limits, passwordLimit }: AuthServiceDeps) {
  /** Checks a password against the username's count of guesses: counted first, forgotten when right. */
  async function checkPassword(username: string, passwordHash: string, password: string): Promise<boolean> {
    // Counted before the password is checked, so guesses sent all at once cannot slip past the limit.
    await limits.take(passwordLimit, username, now());
    const valid = await verifyPassword(passwordHash, password);
    if (valid) await limits.clear(passwordLimit, username);
    return valid;
  }

  return {
    async register(input: RegisterBody): Promise<SignedIn> {
      const at = now();
      const user = await createAccount(db, input, at);
      const { token, session } = await createSession(db, user.id, at);
      return { user, session, token };
    },

    async login(input: LoginBody): Promise<SignedIn> {
      const username = normalizeUsername(input.username);
      const user = await findUser(db, username);
      // An unknown name costs one hash check too, so time does not tell which names exist.
      const valid = await checkPassword(username, user?.passwordHash ?? (await timingDummyHash()), input.password);
      if (!user || !valid) throw new ApiError('invalid_credentials', INVALID_CREDENTIALS);
      const at = now();
      if (user.bannedAt) {
        throw new ApiError('banned', 'This account has been closed by Kindred’s admins, so it can’t sign in.');
      }
      const { token, session } = await createSession(db, user.id, at);
      return { user, session, token };
    },

    /** Checks the current password; used before anything that can't be undone. */
    async confirmPassword(user: UserRow, password: string): Promise<void> {
      if (!(await checkPassword(user.username, user.passwordHash, password))) {
        throw new ApiError('invalid_credentials', 'That password is not right. Please try again.', 'password');
      }
    },

    /** Changes the password and ends every other session. Returns the ids of the sessions ended. */
    async changePassword(user: UserRow, currentSessionId: string, input: ChangePasswordBody): Promise<string[]> {
      if (!(await checkPassword(user.username, user.passwordHash, input.currentPassword))) {
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
