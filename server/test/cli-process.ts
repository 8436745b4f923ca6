// The operator's CLI run as the operator runs it: a child process of the compiled CLI,
// `node --enable-source-maps server/dist/cli.js` (what `npm run kindred` runs), with only the environment
// given. The integration projects' global setup (global-setup.ts) builds the server first when a source is
// newer than the build, so a test here always runs the CLI of the code it sits beside. The compiled CLI
// starts in a fraction of the time `node --import tsx server/src/cli.ts` took (no TypeScript to transform
// in each child), which mattered in files that run it a dozen times per database. With source maps on, a
// stack trace it printed would still name the .ts files, which the "no stack trace" checks look for.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
/** The compiled command line (server/scripts/build.mjs), relative to the repository. */
export const SERVER_CLI = 'server/dist/cli.js';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A stack trace's frame in our code, compiled or not: what no refusal may print. */
export const STACK_FRAME = /at .*\.[jt]s:\d+/;

/** Runs the CLI with only the environment given (and PATH and HOME, unless given); killed after `timeoutMs`. */
export function runCli(args: string[], env: Record<string, string>, timeoutMs: number): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--enable-source-maps', SERVER_CLI, ...args], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: timeoutMs,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}
