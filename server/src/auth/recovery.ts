// Getting back into an account without email: "Forgot your password?" with a recovery code, and the
// one-time reset link an admin (or the operator's CLI) issues to a member who lost their codes as well.
// Either way the password changes, every session of the member ends, and they are signed in afresh.
//
// Issuing and using a link are recorded in the moderation audit log (moderation_actions), not in
// admin_changes: admin_changes records who holds admin power, as only the operator's CLI changes it, and
// its `admin list` is read as that; the moderation log is where what staff did to a member's account is
// kept (actor, target, reason, time), append-only by trigger, with ids that outlive both accounts, and
// admins already read it in the app. Rows target an `account` with no `subjectId` and no room, so they
// reach admins only: never a room's log, nor the earlier actions a volunteer moderator sees beside a member.
import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';
import { sha256 } from '@oslojs/crypto/sha2';
import { schema, type Database } from '@kindred/db';
import type { RecoverBody, ResetLinkStatus } from '@kindred/shared';
import { and, desc, eq, gt, isNull } from 'drizzle-orm';
import { ApiError } from '../errors.ts';
import type { Limit, LimitCounters } from '../limits/counters.ts';
import { hashPassword, passwordProblem } from './passwords.ts';
import { findRecoveryCode, recoveryCodesState, replaceRecoveryCodes, spendRecoveryCode } from './recovery-codes.ts';
import { findUser, normalizeUsername, type SignedIn } from './service.ts';
import { createSession, type UserRow } from './sessions.ts';

const { moderationActions, passwordResetLinks, sessions, users } = schema;

const RESET_LINK_MS = 24 * 60 * 60 * 1000;
/** The audit log's actor for a link the operator's CLI issued: the operator is not a member. */
export const OPERATOR_ACTOR_ID = '00000000-0000-0000-0000-000000000000';

const WRONG_CODE =
  'That username and recovery code don’t match, or the code was already used. Please check them and try again.';
const LINK_GONE =
  'This link has already been used or has expired. Please ask an admin for a new one; nothing was changed.';

export interface RecoveryServiceDeps {
  db: Database;
  now: () => Date;
  limits: LimitCounters;
  /** Recovery tries per username, on top of the per-address limit on the routes. */
  recoveryLimit: Limit;
  /** Where reset links point: PUBLIC_ORIGIN. */
  publicOrigin: string;
}

export interface Recovered extends SignedIn {
  /** Every session the member had, now ended: their live connections close too. */
  endedSessions: string[];
}

/** Who issued a link: an admin in the app, or the operator at the command line. */
export type LinkIssuer = { adminId: string } | { operator: string };

function hashToken(token: string): Uint8Array {
  return sha256(new TextEncoder().encode(token));
}

function iso(date: Date): string {
  return date.toISOString();
}

