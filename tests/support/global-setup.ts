// Once per run of the black-box tier: a real server starts on an empty data folder (the embedded
// database's initdb and every migration, ~6 s of the ~11 s a start takes here) and stops. The browser
// files then start their platforms on copies of that folder, as a server restarts on its own data. The
// lifecycle tests keep starting on empty folders: a first start is what they test.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startPlatform } from './platform.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A data folder a server made and left, to copy for a platform that needs no first start. */
    dataTemplate: string;
  }
}

export default async function setup(project: TestProject) {
  const dir = await mkdtemp(join(tmpdir(), 'kindred-template-'));
  const platform = await startPlatform({ dataDir: dir });
  await platform.stop();
  project.provide('dataTemplate', dir);
  return () => rm(dir, { recursive: true, force: true, maxRetries: 3 });
}
