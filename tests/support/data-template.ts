// A copy of the run's ready embedded data folder (global-setup.ts: a server made it and stopped), for a test
// whose platform needs data but not a first start: it spares that test the embedded database's initdb and
// every migration (seconds of CPU on a busy machine). Tests of the first start itself keep an empty folder.
import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';

/** A new folder holding a copy of the ready data folder; the caller removes it. */
export async function copyOfReadyDataDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  await cp(inject('dataTemplate'), dir, { recursive: true });
  return dir;
}