export function createRecoveryService({ db, now, limits, recoveryLimit, publicOrigin }: RecoveryServiceDeps) {
  /** The new password stored, every session ended, the audit row if any, in the caller's transaction. */
  async function setPassword(tx: Database, userId: string, passwordHash: string): Promise<string[]> {
    await tx.update(users).set({ passwordHash }).where(eq(users.id, userId));
    const ended = await tx.delete(sessions).where(eq(sessions.userId, userId)).returning({ id: sessions.id });
    return ended.map((row) => row.id);
  }

  function audit(tx: Database, actorId: string, action: string, memberId: string, reason: string) {
    return tx.insert(moderationActions).values({
      actorId,
      action,
      targetType: 'account',
      targetId: memberId,
      roomId: null,
      subjectId: null,
      reason,
      createdAt: now(),
    });
  }

  /** A live link by its token: unused and not expired. */
  async function liveLink(token: string) {
    const [row] = await db
      .select({ link: passwordResetLinks, user: users })
      .from(passwordResetLinks)
      .innerJoin(users, eq(users.id, passwordResetLinks.userId))
      // Looked up by the hash of a 160-bit token: the index's timing says nothing about any token.
      .where(
        and(
          eq(passwordResetLinks.tokenHash, hashToken(token)),
          isNull(passwordResetLinks.usedAt),
          gt(passwordResetLinks.expiresAt, now()),
        ),
      );
    if (!row) throw new ApiError('not_found', LINK_GONE);
    return row;
  }

  async function issue(member: Pick<UserRow, 'id'>, issuer: LinkIssuer) {
    const token = encodeBase32LowerCaseNoPadding(crypto.getRandomValues(new Uint8Array(20)));
    const at = now();
    const expiresAt = new Date(at.getTime() + RESET_LINK_MS);
    const byOperator = 'operator' in issuer;
    await db.transaction(async (txRaw) => {
      const tx = txRaw as unknown as Database;
      // One link at a time: a newer one replaces any still waiting.
      await tx
        .delete(passwordResetLinks)
        .where(and(eq(passwordResetLinks.userId, member.id), isNull(passwordResetLinks.usedAt)));
      await tx.insert(passwordResetLinks).values({
        userId: member.id,
        tokenHash: hashToken(token),
        issuedBy: byOperator ? null : issuer.adminId,
        createdAt: at,
        expiresAt,
      });
      await audit(
        tx,
        byOperator ? OPERATOR_ACTOR_ID : issuer.adminId,
        'issue_reset_link',
        member.id,
        'A one-time link to choose a new password, for a member who lost their password and recovery codes' +
          (byOperator ? `; issued at the command line by ${issuer.operator}.` : '.'),
      );
    });
    return { url: `${publicOrigin}/reset/${token}`, expiresAt: iso(expiresAt) };
  }

  return {
    newCodes: (userId: string) => replaceRecoveryCodes(db, userId, now()),

    codesState: (userId: string) => recoveryCodesState(db, userId),

    async recover(body: RecoverBody): Promise<Recovered> {
      const username = normalizeUsername(body.username);
      // Counted before anything is checked, so tries sent all at once cannot slip past the limit.
      await limits.take(recoveryLimit, username, now());
      const problem = passwordProblem(body.newPassword, username);
      if (problem) throw new ApiError('validation', problem, 'newPassword');
      // Hashed whether or not the name exists and the code is right, so the time taken tells neither.
      const passwordHash = await hashPassword(body.newPassword);
      const user = await findUser(db, username);
      const codeId = await findRecoveryCode(db, user?.id, body.recoveryCode);
      if (!user || !codeId) throw new ApiError('invalid_credentials', WRONG_CODE, 'recoveryCode');
      if (user.bannedAt) {
        throw new ApiError('banned', 'This account has been closed by Kindred’s admins, so it can’t sign in.');
      }
      const at = now();
      const endedSessions = await db.transaction(async (txRaw) => {
        const tx = txRaw as unknown as Database;
        if (!(await spendRecoveryCode(tx, codeId, at))) {
          throw new ApiError('invalid_credentials', WRONG_CODE, 'recoveryCode');
        }
        return setPassword(tx, user.id, passwordHash);
      });
      await limits.clear(recoveryLimit, username);
      const { token, session } = await createSession(db, user.id, at);
      return { user, session, token, endedSessions };
    },

    /** An admin's link for a member: never for themselves (the operator's CLI does that). */
    async issueForMember(adminId: string, memberId: string) {
      if (adminId === memberId) {
        throw new ApiError(
          'forbidden',
          'An admin can’t issue a reset link for their own account here. The operator can, with the command line: npm run kindred -- reset-link <username>.',
        );
      }
      const [member] = await db.select({ id: users.id }).from(users).where(eq(users.id, memberId));
      if (!member) throw new ApiError('not_found', 'There is no member with that id.');
      return issue(member, { adminId });
    },

    /** The operator's link for any member, by name; undefined when nobody has the name. */
    async issueByUsername(username: string, operator: string) {
      const member = await findUser(db, normalizeUsername(username));
      return member ? { username: member.username, ...(await issue(member, { operator })) } : undefined;
    },

    /** Whether a link was issued for the member, and used: never the link itself. */
    async linkStatus(memberId: string): Promise<ResetLinkStatus> {
      const [member] = await db.select({ id: users.id }).from(users).where(eq(users.id, memberId));
      if (!member) throw new ApiError('not_found', 'There is no member with that id.');
      const [link] = await db
        .select()
        .from(passwordResetLinks)
        .where(eq(passwordResetLinks.userId, memberId))
        .orderBy(desc(passwordResetLinks.createdAt))
        .limit(1);
      return {
        link: link
          ? {
              issuedAt: iso(link.createdAt),
              expiresAt: iso(link.expiresAt),
              usedAt: link.usedAt ? iso(link.usedAt) : null,
            }
          : null,
      };
    },

    async linkInfo(token: string) {
      const { link, user } = await liveLink(token);
      return { username: user.username, expiresAt: iso(link.expiresAt) };
    },

    async useLink(token: string, newPassword: string): Promise<Recovered> {
      const { link, user } = await liveLink(token);
      const problem = passwordProblem(newPassword, user.username);
      if (problem) throw new ApiError('validation', problem, 'newPassword');
      if (user.bannedAt) {
        throw new ApiError('banned', 'This account has been closed by Kindred’s admins, so it can’t sign in.');
      }
      const passwordHash = await hashPassword(newPassword);
      const at = now();
      const endedSessions = await db.transaction(async (txRaw) => {
        const tx = txRaw as unknown as Database;
        // Spent here, once: a second use at the same moment waits on the row, then finds it used.
        const spent = await tx
          .update(passwordResetLinks)
          .set({ usedAt: at })
          .where(
            and(
              eq(passwordResetLinks.id, link.id),
              isNull(passwordResetLinks.usedAt),
              gt(passwordResetLinks.expiresAt, at),
            ),
          )
          .returning({ id: passwordResetLinks.id });
        if (spent.length === 0) throw new ApiError('not_found', LINK_GONE);
        const ended = await setPassword(tx, user.id, passwordHash);
        await audit(tx, user.id, 'use_reset_link', user.id, 'The member chose a new password with a reset link.');
        return ended;
      });
      const { token: sessionToken, session } = await createSession(db, user.id, at);
      return { user, session, token: sessionToken, endedSessions };
    },
  };
}

export type RecoveryService = ReturnType<typeof createRecoveryService>;
