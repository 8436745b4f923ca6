// The embedded database's small-server settings: a new data folder and one made before them both open with
// them, and a new folder keeps what was written in it (its initdb ran in a process of its own).
// No memory figures here (a shared, noisy machine): tests/bench measures those.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterEach, describe, expect, it } from 'vitest';
import { createDb, PGLITE_SETTINGS } from './client.ts';

const made: string[] = [];
const freshDir = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kindred-db-'));
  made.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function settings(pglite: PGlite): Promise<Record<string, string>> {
  const names = Object.keys(PGLITE_SETTINGS);
  const { rows } = await pglite.query<{ name: string; value: string }>(
    `select name, current_setting(name) as value from pg_settings where name = any($1)`,
    [names],
  );
  return Object.fromEntries(rows.map((row) => [row.name, row.value]));
}

describe('the embedded database', () => {
  it('opens a new data folder with the small-server settings and keeps what is written in it', async () => {
    const dir = freshDir();
    const first = await createDb({ dataDir: dir });
    expect(await settings(first.pglite!)).toEqual(PGLITE_SETTINGS);
    // initdb ran with them too, and wrote them where an operator looks.
    const conf = readFileSync(path.join(dir, 'pglite', 'postgresql.conf'), 'utf8');
    for (const [name, value] of Object.entries(PGLITE_SETTINGS)) {
      expect(conf).toMatch(new RegExp(`^${name} = '?${value}'?`, 'm'));
    }
    await first.pglite!.exec(`create table kept (words text); insert into kept values ('still here')`);
    await first.close();

    const again = await createDb({ dataDir: dir });
    expect(await settings(again.pglite!)).toEqual(PGLITE_SETTINGS);
    expect((await again.pglite!.query<{ words: string }>('select words from kept')).rows).toEqual([
      { words: 'still here' },
    ]);
    await again.close();
  }, 120_000);

  it('opens a data folder made with PGlite defaults (shared_buffers 128MB) with the small-server settings', async () => {
    const dir = freshDir();
    const old = await PGlite.create(path.join(dir, 'pglite'));
    expect((await old.query<{ v: string }>(`select current_setting('shared_buffers') as v`)).rows[0]!.v).toBe('128MB');
    await old.close();

    const opened = await createDb({ dataDir: dir });
    expect(await settings(opened.pglite!)).toEqual(PGLITE_SETTINGS);
    await opened.close();
  }, 120_000);
});
