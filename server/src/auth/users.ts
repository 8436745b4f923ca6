// How a user row leaves the server: never its password hash, and admin by column or by configuration.
import type { Identity, User } from '@kindred/shared';
import type { UserRow } from './sessions.ts';

export function isAdmin(user: UserRow, adminUsernames: ReadonlySet<string>): boolean {
  return user.isAdmin || adminUsernames.has(user.username);
}

export function toUser(user: UserRow, adminUsernames: ReadonlySet<string>): User {
  return {
    id: user.id,
    username: user.username,
    displayName: user.displayName,
    isAdmin: isAdmin(user, adminUsernames),
    identity: (user.identity as Identity | null) ?? null,
    country: user.country ?? null,
    timeZone: user.timeZone ?? null,
    createdAt: user.createdAt.toISOString(),
  };
}
