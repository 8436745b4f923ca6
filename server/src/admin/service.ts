// Platform admins: a column of the member's row that only the operator's command line (cli.ts) changes,
// and a record of every change (admin_changes: which account, what, by whom, when) that nothing may edit
// or remove. Nothing in the HTTP API or the chat socket can make anyone an admin.
import { schema, type Database } from '@kindred/db';
import { RegisterBodySchema, type RegisterBody } from '@kindred/shared';
import { and, asc, eq, sql } from 'drizzle-orm';
import { createAccount } from '../auth/service.ts';
import type { UserRow } from '../auth/sessions.ts';
import { validationError } from '../plugins/errors.ts';
import { compileStrict } from '../plugins/validation.ts';

const { adminChanges, users } = schema;

export type AdminChangeKind = 'created' | 'granted' | 'revoked';

export interface AdminChange {
  change: AdminChangeKind;
  username: string;
  operator: string;
  at: Date;
}

/** What a grant or revoke did: nothing to do is not an error, and is not recorded. */
export type AdminSetResult = 'changed' | 'unchanged' | 'no_such_member';

export interface AdminServiceDeps {
  db: Database;
  now: () => Date;
}

const validRegistration = compileStrict(RegisterBodySchema);

export function createAdminService({ db, now }: AdminServiceDeps) {
  const record = (tx: Database, user: Pick<UserRow, 'id' | 'username'>, change: AdminChangeKind, operator: string) =>
    tx.insert(adminChanges).values({ change, userId: user.id, username: user.username, operator, createdAt: now() });

  async function set(username: string, isAdmin: boolean, operator: string): Promise<AdminSetResult> {
    return db.transaction(async (tx) => {
      const [changed] = await tx
        .update(users)
        .set({ isAdmin })
        .where(and(eq(sql`lower(${users.username})`, username.toLowerCase()), eq(users.isAdmin, !isAdmin)))
        .returning({ id: users.id, username: users.username });
      if (!changed) {
        const [exists] = await tx
          .select({ id: users.id })
          .from(users)
          .where(eq(sql`lower(${users.username})`, username.toLowerCase()));
        return exists ? 'unchanged' : 'no_such_member';
      }
      await record(tx as unknown as Database, changed, isAdmin ? 'granted' : 'revoked', operator);
      return 'changed';
    });
  }

  return {
    /** A new account that is an admin from its first moment, by the rules registration follows. */
    async create(input: RegisterBody, operator: string): Promise<UserRow> {
      if (!validRegistration(input)) throw validationError(validRegistration.errors ?? [], 'body');
      return db.transaction(async (tx) => {
        const account = await createAccount(tx as unknown as Database, input, now(), { staff: true });
        const [user] = await tx.update(users).set({ isAdmin: true }).where(eq(users.id, account.id)).returning();
        await record(tx as unknown as Database, account, 'created', operator);
        return user!;
      });
    },

    grant: (username: string, operator: string) => set(username, true, operator),
    revoke: (username: string, operator: string) => set(username, false, operator),

    async admins(): Promise<string[]> {
      const rows = await db.select({ username: users.username }).from(users).where(eq(users.isAdmin, true));
      return rows.map((row) => row.username).sort();
    },

    /** Every change, oldest first. */
    async changes(): Promise<AdminChange[]> {
      const rows = await db
        .select({
          change: adminChanges.change,
          username: adminChanges.username,
          operator: adminChanges.operator,
          at: adminChanges.createdAt,
        })
        .from(adminChanges)
        .orderBy(asc(adminChanges.createdAt), asc(adminChanges.id));
      return rows.map((row) => ({ ...row, change: row.change as AdminChangeKind }));
    },
  };
}

export type AdminService = ReturnType<typeof createAdminService>;
