// The one drizzle schema for both PostgreSQL and PGlite. Column names are snake_case in SQL
// (drizzle's `casing` option), camelCase in TypeScript. After a change: `npm run db:generate`.
import { sql } from 'drizzle-orm';
import { boolean, customType, index, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (value) => new Uint8Array(value),
});

const createdAt = () => timestamp({ withTimezone: true }).notNull().defaultNow();

export const users = pgTable(
  'users',
  {
    id: uuid().primaryKey().defaultRandom(),
    // Pseudonyms: stored lower-case, so uniqueness ignores case by construction.
    username: text().notNull(),
    displayName: text().notNull(),
    passwordHash: text().notNull(),
    // Granted by the CLI; ADMIN_USERNAMES adds admins from configuration without touching this column.
    isAdmin: boolean().notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('users_username_key').on(sql`lower(${t.username})`)],
);

// Sessions as the Lucia guide describes them: the cookie holds `<id>.<secret>`; the row holds the id and
// only the SHA-256 of the secret, so a copy of the database cannot be turned into a working cookie.
export const sessions = pgTable(
  'sessions',
  {
    id: text().primaryKey(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    secretHash: bytea().notNull(),
    createdAt: createdAt(),
    lastSeenAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('sessions_user_id_idx').on(t.userId)],
);
