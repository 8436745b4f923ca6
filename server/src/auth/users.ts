// How a user row leaves the server: never its password hash. Admin is the stored column alone, which only
// the operator's CLI changes (server/src/admin/).
import type { Identity, User } from '@kindred/shared';
import type { UserRow } from './sessions.ts';

export function toUser(user: UserRow): User {
  return {
    id: user.id,
    username: user.username,
    displayName: user.displayName,
    isAdmin: user.isAdmin,
    identity: (user.identity as Identity | null) ?? null,
    country: user.country ?? null,
    timeZone: user.timeZone ?? null,
    showPresence: user.showPresence,
    createdAt: user.createdAt.toISOString(),
  };
}
