// Starts the real Kindred platform as production runs it (`node server/dist/main.js`, the compiled server that
// `npm run build` makes; global-setup.ts brings it up to date) on a free port for black-box tests, and stops
// it again. Node is spawned directly, not through npm or npx, so the pid we signal is
// the server's own and SIGTERM exercises its graceful shutdown. Every wait is bounded in time.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

const readyTimeoutMs = 60_000;
const readyPollMs = 250;
const stopGraceMs = 15_000;
const killWaitMs = 5_000;
/** Keep only the tail of the server's output: enough to explain a failure, never unbounded. */
const maxLogChars = 200_000;

export interface PlatformOptions {
  /** Extra environment for the server; wins over the defaults below. */
  env?: Record<string, string>;
  /** Reuse a data folder (e.g. to test a restart); it is then left in place on stop. */
  dataDir?: string;
  /** Listen on this port (e.g. to restart an instance behind a proxy); a free one when not given. */
  port?: number;
}

export interface Platform {
  url: string;
  port: number;
  dataDir: string;
  pid: number;
  stop(): Promise<void>;
  /**
   * Ends the server with SIGKILL, as a crash or the OOM killer would (no graceful shutdown), and waits for it
   * to exit. The signal is sent before the first await, so a caller can kill at an exact moment. The data
   * folder stays (a later stop() still removes one this module created).
   */
  kill(): Promise<void>;
  /** How the process ended (`code 1`, `SIGKILL`), or undefined while it runs. */
  exitStatus(): string | undefined;
  logs(): string;
}

/** Node's flags for the server, as `npm start` and server/Dockerfile give them (docs/OPERATING.md, "Configuration"). */
export const SERVER_NODE_FLAGS = ['--enable-source-maps', '--max-semi-space-size=64'];
/** The compiled server and command line (server/scripts/build.mjs), relative to the repository. */
export const SERVER_MAIN = 'server/dist/main.js';
export const SERVER_CLI = 'server/dist/cli.js';

const running = new Set<Platform>();

export async function startPlatform(options: PlatformOptions = {}): Promise<Platform> {
  const port = options.port ?? (await findFreePort());
  const url = `http://127.0.0.1:${port}`;
  const ownsDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'kindred-test-')));

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    PUBLIC_ORIGIN: url,
    LOG_LEVEL: 'warn',
    ...options.env,
  };
  // The embedded database is the default; a DATABASE_URL leaking in from the shell would silently change that.
  if (options.env?.DATABASE_URL === undefined) delete env.DATABASE_URL;

  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, SERVER_MAIN], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const capture = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-maxLogChars);
  };
  child.stdout?.on('data', capture);
  child.stderr?.on('data', capture);
  // Why the process ended early, if it did: checked on every poll so a crash fails fast with its output.
  let earlyEnd: string | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      earlyEnd = `the server process exited (${signal ?? `code ${code}`}) before it was ready`;
      resolve();
    });
    // A spawn that fails (no pid) emits 'error' and never 'exit'.
    child.once('error', (error) => {
      earlyEnd = `the server process could not be started (${error.message})`;
      if (child.pid === undefined) resolve();
    });
  });

  let stopping: Promise<void> | undefined;
  const platform: Platform = {
    url,
    port,
    dataDir,
    pid: child.pid ?? -1,
    logs: () => output,
    exitStatus: () => {
      if (child.signalCode !== null) return child.signalCode;
      return child.exitCode === null ? undefined : `code ${child.exitCode}`;
    },
    stop: () => {
      stopping ??= (async () => {
        running.delete(platform);
        await terminate(child, exited);
        if (ownsDataDir) await rm(dataDir, { recursive: true, force: true, maxRetries: 3 });
      })();
      return stopping;
    },
    kill: async () => {
      running.delete(platform);
      if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      if (!(await settlesWithin(exited, killWaitMs))) {
        throw new Error(`Kindred (pid ${child.pid}) did not exit after SIGKILL`);
      }
    },
  };
  running.add(platform);

  try {
    await waitUntilReady(url, () => earlyEnd);
  } catch (error) {
    await platform.stop();
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`Kindred did not become ready at ${url}: ${reason}\n--- server output ---\n${output}`, {
      cause: error,
    });
  }
  return platform;
}

/** Safety net for afterAll and process exit: stops every platform this process started and has not stopped. */
export async function stopAll(): Promise<void> {
  await Promise.allSettled([...running].map((platform) => platform.stop()));
}

/** A TCP port on 127.0.0.1 that nothing listens on right now (e.g. for a private PostgreSQL). */
export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('could not read the port of a probe socket'));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}

async function waitUntilReady(url: string, earlyEnd: () => string | undefined): Promise<void> {
  const deadline = Date.now() + readyTimeoutMs;
  let lastAnswer = 'no answer yet';
  while (Date.now() < deadline) {
    const ended = earlyEnd();
    if (ended) throw new Error(ended);
    try {
      const response = await fetch(`${url}/api/ready`, { signal: AbortSignal.timeout(2_000) });
      await response.body?.cancel();
      if (response.status === 200) return;
      lastAnswer = `GET /api/ready answered ${response.status}`;
    } catch (error) {
      lastAnswer = error instanceof Error ? error.message : String(error);
    }
    await delay(readyPollMs);
  }
  throw new Error(`no 200 from GET /api/ready within ${readyTimeoutMs / 1000} s (last: ${lastAnswer})`);
}

async function terminate(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  if (await settlesWithin(exited, stopGraceMs)) return;
  child.kill('SIGKILL');
  if (!(await settlesWithin(exited, killWaitMs))) {
    throw new Error(`Kindred (pid ${child.pid}) did not exit after SIGTERM and SIGKILL`);
  }
}

async function settlesWithin(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// If a test run dies without its afterAll, do not leave servers behind.
process.once('exit', () => {
  for (const platform of running) {
    if (platform.pid <= 0) continue;
    try {
      process.kill(platform.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

/**
 * Runs the operator's admin CLI (`node server/dist/cli.js admin …`) on an embedded data folder or,
 * when `env` holds a DATABASE_URL, on PostgreSQL, as an operator would; answers what it printed, or throws
 * with its output when it fails. On a data folder, the platform on it must not be running yet.
 */
export async function runAdminCommand(
  args: string[],
  target: { dataDir?: string; env?: Record<string, string> },
): Promise<string> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...(target.dataDir ? { DATA_DIR: target.dataDir } : {}),
    ...target.env,
  };
  if (target.env?.DATABASE_URL === undefined) delete env.DATABASE_URL;
  const child = spawn(process.execPath, ['--enable-source-maps', SERVER_CLI, 'admin', ...args], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: readyTimeoutMs,
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  if (code !== 0) throw new Error(`admin ${args.join(' ')} exited with ${code}:\n${output}`);
  return output;
}

/** A new admin account, made as an operator makes one (`admin create`), before the platform starts. */
export async function createAdmin(
  target: { dataDir?: string; env?: Record<string, string> },
  account: { username: string; password: string },
): Promise<void> {
  await runAdminCommand(['create', account.username], {
    ...target,
    env: { ...target.env, KINDRED_ADMIN_PASSWORD: account.password },
  });
}
