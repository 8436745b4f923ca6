// Platform admins: granted and revoked by an operator from the command line (see cli.ts), or named in
// ADMIN_USERNAMES. Nothing in the HTTP API can make anyone an admin.
import { schema, type Database } from '@kindred/db';
import { eq, sql } from 'drizzle-orm';

const { users } = schema;

export async function setAdmin(db: Database, username: string, isAdmin: boolean): Promise<boolean> {
  const updated = await db
    .update(users)
    .set({ isAdmin })
    .where(eq(sql`lower(${users.username})`, username.toLowerCase()))
    .returning({ id: users.id });
  return updated.length > 0;
}

export async function listAdmins(db: Database): Promise<string[]> {
  const rows = await db.select({ username: users.username }).from(users).where(eq(users.isAdmin, true));
  return rows.map((row) => row.username).sort();
}
