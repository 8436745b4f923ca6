// Once per run of the black-box tier: a real server starts on an empty data folder (the embedded
// database's initdb and every migration, ~6 s of the ~11 s a start takes here) and stops. The browser
// files then start their platforms on copies of that folder, as a server restarts on its own data. The
// lifecycle tests keep starting on empty folders: a first start is what they test. First of all, the
// compiled server is brought up to date (server/scripts/build.mjs), as `npm start` does.
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { repoRoot, startPlatform } from './platform.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A data folder a server made and left, to copy for a platform that needs no first start. */
    dataTemplate: string;
  }
}

export default async function setup(project: TestProject) {
  // The platform runs the compiled server, as production does: build it if a source changed since.
  const build = spawnSync(process.execPath, ['server/scripts/build.mjs', '--if-needed', '--quiet'], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  if (build.status !== 0) throw new Error(`building the server failed:\n${build.stdout}${build.stderr}`);
  const dir = await mkdtemp(join(tmpdir(), 'kindred-template-'));
  const platform = await startPlatform({ dataDir: dir });
  await platform.stop();
  project.provide('dataTemplate', dir);
  return () => rm(dir, { recursive: true, force: true, maxRetries: 3 });
}
