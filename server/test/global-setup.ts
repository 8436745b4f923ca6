// Once per run: migrate one PGlite and save it, so every test file restores a ready database in
// a fraction of a second instead of running initdb and the migrations again. First of all, the compiled
// server is brought up to date (server/scripts/build.mjs, as `npm start` and `npm run kindred` do): the CLI
// tests run server/dist/cli.js (cli-process.ts), so a single test file run after a source change must
// still test that change.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeMigratedSnapshot } from '@kindred/db/testing';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteSnapshot: string;
  }
}

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

export default async function setup(project: TestProject) {
  const build = spawnSync(process.execPath, ['server/scripts/build.mjs', '--if-needed', '--quiet'], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  if (build.status !== 0) throw new Error(`building the server failed:\n${build.stdout}${build.stderr}`);
  const dir = mkdtempSync(path.join(tmpdir(), 'kindred-snapshot-'));
  const file = path.join(dir, 'migrated.tar');
  await writeMigratedSnapshot(file);
  project.provide('pgliteSnapshot', file);
  return () => rmSync(dir, { recursive: true, force: true });
}
