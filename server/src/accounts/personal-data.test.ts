// Every table that refers to a member must be exported and erased with their account.
import { schema } from '@kindred/db';
import { getTableConfig, PgTable } from 'drizzle-orm/pg-core';
import { is } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { personalDataSources } from './personal-data.ts';

const tables = (Object.values(schema) as unknown[]).filter((value): value is PgTable => is(value, PgTable));
const usersName = getTableConfig(schema.users).name;

function holdsUserData(table: PgTable): boolean {
  const config = getTableConfig(table);
  if (config.name === usersName) return true;
  return config.foreignKeys.some((fk) => getTableConfig(fk.reference().foreignTable).name === usersName);
}

describe('personal data sources', () => {
  it('cover every table that holds a member’s data', () => {
    const covered = new Set(personalDataSources.flatMap((source) => source.tables.map((t) => getTableConfig(t).name)));
    const needed = tables.filter(holdsUserData).map((table) => getTableConfig(table).name);
    expect(needed.length).toBeGreaterThan(1);
    expect(needed.filter((name) => !covered.has(name))).toEqual([]);
  });

  it('have distinct export keys, with the account itself erased last', () => {
    const keys = personalDataSources.map((source) => source.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(personalDataSources.at(-1)?.tables).toContain(schema.users);
  });
});
