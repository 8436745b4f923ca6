// Test databases, real ones: an in-memory PGlite restored from a migrated snapshot (so each test file
// skips initdb and migrations), or a fresh PostgreSQL database with a unique name, dropped afterwards.
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { createDb, type DatabaseHandle } from './client.ts';
import { migrate } from './migrate.ts';

export type TestDatabaseKind = 'pglite' | 'postgres';

/** Migrates a new in-memory PGlite and saves its data folder as a tarball, for `openTestDatabase`. */
export async function writeMigratedSnapshot(file: string): Promise<void> {
  const pglite = await PGlite.create();
  const handle = await createDb({ pglite });
  await migrate(handle);
  const dump = await pglite.dumpDataDir('none');
  await writeFile(file, Buffer.from(await dump.arrayBuffer()));
  await pglite.close();
}

export interface TestDatabase extends DatabaseHandle {
  /** For PostgreSQL, the URL of this test's own database. */
  url?: string;
}

export async function openTestDatabase(
  options: { kind: 'pglite'; snapshotFile: string } | { kind: 'postgres'; serverUrl: string },
): Promise<TestDatabase> {
  if (options.kind === 'pglite') {
    const pglite = await PGlite.create({ loadDataDir: new Blob([await readFile(options.snapshotFile)]) });
    return createDb({ pglite });
  }
  const { url, drop } = await createPostgresDatabase(options.serverUrl);
  const handle = await createDb({ databaseUrl: url, poolSize: 4 });
  await migrate(handle);
  return {
    ...handle,
    url,
    close: async () => {
      await handle.close();
      await drop();
    },
  };
}

/** Creates an empty database with a fresh name on the server at `serverUrl`. */
export async function createPostgresDatabase(serverUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `kindred_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  await adminQuery(serverUrl, `CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => adminQuery(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

async function adminQuery(serverUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
