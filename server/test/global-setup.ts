// Once per run: migrate one PGlite and save it, so every test file restores a ready database in
// a fraction of a second instead of running initdb and the migrations again.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeMigratedSnapshot } from '@kindred/db/testing';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteSnapshot: string;
  }
}

export default async function setup(project: TestProject) {
  const dir = mkdtempSync(path.join(tmpdir(), 'kindred-snapshot-'));
  const file = path.join(dir, 'migrated.tar');
  await writeMigratedSnapshot(file);
  project.provide('pgliteSnapshot', file);
  return () => rmSync(dir, { recursive: true, force: true });
}
