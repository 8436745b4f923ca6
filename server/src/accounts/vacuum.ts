// After an account is deleted, the member's words are gone from every query at once, but the rows that held
// them stay in the tables' files as dead row versions until VACUUM reclaims them (PGlite never vacuums on
// its own; PostgreSQL's autovacuum comes when a table has changed enough). So a deletion asks for VACUUM of
// every table personal data lives in, in the background: the member's answer never waits for it, requests
// that arrive while one runs are served by one more run, and a failure is logged, never thrown.
// What VACUUM cannot reach (the WAL, backups, free space in a page not yet reused) is in docs/SECURITY.md.
import type { Database } from '@kindred/db';
import { getTableName, sql } from 'drizzle-orm';
import { personalDataSources } from './personal-data.ts';

const tables = [...new Set(personalDataSources.flatMap((source) => source.tables.map(getTableName)))];
const statement = sql.raw(`VACUUM ${tables.map((name) => `"${name}"`).join(', ')}`);

export interface ErasureVacuum {
  /** Asks for a VACUUM soon; returns at once. */
  request(): void;
  /** Settles when no VACUUM is running or asked for (before the database closes). */
  idle(): Promise<void>;
}

export function createErasureVacuum(db: Database, logError: (error: unknown) => void): ErasureVacuum {
  let running: Promise<void> | undefined;
  let again = false;

  async function vacuumUntilNoneAsked(): Promise<void> {
    do {
      again = false;
      try {
        await db.execute(statement);
      } catch (error) {
        logError(error);
      }
    } while (again);
    running = undefined;
  }

  return {
    request() {
      if (running) again = true;
      else running = vacuumUntilNoneAsked();
    },
    idle: () => running ?? Promise.resolve(),
  };
}
