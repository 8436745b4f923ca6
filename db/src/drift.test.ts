// Fails when src/schema.ts says something the committed migrations do not: someone changed the schema
// and forgot `npm run db:generate`. The same comparison drizzle-kit makes, without writing a file.
import { readFileSync } from 'node:fs';
import { generateDrizzleJson, generateMigration } from 'drizzle-kit/api';
import { describe, expect, it } from 'vitest';
import { migrationsFolder } from './migrate.ts';
import * as schema from './schema.ts';

describe('committed migrations', () => {
  it('match the drizzle schema exactly', async () => {
    const journal = JSON.parse(readFileSync(`${migrationsFolder}/meta/_journal.json`, 'utf8')) as {
      entries: { idx: number; tag: string }[];
    };
    const last = journal.entries.at(-1);
    expect(last, 'db/migrations has no migration; run npm run db:generate').toBeDefined();
    const snapshotFile = `${migrationsFolder}/meta/${String(last!.idx).padStart(4, '0')}_snapshot.json`;
    const committed = JSON.parse(readFileSync(snapshotFile, 'utf8'));
    const current = generateDrizzleJson(schema, committed.id, undefined, 'snake_case');
    const statements = await generateMigration(committed, current);
    expect(statements, 'the schema changed without a migration: run npm run db:generate').toEqual([]);
  });
});
