// `npm run bench:chat`: Kindred's realtime chat on PostgreSQL against a bare `ws` broadcast server and a
// batched one (baseline-server.ts), and on its embedded database beside PostgreSQL, side by side on this
// machine, driven by the same load generator (a separate process). See README.md here for what is measured
// and how; this file writes the results section of that README after a full run.
//
//   npm run bench:chat                  full run: 3 repetitions (~30 minutes)
//   npm run bench:chat -- --quick       one short repetition, README left alone
//   options: --reps=N  --only=closed,open1000,open500big,two,three,flood,memory,embedded  --write-readme  --no-readme
//            --profile: a V8 CPU profile of every Kindred process over each measured window, written to
//            tests/bench/profiles/ (summarize with tests/bench/profile-summary.ts)
//
// It creates a fresh database on TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres),
// drops it at the end, and stops every process it started, also on failure, Ctrl-C or its own time limit.
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPostgresDatabase } from '@kindred/db/testing';
import pg from 'pg';
import * as prettier from 'prettier';
import { runAdminCommand, SERVER_NODE_FLAGS, startPlatform, type Platform } from '../support/platform.ts';
import { CpuMeter, peakResidentKiB, residentKiB, type CpuReport, type PidGroups } from './procstat.ts';
import type {
  ChildMessage,
  FloodChildMessage,
  FloodConfig,
  FloodParentMessage,
  FloodResult,
  LoadConfig,
  LoadMember,
  LoadResult,
  LoadRoom,
  LoadTarget,
  ParentMessage,
} from './protocol.ts';
import { mapLimit, sleep, spread, within, type Spread } from './util.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const loadScript = join(here, 'load.ts');
const floodScript = join(here, 'flood.ts');
const baselineScript = join(here, 'baseline-server.ts');
const readmePath = join(here, 'README.md');
const profileDir = join(here, 'profiles');
const agentScript = join(here, 'agent.mjs');
/** Where the servers' agent (agent.mjs) writes what it is asked for. */
const agentDir = mkdtempSync(join(tmpdir(), 'kindred-bench-agent-'));

// ---- settings --------------------------------------------------------------------------------------------

const ROOMS = 10;
/** Members per room in the main scenarios, and in the 2,000-member one. */
const MEMBERS = 50;
const BIG_MEMBERS = 200;
const SENDERS_PER_ROOM = 5;
const BODY_CHARS = 120;
const ADMIN = 'bench_admin';
/** The flood scenario's member, room, and the history each of its replays sends (Kindred's MAX_REPLAY). */
const FLOODER = 'bench_flood';
const FLOOD_ROOM = 'bench-flood';
const FLOOD_HISTORY = 1000;
/** The flooder's sockets: the most Kindred lets one member keep open on an instance. */
const FLOOD_SOCKETS = 20;
/** The flood scenario's target: the others' p99 with the flood at most this many times their p99 without. */
const FLOOD_P99_RATIO = 1.5;
/** The latency targets: Kindred's p99 at most the batched baseline's plus this many milliseconds. */
const P99_MARGIN_MS = 10;
/** Throughput targets: Kindred's deliveries/s at least this share of its reference's, by scenario. */
const THROUGHPUT_TARGETS: Record<string, { need: number; against: Server }> = {
  closed: { need: 0.85, against: 'batched' },
  two: { need: 0.85, against: 'baseline' },
  three: { need: 0.8, against: 'baseline' },
};
const PASSWORD = 'quiet-harbour-lantern-47';

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(`--${name}`);
const option = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const quick = flag('quick');

const settings = {
  quick,
  reps: Number(option('reps') ?? (quick ? 1 : 3)),
  warmupMs: quick ? 1_000 : 2_000,
  durationMs: quick ? 3_000 : 8_000,
  drainMs: 10_000,
  memorySockets: quick ? 2_000 : 10_000,
  only: option('only')?.split(','),
  profile: flag('profile'),
  writeReadme: flag('write-readme') || (!quick && !flag('no-readme') && !option('only') && !option('reps')),
  /** The whole run, set-up to clean-up, is stopped past this. */
  limitMs: quick ? 12 * 60_000 : 40 * 60_000,
};

/** `flooded`: Kindred while one more member floods it with replays (the flood scenario's subject). */
/** `batched`: the batched baseline (baseline-server.ts with BATCHED=1: Kindred's fan-out, no storage). */
/** `embedded`: Kindred on its embedded database (PGlite), in the `embedded` scenario beside Kindred on PostgreSQL. */
type Server = 'kindred' | 'baseline' | 'batched' | 'flooded' | 'embedded';

interface Scenario {
  key: string;
  title: string;
  mode: 'closed' | 'open';
  rate?: number;
  membersPerRoom: number;
  instances: 1 | 2 | 3;
  target: string;
  /** Also run against the batched baseline (frames built once per batch, one write per socket per batch). */
  batched?: true;
  /** Compared with Kindred itself under a flood of replays, instead of with the bare broadcast. */
  flood?: true;
  /** Kindred on the embedded database against Kindred on PostgreSQL (run apart from the others). */
  embedded?: true;
}

const scenarios: Scenario[] = [
  {
    key: 'closed',
    title: `closed loop, ${ROOMS}×${MEMBERS} members`,
    mode: 'closed',
    membersPerRoom: MEMBERS,
    instances: 1,
    target: 'deliveries/s ≥ 0.85 × batched baseline',
    batched: true,
  },
  {
    key: 'open1000',
    title: `open loop 1,000 msg/s, ${ROOMS}×${MEMBERS}`,
    mode: 'open',
    rate: 1000,
    membersPerRoom: MEMBERS,
    instances: 1,
    target: 'p99 ≤ batched baseline p99 + 10 ms',
    batched: true,
  },
  {
    key: 'open500big',
    title: `open loop 500 msg/s, ${ROOMS}×${BIG_MEMBERS}`,
    mode: 'open',
    rate: 500,
    membersPerRoom: BIG_MEMBERS,
    instances: 1,
    target: 'p99 ≤ batched baseline p99 + 10 ms',
    batched: true,
  },
  {
    key: 'two',
    title: `closed loop, 2 instances, ${ROOMS}×${MEMBERS}`,
    mode: 'closed',
    membersPerRoom: MEMBERS,
    instances: 2,
    target: 'deliveries/s ≥ 0.85 × baseline',
  },
  {
    key: 'three',
    title: `closed loop, 3 instances, ${ROOMS}×${MEMBERS}`,
    mode: 'closed',
    membersPerRoom: MEMBERS,
    instances: 3,
    target: 'deliveries/s ≥ 0.80 × baseline',
  },
  {
    key: 'flood',
    title: `open loop 500 msg/s, ${ROOMS}×${MEMBERS}, one member replaying`,
    mode: 'open',
    rate: 500,
    membersPerRoom: MEMBERS,
    instances: 1,
    target: `others' p99 ≤ ${FLOOD_P99_RATIO} × without the flood, 0 lost`,
    flood: true,
  },
  {
    key: 'embedded',
    title: `closed loop, ${ROOMS}×${MEMBERS}, embedded database`,
    mode: 'closed',
    membersPerRoom: MEMBERS,
    instances: 1,
    target: 'memory at rest ≤ 300 MiB, start ≤ 512 MiB; throughput beside PostgreSQL',
    embedded: true,
  },
];
const selected = (key: string) => !settings.only || settings.only.includes(key);

// ---- processes we start, and their clean-up --------------------------------------------------------------

const cleanups: { what: string; run: () => Promise<void> }[] = [
  { what: 'removing the agent folder', run: async () => rmSync(agentDir, { recursive: true, force: true }) },
];
const children = new Set<ChildProcess>();
let cleaningUp: Promise<void> | undefined;

function cleanUp(): Promise<void> {
  cleaningUp ??= (async () => {
    for (const child of children) child.kill('SIGKILL');
    for (const { what, run } of cleanups.reverse()) {
      try {
        await within(run(), 30_000, what);
      } catch (error) {
        console.error(`clean-up: ${what} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  })();
  return cleaningUp;
}

function onSignal(signal: NodeJS.Signals) {
  console.error(`\n${signal}: stopping everything this benchmark started…`);
  void cleanUp().finally(() => process.exit(130));
}
process.once('SIGINT', onSignal);
process.once('SIGTERM', onSignal);
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

// ---- HTTP set-up: accounts, rooms, memberships -----------------------------------------------------------

interface Account {
  username: string;
  cookie: string;
}

async function api(
  platform: Platform,
  path: string,
  body: unknown,
  cookie?: string,
): Promise<{ status: number; json: unknown; cookie?: string }> {
  const response = await fetch(`${platform.url}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      origin: platform.url,
      ...(cookie ? { cookie } : {}),
    },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  const session = response.headers
    .getSetCookie()
    .map((c) => c.split(';')[0]!)
    .find((c) => c.startsWith('kindred_session=') && c.length > 'kindred_session='.length);
  return { status: response.status, json: text ? JSON.parse(text) : null, ...(session ? { cookie: session } : {}) };
}

async function register(platform: Platform, username: string): Promise<Account> {
  for (let attempt = 1; ; attempt += 1) {
    // A display name that does not sound like staff (Kindred refuses "admin" and the like in members' names).
    const displayName =
      username === ADMIN ? 'Bench host' : `Bench ${username.replace(/^bench_/, '').replace(/_/g, ' ')}`;
    const res = await api(platform, '/api/auth/register', { username, password: PASSWORD, displayName });
    if (res.status === 201 && res.cookie) return { username, cookie: res.cookie };
    if (attempt >= 3) throw new Error(`registering ${username} answered ${res.status}: ${JSON.stringify(res.json)}`);
    await sleep(500);
  }
}

/** The bench's rooms, made by its admin over HTTP. */
async function createRooms(platform: Platform, admin: Account): Promise<void> {
  for (let r = 0; r < ROOMS; r += 1) {
    await expectStatus(
      `creating ${roomSlug(r)}`,
      api(
        platform,
        '/api/rooms',
        {
          slug: roomSlug(r),
          name: `Bench room ${r + 1}`,
          description: 'A room for the chat benchmark.',
          audience: 'everyone',
          rules: 'Be kind.',
        },
        admin.cookie,
      ),
      201,
    );
  }
}

/** `perRoom` members in each room, registered and joined over HTTP; by room. */
async function registerMembers(platform: Platform, perRoom: number): Promise<Account[][]> {
  const registerStart = Date.now();
  const flat = await mapLimit(
    Array.from({ length: ROOMS * perRoom }, (_, i) => i),
    6,
    async (i) => {
      const account = await register(platform, `bench_${i}`);
      await expectStatus(
        `joining ${roomSlug(i % ROOMS)}`,
        api(platform, `/api/rooms/${roomSlug(i % ROOMS)}/join`, { acceptRules: true }, account.cookie),
        200,
      );
      return account;
    },
  );
  log(`${flat.length} members registered and joined in ${((Date.now() - registerStart) / 1000).toFixed(1)} s`);
  return Array.from({ length: ROOMS }, (_, r) => flat.filter((_, i) => i % ROOMS === r));
}

async function expectStatus(what: string, promise: ReturnType<typeof api>, status: number): Promise<void> {
  const res = await promise;
  if (res.status !== status) throw new Error(`${what} answered ${res.status}: ${JSON.stringify(res.json)}`);
}

const roomSlug = (r: number) => `bench-room-${r}`;

// ---- the load generator ----------------------------------------------------------------------------------

interface Running {
  kindred: Platform[];
  /** The bare baseline's and the batched baseline's processes (one CPU group: only one is ever loaded). */
  baselinePids: number[];
  /** The flood process, while one runs. */
  floodPid?: number | undefined;
  pgClient: pg.Client;
  database: string;
}

async function pidGroups(running: Running, loadPid: number | undefined): Promise<PidGroups> {
  // PostgreSQL's work for us: the backends of the bench database, and its own background processes.
  const { rows } = await running.pgClient.query<{ pid: number }>(
    'SELECT pid FROM pg_stat_activity WHERE datname = $1 OR datname IS NULL',
    [running.database],
  );
  return {
    kindred: running.kindred.map((p) => p.pid),
    baseline: running.baselinePids,
    load: loadPid ? [loadPid] : [],
    flood: running.floodPid ? [running.floodPid] : [],
    postgres: rows.map((row) => row.pid),
    driver: [process.pid],
  };
}

/**
 * How Kindred's writer grouped this run's messages: every message of one batch is stored with the same
 * created_at (the batch's clock reading), so distinct values count the batches.
 */
async function writerBatches(running: Running, runTag: string): Promise<{ messages: number; batches: number }> {
  const { rows } = await running.pgClient.query<{ messages: string; batches: string }>(
    `SELECT count(*)::text AS messages, count(DISTINCT created_at)::text AS batches
       FROM messages WHERE body LIKE $1`,
    [`${runTag} %`],
  );
  return { messages: Number(rows[0]?.messages ?? 0), batches: Number(rows[0]?.batches ?? 0) };
}

/**
 * What the bench database's backends are doing, sampled every 100 ms over a window: on average how many
 * are running, waiting on a lock, on WAL, or inside a transaction waiting for Kindred's next statement.
 */
class WaitSampler {
  readonly #counts = new Map<string, number>();
  #samples = 0;
  #busy = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(private readonly running: Running) {}

  start(): void {
    this.#timer = setInterval(() => void this.#sample(), 100);
  }

  stop(): Record<string, number> {
    clearInterval(this.#timer);
    const averages: Record<string, number> = {};
    for (const [key, n] of [...this.#counts].sort((a, b) => b[1] - a[1])) {
      averages[key] = Math.round((n / Math.max(1, this.#samples)) * 100) / 100;
    }
    return averages;
  }

  async #sample(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      const { rows } = await this.running.pgClient.query<{ state: string; type: string | null; event: string | null }>(
        `SELECT state, wait_event_type AS type, wait_event AS event FROM pg_stat_activity
          WHERE datname = $1 AND pid <> pg_backend_pid() AND backend_type = 'client backend' AND state <> 'idle'`,
        [this.running.database],
      );
      this.#samples += 1;
      for (const row of rows) {
        const key =
          row.state === 'idle in transaction'
            ? 'in transaction, waiting for Kindred'
            : row.type
              ? `${row.type}:${row.event}`
              : 'running';
        this.#counts.set(key, (this.#counts.get(key) ?? 0) + 1);
      }
    } catch {
      // a missed sample
    } finally {
      this.#busy = false;
    }
  }
}

interface LoadSession {
  child: ChildProcess;
  next(type: ChildMessage['type'], timeoutMs: number): Promise<ChildMessage>;
  post(message: ParentMessage): void;
  /** CPU over the measured window, once the generator announced its end. */
  cpu: Promise<CpuReport | undefined>;
  /** Database backends' states over the window (see WaitSampler). */
  waits: Promise<Record<string, number>>;
  done: Promise<void>;
}

/** Profiles written so far by each Kindred process, to name the next one. */
const profilesWritten = new Map<number, number>();

/** With --profile: toggles the CPU profiler of these Kindred processes; at the end, names the files. */
function toggleProfiles(pids: number[], label?: string): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGUSR2');
    } catch {
      continue;
    }
    if (label === undefined) continue;
    const n = (profilesWritten.get(pid) ?? 0) + 1;
    profilesWritten.set(pid, n);
    const from = join(agentDir, `profile-${pid}-${n}.cpuprofile`);
    const to = join(profileDir, `${label.replaceAll('/', '-')}-${pid}.cpuprofile`);
    // The file appears once the process has handled the signal.
    void (async () => {
      for (let i = 0; i < 100 && !existsSync(from); i += 1) await sleep(100);
      if (existsSync(from)) {
        await copyFile(from, to);
        await rm(from, { force: true });
      }
    })();
  }
}

function startLoad(running: Running, profile?: { pids: number[]; label: string }, onSending?: () => void): LoadSession {
  const child = fork(loadScript, [], {
    cwd: repoRoot,
    // Kindred's own V8 flags: the generator's pauses for garbage would show as the servers' latency.
    execArgv: [...SERVER_NODE_FLAGS, '--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.add(child);
  const inbox: ChildMessage[] = [];
  const waiters: (() => void)[] = [];
  let ended: string | undefined;
  const done = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      children.delete(child);
      ended = `the load generator exited (${signal ?? `code ${code}`})`;
      for (const wake of waiters.splice(0)) wake();
      resolve();
    }),
  );
  const meter = new CpuMeter();
  let windowStart: Promise<void> = Promise.resolve();
  let resolveCpu: (report: CpuReport | undefined) => void = () => {};
  const cpu = new Promise<CpuReport | undefined>((resolve) => (resolveCpu = resolve));
  void done.then(() => resolveCpu(undefined));
  const sampler = new WaitSampler(running);
  let resolveWaits: (waits: Record<string, number>) => void = () => {};
  const waits = new Promise<Record<string, number>>((resolve) => (resolveWaits = resolve));
  void done.then(() => resolveWaits(sampler.stop()));
  child.on('message', (message: ChildMessage) => {
    if (message.type === 'window') {
      // Sampled in the order announced: the start's queries finish before the end is read.
      if (message.phase === 'start') {
        if (profile) toggleProfiles(profile.pids);
        windowStart = pidGroups(running, child.pid).then((groups) => meter.start(groups));
        sampler.start();
      } else {
        if (profile) toggleProfiles(profile.pids, profile.label);
        resolveWaits(sampler.stop());
        void windowStart
          .then(() => pidGroups(running, child.pid))
          .then(
            (groups) => resolveCpu(meter.stop(groups)),
            () => resolveCpu(undefined),
          );
      }
      return;
    }
    if (message.type === 'sending') {
      onSending?.();
      return;
    }
    inbox.push(message);
    for (const wake of waiters.splice(0)) wake();
  });

  const next = async (type: ChildMessage['type'], timeoutMs: number): Promise<ChildMessage> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = inbox.findIndex((m) => m.type === type || m.type === 'failed');
      if (i >= 0) {
        const [message] = inbox.splice(i, 1);
        if (message!.type === 'failed') throw new Error(`load generator: ${message!.message}`);
        return message!;
      }
      if (ended) throw new Error(`${ended} before sending "${type}"`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no "${type}" from the load generator within ${Math.round(timeoutMs / 1000)} s`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  };
  return { child, next, post: (message) => child.send(message), cpu, waits, done };
}

async function stopLoad(session: LoadSession): Promise<void> {
  if (session.child.exitCode === null && session.child.signalCode === null) {
    const exited = await Promise.race([session.done.then(() => true), sleep(5_000).then(() => false)]);
    if (!exited) session.child.kill('SIGKILL');
  }
  await Promise.race([session.done, sleep(5_000)]);
}

interface RunRecord {
  scenario: string;
  server: Server;
  rep: number;
  result: LoadResult;
  cpu: CpuReport | undefined;
  /** Kindred: the writer's batches over the run (warm-up and window), and messages per batch. */
  batches?: { perSecond: number; meanSize: number };
  /** Kindred: average number of database backends in each state over the window. */
  waits?: Record<string, number>;
  /** `flooded`: what the flood did. */
  flood?: FloodResult;
  /** The machine's 1-minute load average as the run started and as it ended (2 cores). */
  loadAverage: [number, number];
}

async function runLoad(
  running: Running,
  config: LoadConfig,
  profilePids: number[],
  flood?: FloodSession,
): Promise<{ result: LoadResult; cpu?: CpuReport; waits: Record<string, number> }> {
  const session = startLoad(
    running,
    profilePids.length ? { pids: profilePids, label: config.label } : undefined,
    // The flood starts with the load's warm-up, once every member is connected and subscribed.
    flood ? () => flood.post({ type: 'go' }) : undefined,
  );
  try {
    await session.next('ready', 60_000);
    session.post({ type: 'config', config });
    const sockets = config.rooms.reduce((n, room) => n + room.members.length, 0);
    const budget = 60_000 + sockets * 20 + config.warmupMs + config.durationMs + config.drainMs + 15_000;
    const message = await session.next('result', budget);
    if (message.type !== 'result') throw new Error('unexpected message');
    const cpu = await Promise.race([session.cpu, sleep(5_000).then(() => undefined)]);
    const waits = await Promise.race([session.waits, sleep(5_000).then(() => ({}))]);
    return { result: message.result, waits, ...(cpu ? { cpu } : {}) };
  } finally {
    await stopLoad(session);
  }
}

interface FloodSession {
  pid: number;
  post(message: FloodParentMessage): void;
  next(type: FloodChildMessage['type'], timeoutMs: number): Promise<FloodChildMessage>;
  done: Promise<void>;
}

/** Forks the flooder and waits until it is connected with its room filled (`armed`). */
async function startFlood(config: FloodConfig): Promise<FloodSession> {
  const child = fork(floodScript, [], {
    cwd: repoRoot,
    execArgv: [...SERVER_NODE_FLAGS, '--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.add(child);
  const inbox: FloodChildMessage[] = [];
  let wake: (() => void) | undefined;
  let ended = false;
  const done = new Promise<void>((resolve) =>
    child.once('exit', () => {
      children.delete(child);
      ended = true;
      wake?.();
      resolve();
    }),
  );
  child.on('message', (message: FloodChildMessage) => {
    inbox.push(message);
    wake?.();
  });
  const next = async (type: FloodChildMessage['type'], timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = inbox.findIndex((m) => m.type === type || m.type === 'failed');
      if (i >= 0) {
        const [message] = inbox.splice(i, 1);
        if (message!.type === 'failed') throw new Error(`flood: ${message!.message}`);
        return message!;
      }
      if (ended) throw new Error(`the flood process exited before sending "${type}"`);
      if (Date.now() > deadline) throw new Error(`no "${type}" from the flood within ${timeoutMs / 1000} s`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  };
  const session: FloodSession = { pid: child.pid!, post: (message) => child.send(message), next, done };
  try {
    await next('ready', 60_000);
    session.post({ type: 'config', config });
    await next('armed', 180_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return session;
}

async function stopFlood(session: FloodSession): Promise<FloodResult | undefined> {
  try {
    session.post({ type: 'stop' });
    const message = await session.next('result', 30_000);
    return message.type === 'result' ? message.result : undefined;
  } finally {
    if (!(await Promise.race([session.done.then(() => true), sleep(5_000).then(() => false)]))) {
      process.kill(session.pid, 'SIGKILL');
    }
  }
}

function loadConfig(
  label: string,
  scenario: Scenario,
  targets: LoadTarget[],
  accounts: Account[][] | undefined,
): LoadConfig {
  const rooms: LoadRoom[] = [];
  for (let r = 0; r < ROOMS; r += 1) {
    const members: LoadMember[] = [];
    for (let m = 0; m < scenario.membersPerRoom; m += 1) {
      const cookie = accounts?.[r]?.[m]?.cookie;
      members.push({ target: m % targets.length, sender: m < SENDERS_PER_ROOM, ...(cookie ? { cookie } : {}) });
    }
    rooms.push({ slug: roomSlug(r), members });
  }
  return {
    label,
    mode: scenario.mode,
    ...(scenario.rate ? { ratePerSecond: scenario.rate } : {}),
    warmupMs: settings.warmupMs,
    durationMs: settings.durationMs,
    drainMs: settings.drainMs,
    targets,
    rooms,
    connectConcurrency: 50,
    connectTimeoutMs: 30_000,
    bodyChars: BODY_CHARS,
  };
}

// ---- memory per idle connection --------------------------------------------------------------------------

interface MemoryPoint {
  /** Resident set, KiB. */
  rss: number;
  /** V8 heap in use after a full collection, KiB. */
  heapUsed: number;
  /** V8 heap reserved (in use or free), KiB. */
  heapTotal: number;
}

interface MemoryRecord {
  server: Server;
  rep: number;
  sockets: number;
  before: MemoryPoint;
  connected: MemoryPoint;
  subscribed: MemoryPoint;
  othersCores: number | undefined;
}

/**
 * Per connection: `rss`, the resident set as the kernel counts it (the target's measure), and `heap`, V8's
 * heap in use after a full collection, which does not depend on how much free heap the process happened
 * to hold (a fresh Kindred holds ~40 MiB of free V8 heap after start-up, which new connections fill before
 * the resident set grows, so its rss difference reads low).
 */
type MemoryMeasure = 'rss' | 'heap';
const measure = (point: MemoryPoint, what: MemoryMeasure) => (what === 'rss' ? point.rss : point.heapUsed);
const perSocket = (record: MemoryRecord, at: 'connected' | 'subscribed', what: MemoryMeasure) =>
  (measure(record[at], what) - measure(record.before, what)) / record.sockets;

/**
 * The memory of a server at rest: its agent runs a full garbage collection and reports the heap, then the
 * resident set is the median of a few readings a moment apart. Garbage is not per-connection memory.
 */
async function memoryAtRest(pid: number): Promise<MemoryPoint> {
  let heap = { heapUsed: Number.NaN, heapTotal: Number.NaN };
  // Twice, a second apart: V8 gives freed pages back to the system in the background, after a collection.
  for (let round = 0; round < 2; round += 1) {
    await sleep(1_000);
    heap = await collectGarbage(pid);
  }
  await sleep(1_500);
  const readings: number[] = [];
  for (let i = 0; i < 5; i += 1) {
    readings.push(residentKiB(pid) ?? Number.NaN);
    await sleep(200);
  }
  return { rss: spread(readings).median, ...heap };
}

/** Asks the process's agent for a full collection; answers its heap afterwards, in KiB. */
async function collectGarbage(pid: number): Promise<{ heapUsed: number; heapTotal: number }> {
  const file = join(agentDir, `memory-${pid}.json`);
  const seqBefore = existsSync(file) ? (JSON.parse(await readFile(file, 'utf8')) as { seq: number }).seq : 0;
  process.kill(pid, 'SIGWINCH');
  for (let i = 0; i < 200; i += 1) {
    await sleep(50);
    if (!existsSync(file)) continue;
    const report = JSON.parse(await readFile(file, 'utf8')) as { seq: number; heapUsed: number; heapTotal: number };
    if (report.seq > seqBefore) return { heapUsed: report.heapUsed / 1024, heapTotal: report.heapTotal / 1024 };
  }
  throw new Error(`process ${pid} did not report its memory within 10 s (is agent.mjs loaded?)`);
}

function idleConfig(label: string, targets: LoadTarget[], accounts: Account[][] | undefined, sockets: number) {
  // Socket i belongs to account i modulo their number (several sockets per session, as with several tabs).
  const rooms: LoadRoom[] = Array.from({ length: ROOMS }, (_, r) => ({ slug: roomSlug(r), members: [] }));
  for (let i = 0; i < sockets; i += 1) {
    const r = i % ROOMS;
    const m = Math.floor(i / ROOMS) % BIG_MEMBERS;
    const cookie = accounts?.[r]?.[m]?.cookie;
    rooms[r]!.members.push({ target: 0, sender: false, ...(cookie ? { cookie } : {}) });
  }
  return {
    label,
    mode: 'idle',
    warmupMs: 0,
    durationMs: 0,
    drainMs: 0,
    targets,
    rooms,
    connectConcurrency: 50,
    connectTimeoutMs: 30_000,
    bodyChars: BODY_CHARS,
  } satisfies LoadConfig;
}

async function holdIdle(running: Running, config: LoadConfig, serverPid: number | undefined) {
  const session = startLoad(running);
  try {
    await session.next('ready', 60_000);
    const sockets = config.rooms.reduce((n, room) => n + room.members.length, 0);
    const atRest = () => (serverPid ? memoryAtRest(serverPid) : Promise.resolve({ rss: 0, heapUsed: 0, heapTotal: 0 }));
    const before = await atRest();
    const meter = new CpuMeter();
    meter.start(await pidGroups(running, session.child.pid));
    session.post({ type: 'config', config });
    const connected = await session.next('connected', 60_000 + sockets * 20);
    if (connected.type === 'connected' && connected.failures > 0) {
      throw new Error(`${connected.failures} of ${sockets} idle sockets could not connect`);
    }
    const connectedAt = await atRest();
    session.post({ type: 'subscribe' });
    const subscribed = await session.next('subscribed', 60_000 + sockets * 20);
    if (subscribed.type === 'subscribed' && subscribed.failures > 0) {
      throw new Error(`${subscribed.failures} of ${sockets} idle sockets could not subscribe`);
    }
    const subscribedAt = await atRest();
    const cpu = meter.stop(await pidGroups(running, session.child.pid));
    session.post({ type: 'finish' });
    await session.next('closed', 60_000);
    return { sockets, before, connected: connectedAt, subscribed: subscribedAt, othersCores: cpu.others };
  } finally {
    await stopLoad(session);
  }
}

// ---- report ----------------------------------------------------------------------------------------------

const int = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '–');
const fixed = (digits: number) => (n: number) => (Number.isFinite(n) ? n.toFixed(digits) : '–');
const ms2 = fixed(2);
const ratio2 = fixed(2);
const cores2 = fixed(2);
const kib1 = fixed(1);

function show(values: number[], format: (n: number) => string): string {
  const s: Spread = spread(values);
  if (values.length <= 1) return format(s.median);
  return `${format(s.median)} (${format(s.min)}–${format(s.max)})`;
}

const megabytes = (bytes: number) => bytes / 1e6;

function describeFlood(flood: FloodResult): string {
  return (
    `${int(flood.subscribes)} subscribes (${int(flood.accepted)} accepted, ${int(flood.refused)} refused), ` +
    `${int(flood.events)} events, ${fixed(1)(megabytes(flood.bytesReceived))} MB received ` +
    `(${fixed(1)(megabytes(flood.bytesReceived) / Math.max(0.001, flood.floodMs / 1000))} MB/s), ` +
    `${fixed(1)(flood.bytesSent / 1000)} KB sent` +
    (Object.keys(flood.errors).length ? `, errors ${JSON.stringify(flood.errors)}` : '') +
    (Object.keys(flood.closes).length ? `, closes ${JSON.stringify(flood.closes)}` : '')
  );
}

function describeWaits(waits: Record<string, number> | undefined): string {
  const entries = Object.entries(waits ?? {}).filter(([, n]) => n >= 0.05);
  return entries.length ? entries.map(([key, n]) => `${key} ${n.toFixed(2)}`).join(', ') : 'idle';
}

function integrity(result: LoadResult): number {
  return result.seqNotIncreasing + result.seqGaps;
}

interface Report {
  text: string;
  markdown: string;
  verdicts: { target: string; met: boolean | undefined; measured: string }[];
}

/** A server's memory, KiB: resident now (VmRSS) and its peak so far (VmHWM). */
interface MemoryNow {
  rss: number;
  peak: number;
}

function memoryNow(pid: number): MemoryNow {
  return { rss: residentKiB(pid) ?? Number.NaN, peak: peakResidentKiB(pid) ?? Number.NaN };
}

/** The `embedded` scenario's memory, KiB, for Kindred on the embedded database and on PostgreSQL. */
interface EmbeddedRecord {
  server: 'embedded' | 'kindred';
  /** When it first answered: a new data folder for the embedded database. */
  start: MemoryNow;
  /** Embedded: when it answered again, started on the same folder. */
  restart?: MemoryNow;
  /** The most resident through the closed-loop runs (sampled every 200 ms). */
  underLoadPeak: number;
  /** At rest after them (a full collection, then the median of 5 readings). */
  atRest: number;
}

/** The embedded database's targets (issue 20): at rest and under load, and its peak while starting, MiB. */
const EMBEDDED_REST_MIB = 300;
const EMBEDDED_START_PEAK_MIB = 512;

function buildReport(runs: RunRecord[], memory: MemoryRecord[], embedded: EmbeddedRecord[]): Report {
  const header = [
    'scenario',
    'server',
    'deliveries/s',
    'acked sends/s',
    'p50 ms',
    'p99 ms',
    'lost',
    'unanswered',
    'seq errors',
    'others CPU (cores)',
  ];
  const rows: string[][] = [];
  const verdicts: Report['verdicts'] = [];
  const runsOf = (key: string, server: Server) =>
    runs.filter((r) => r.scenario === key && r.server === server).sort((a, b) => a.rep - b.rep);

  for (const scenario of scenarios) {
    // Kindred against the bare broadcast; in the flood scenario, Kindred flooded against Kindred calm.
    // With the embedded database: Kindred on it against Kindred on PostgreSQL.
    const [subject, reference, ratioName] = scenario.flood
      ? (['flooded', 'kindred', 'flooded/no flood'] as const)
      : scenario.embedded
        ? (['embedded', 'kindred', 'embedded/PostgreSQL'] as const)
        : (['kindred', 'baseline', 'Kindred/baseline'] as const);
    const serverName: Record<Server, string> = {
      kindred: scenario.flood ? 'Kindred, no flood' : scenario.embedded ? 'Kindred, PostgreSQL' : 'Kindred',
      embedded: 'Kindred, embedded',
      baseline: 'baseline',
      batched: 'batched baseline',
      flooded: 'Kindred, flooded',
    };
    const kindred = runsOf(scenario.key, subject);
    if (kindred.length === 0) continue;
    const line = (server: Server, list: RunRecord[]) => [
      server === subject ? scenario.title : '',
      serverName[server],
      show(
        list.map((r) => r.result.deliveriesPerSecond),
        int,
      ),
      show(
        list.map((r) => r.result.ackedPerSecond),
        int,
      ),
      show(
        list.map((r) => r.result.latency.p50),
        ms2,
      ),
      show(
        list.map((r) => r.result.latency.p99),
        ms2,
      ),
      int(list.reduce((n, r) => n + r.result.lost, 0)),
      int(list.reduce((n, r) => n + r.result.unanswered, 0)),
      int(list.reduce((n, r) => n + integrity(r.result), 0)),
      show(
        list.map((r) => r.cpu?.others ?? Number.NaN),
        cores2,
      ),
    ];
    rows.push(line(subject, kindred));
    // Ratios rep by rep, of runs made side by side.
    const pairsWith = (against: Server) =>
      kindred.flatMap((k) => {
        const b = runsOf(scenario.key, against).find((x) => x.rep === k.rep);
        return b ? [[k.result, b.result] as const] : [];
      });
    const ratioWith = (against: Server, pick: (r: LoadResult) => number) =>
      pairsWith(against).map(([k, b]) => pick(k) / pick(b));
    const references: Server[] = [reference, ...(scenario.batched ? (['batched'] as const) : [])];
    for (const against of references) {
      const list = runsOf(scenario.key, against);
      if (list.length === 0) continue;
      rows.push(line(against, list));
      const ratio = (pick: (r: LoadResult) => number) => ratioWith(against, pick);
      rows.push([
        '',
        against === 'batched' ? 'Kindred/batched' : ratioName,
        show(
          ratio((r) => r.deliveriesPerSecond),
          ratio2,
        ),
        show(
          ratio((r) => r.ackedPerSecond),
          ratio2,
        ),
        show(
          ratio((r) => r.latency.p50),
          ratio2,
        ),
        show(
          ratio((r) => r.latency.p99),
          ratio2,
        ),
        '',
        '',
        '',
        '',
      ]);
    }
    if (scenario.flood) {
      const p99 = ratioWith(reference, (r) => r.latency.p99);
      const lost = kindred.reduce((n, r) => n + r.result.lost, 0);
      verdicts.push({
        target: `${scenario.title}: others' p99 ≤ ${FLOOD_P99_RATIO} × the same load without the flood, 0 lost`,
        met: Number.isFinite(spread(p99).median) ? spread(p99).median <= FLOOD_P99_RATIO && lost === 0 : undefined,
        measured: `${show(p99, ratio2)} ×, ${int(lost)} lost`,
      });
    }
    const throughput = THROUGHPUT_TARGETS[scenario.key];
    if (throughput) {
      const ratios = ratioWith(throughput.against, (r) => r.deliveriesPerSecond);
      const median = spread(ratios).median;
      verdicts.push({
        target: `${scenario.title}: deliveries/s ≥ ${throughput.need} × ${serverName[throughput.against]}`,
        met: Number.isFinite(median) ? median >= throughput.need : undefined,
        measured: `${show(ratios, ratio2)} ×`,
      });
    }
    if (scenario.mode === 'open' && scenario.batched) {
      // Kindred's p99 less the batched baseline's, in the same repetition.
      const over = pairsWith('batched').map(([k, b]) => k.latency.p99 - b.latency.p99);
      const median = spread(over).median;
      verdicts.push({
        target: `${scenario.title}: Kindred p99 ≤ batched baseline p99 + ${P99_MARGIN_MS} ms`,
        met: Number.isFinite(median) ? median <= P99_MARGIN_MS : undefined,
        measured: `Kindred ${show(
          kindred.map((r) => r.result.latency.p99),
          ms2,
        )} ms, batched ${show(
          runsOf(scenario.key, 'batched').map((r) => r.result.latency.p99),
          ms2,
        )} ms; difference ${show(over, ms2)} ms`,
      });
    }
  }

  const memoryRows: string[][] = [];
  for (const server of ['kindred', 'baseline'] as const) {
    const list = memory.filter((m) => m.server === server);
    if (list.length === 0) continue;
    memoryRows.push([
      server === 'kindred' ? 'Kindred' : 'baseline',
      int(list[0]!.sockets),
      show(
        list.map((m) => m.before.rss / 1024),
        fixed(1),
      ),
      show(
        list.map((m) => (m.before.heapTotal - m.before.heapUsed) / 1024),
        fixed(1),
      ),
      ...(['connected', 'subscribed'] as const).flatMap((at) =>
        (['rss', 'heap'] as const).map((what) =>
          show(
            list.map((m) => perSocket(m, at, what)),
            kib1,
          ),
        ),
      ),
      show(
        list.map((m) => m.othersCores ?? Number.NaN),
        cores2,
      ),
    ]);
    if (server === 'kindred') {
      const per = list.map((m) => perSocket(m, 'connected', 'rss'));
      const perSubscribed = list.map((m) => perSocket(m, 'subscribed', 'rss'));
      const heap = list.map((m) => perSocket(m, 'connected', 'heap'));
      verdicts.push({
        target: `memory per idle authenticated connection (${int(list[0]!.sockets)} open) ≤ 12 KiB`,
        met: spread(per).median <= 12,
        measured:
          `${show(per, kib1)} KiB resident per connection (V8 heap in use: ${show(heap, kib1)} KiB); ` +
          `${show(perSubscribed, kib1)} KiB once subscribed to a room`,
      });
    }
  }
  // A run that drained is checked in full; one that did not (an overloaded server still working through its
  // backlog when the drain's time ran out) can only be checked for order.
  const name = (r: RunRecord) => `${r.scenario}/${r.server}/rep ${r.rep + 1}`;
  const broken = runs.filter(
    (r) => integrity(r.result) > 0 || (r.result.drained && r.result.lost + r.result.deliveredUnacked > 0),
  );
  const undrained = runs.filter((r) => !r.result.drained);
  if (runs.length > 0) {
    const notes = [
      ...broken.map(
        (r) =>
          `${name(r)}: lost ${r.result.lost}, seq not increasing ${r.result.seqNotIncreasing}, gaps ${r.result.seqGaps}`,
      ),
      ...undrained.map(
        (r) =>
          `${name(r)} not drained in ${settings.drainMs / 1000} s (${int(r.result.unanswered)} sends unanswered, ` +
          `${int(r.result.lost)} deliveries outstanding)`,
      ),
    ];
    verdicts.push({
      target: '0 lost and strictly increasing seq at every receiver, every run',
      met: broken.length > 0 ? false : undrained.length > 0 ? undefined : true,
      measured:
        notes.length === 0
          ? `${runs.length} runs, ${int(runs.reduce((n, r) => n + r.result.sockets, 0))} receivers: none lost, ` +
            'seq always +1'
          : `seq order held in ${runs.length - runs.filter((r) => integrity(r.result) > 0).length} of ${runs.length} ` +
            `runs; ${notes.join('; ')}`,
    });
  }

  // What each flood did: the one member's subscribes, and what Kindred sent back for them.
  const floodHeader = [
    'run',
    'flood s',
    'subscribes sent',
    'accepted',
    'refused',
    'events replayed',
    'MB received',
    'MB/s',
    'KB sent',
    'flood CPU (cores)',
    'other errors, closes',
  ];
  const floodRows = runs.flatMap((r) =>
    r.flood
      ? [
          [
            `${r.scenario}/rep ${r.rep + 1}`,
            fixed(1)(r.flood.floodMs / 1000),
            int(r.flood.subscribes),
            int(r.flood.accepted),
            int(r.flood.refused),
            int(r.flood.events),
            fixed(1)(megabytes(r.flood.bytesReceived)),
            fixed(1)(megabytes(r.flood.bytesReceived) / Math.max(0.001, r.flood.floodMs / 1000)),
            fixed(1)(r.flood.bytesSent / 1000),
            cores2(r.cpu?.groups.flood ?? Number.NaN),
            [JSON.stringify(r.flood.errors), JSON.stringify(r.flood.closes)].filter((x) => x !== '{}').join(' ') ||
              'none',
          ],
        ]
      : [],
  );
  const memoryHeader = [
    'server',
    'idle sockets',
    'RSS before (MiB)',
    'free heap before (MiB)',
    'RSS KiB/connection',
    'heap KiB/connection',
    'RSS KiB/subscribed',
    'heap KiB/subscribed',
    'others CPU (cores)',
  ];
  // The embedded database's memory beside PostgreSQL's Kindred (the PostgreSQL server's own is not counted).
  const mib = (kib: number | undefined) => (kib === undefined ? '–' : int(kib / 1024));
  const embeddedHeader = [
    'server',
    'RSS at first answer (MiB)',
    'peak while starting (MiB)',
    'RSS at restart (MiB)',
    'peak at restart (MiB)',
    'peak under the closed loop (MiB)',
    'RSS at rest after (MiB)',
  ];
  const embeddedRows = embedded.map((e) => [
    e.server === 'embedded' ? 'Kindred, embedded (new data folder)' : 'Kindred, PostgreSQL',
    mib(e.start.rss),
    mib(e.start.peak),
    mib(e.restart?.rss),
    mib(e.restart?.peak),
    mib(e.underLoadPeak),
    mib(e.atRest),
  ]);
  const local = embedded.find((e) => e.server === 'embedded');
  if (local) {
    const rest = local.atRest / 1024;
    const underLoad = local.underLoadPeak / 1024;
    const startPeak = Math.max(local.start.peak, local.restart?.peak ?? 0) / 1024;
    verdicts.push(
      {
        target: `embedded database: resident at rest and under the closed loop ≤ ${EMBEDDED_REST_MIB} MiB`,
        met: rest <= EMBEDDED_REST_MIB && underLoad <= EMBEDDED_REST_MIB,
        measured: `${int(rest)} MiB at rest, ${int(underLoad)} MiB at most under load`,
      },
      {
        target: `embedded database: no peak above ${EMBEDDED_START_PEAK_MIB} MiB while starting (the server process)`,
        met: startPeak <= EMBEDDED_START_PEAK_MIB,
        measured: `${int(startPeak)} MiB`,
      },
    );
  }
  const verdictHeader = ['target', 'measured (median, min–max)', 'met'];
  const verdictRows = verdicts.map((v) => [
    v.target,
    v.measured,
    v.met === undefined ? 'not verified' : v.met ? 'yes' : 'NO',
  ]);

  const perRunHeader = [
    'scenario',
    'server',
    'rep',
    'deliveries/s',
    'acked/s',
    'p50',
    'p99',
    'max',
    'ack p99',
    'lost',
    'unanswered',
    'seq',
    'CPU Kindred',
    'CPU baseline',
    'CPU postgres',
    'CPU load',
    'CPU others',
    'load avg',
    'batches/s',
    'msgs/batch',
    'database backends (average number, by state)',
  ];
  const perRunRows = runs.map((r) => [
    r.scenario,
    r.server,
    String(r.rep + 1),
    int(r.result.deliveriesPerSecond),
    int(r.result.ackedPerSecond),
    ms2(r.result.latency.p50),
    ms2(r.result.latency.p99),
    ms2(r.result.latency.max),
    ms2(r.result.ackLatency.p99),
    int(r.result.lost),
    int(r.result.unanswered),
    int(integrity(r.result)),
    cores2(r.cpu?.groups.kindred ?? Number.NaN),
    cores2(r.cpu?.groups.baseline ?? Number.NaN),
    cores2(r.cpu?.groups.postgres ?? Number.NaN),
    cores2(r.cpu?.groups.load ?? Number.NaN),
    cores2(r.cpu?.others ?? Number.NaN),
    `${fixed(1)(r.loadAverage[0])}→${fixed(1)(r.loadAverage[1])}`,
    r.batches ? int(r.batches.perSecond) : '',
    r.batches ? fixed(1)(r.batches.meanSize) : '',
    r.waits ? describeWaits(r.waits) : '',
  ]);

  // Other work on the machine during the measured windows: the figures only compare with a quiet run's
  // when it stayed low.
  // (Memory at rest does not depend on the CPU left to it, so only the load runs count here.)
  const others = runs.map((r) => r.cpu?.others ?? 0);
  const busy = spread(others);
  const quiet =
    others.length === 0
      ? ''
      : busy.max <= 0.2
        ? `Other processes used at most ${cores2(busy.max)} of the ${cpus().length} cores during the measured ` +
          'load windows: a quiet machine.'
        : `WARNING: other processes used ${cores2(busy.median)} cores (median; up to ${cores2(busy.max)}) of the ` +
          `${cpus().length} during the measured load windows, so these figures are not those of a quiet machine. ` +
          'Rerun when it is idle.';
  const loads = runs.flatMap((r) => r.loadAverage);
  const loadNote = loads.length
    ? ` The 1-minute load average over the runs: ${fixed(1)(Math.min(...loads))}–${fixed(1)(Math.max(...loads))} on ` +
      `${cpus().length} cores.`
    : '';
  const text = [
    textTable(header, rows),
    '',
    ...(floodRows.length ? [textTable(floodHeader, floodRows), ''] : []),
    ...(memoryRows.length ? [textTable(memoryHeader, memoryRows), ''] : []),
    ...(embeddedRows.length ? [textTable(embeddedHeader, embeddedRows), ''] : []),
    ...verdictRows.map(([target, measured, met]) => `${met!.padEnd(12)}  ${target}: ${measured}`),
    '',
    quiet + loadNote,
  ].join('\n');
  const markdown = [
    '### Throughput and latency',
    '',
    markdownTable(header, rows),
    '',
    ...(floodRows.length
      ? [
          '### The flood',
          '',
          "One member's subscribes with `since: 0` to a room of " +
            `${int(FLOOD_HISTORY)} events, from ${FLOOD_SOCKETS} sockets, during each flooded run.`,
          '',
          markdownTable(floodHeader, floodRows),
          '',
        ]
      : []),
    '### Memory per idle connection',
    '',
    markdownTable(memoryHeader, memoryRows),
    '',
    ...(embeddedRows.length
      ? [
          "### The embedded database's memory",
          '',
          "Kindred's own process, resident (VmRSS) and its peak (VmHWM); the first start's initdb runs in a " +
            'short-lived process of its own, not counted here; nor is the PostgreSQL server for the other row.',
          '',
          markdownTable(embeddedHeader, embeddedRows),
          '',
        ]
      : []),
    '### Targets',
    '',
    markdownTable(verdictHeader, verdictRows),
    '',
    quiet + loadNote,
    '',
    '### Every run',
    '',
    'CPU columns are cores used on average over the measured window (this machine has ' +
      `${cpus().length}); "load" is the load generator, "postgres" the bench database's backends and ` +
      "PostgreSQL's background processes.",
    '',
    markdownTable(perRunHeader, perRunRows),
  ].join('\n');
  return { text, markdown, verdicts };
}

function textTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function markdownTable(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map((c) => c || ' ').join(' | ')} |`;
  return [line(header), line(header.map((_, i) => (i < 2 ? '---' : '---:'))), ...rows.map(line)].join('\n');
}

function git(...args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8' }).trim();
  } catch {
    return '?';
  }
}

async function describeSetup(running: Running): Promise<string> {
  const { rows } = await running.pgClient.query<{ version: string }>('SELECT version()');
  const settingsRows = await running.pgClient.query<{ name: string; setting: string }>(
    "SELECT name, setting FROM pg_settings WHERE name IN ('synchronous_commit', 'fsync', 'shared_buffers')",
  );
  const cpu = cpus();
  const dirty = git('status', '--porcelain', '--', 'server', 'db', 'shared').split('\n').filter(Boolean).length;
  return [
    `- Run: ${new Date().toISOString()}, commit ${git('rev-parse', '--short', 'HEAD')}` +
      (dirty ? ` with ${dirty} uncommitted change(s) in server/, db/, shared/` : ''),
    `- Machine: ${cpu.length} × ${cpu[0]?.model ?? '?'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Linux ${release()}`,
    `- Node ${process.version}; ${rows[0]?.version.split(' on ')[0] ?? 'PostgreSQL ?'} on 127.0.0.1 ` +
      `(${settingsRows.rows.map((r) => `${r.name}=${r.setting}`).join(', ')})`,
    `- ${settings.reps} repetition(s); each run: ${settings.warmupMs / 1000} s warm-up, ` +
      `${settings.durationMs / 1000} s measured, then a drain of up to ${settings.drainMs / 1000} s; ` +
      `${ROOMS} rooms, ${SENDERS_PER_ROOM} senders per room, bodies of ${BODY_CHARS} characters`,
  ].join('\n');
}

async function writeReadme(setup: string, markdown: string): Promise<void> {
  const start = '<!-- results:start -->';
  const end = '<!-- results:end -->';
  const block = `${start}\n\n## Results\n\n${setup}\n\n${markdown}\n\n${end}`;
  const current = existsSync(readmePath) ? readFileSync(readmePath, 'utf8') : '';
  const from = current.indexOf(start);
  const to = current.indexOf(end);
  const next =
    from >= 0 && to > from
      ? current.slice(0, from) + block + current.slice(to + end.length)
      : `${current || '# Chat benchmark\n'}\n${block}\n`;
  // Formatted as the repository's format check expects, so a fresh run never fails it.
  const options = (await prettier.resolveConfig(readmePath)) ?? {};
  await writeFile(readmePath, await prettier.format(next, { ...options, filepath: readmePath }));
}

// ---- main ------------------------------------------------------------------------------------------------

/** The soft limit on open files this process (and so every process it starts) has; undefined if unknown. */
function openFileLimit(): number | undefined {
  try {
    const match = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  // The idle sockets: one descriptor each in the server and in the load generator, which inherit our limit.
  const files = openFileLimit();
  const filesNeeded = settings.memorySockets + 1_024;
  if (selected('memory') && files !== undefined && files < filesNeeded) {
    throw new Error(
      `${int(settings.memorySockets)} idle sockets need at least ${int(filesNeeded)} open files per process; ` +
        `this shell allows ${int(files)}. Run \`ulimit -n ${filesNeeded}\` first (or as root raise the hard limit).`,
    );
  }
  const serverUrl = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

  const database = await createPostgresDatabase(serverUrl);
  cleanups.push({ what: 'dropping the bench database', run: () => database.drop() });
  const databaseName = new URL(database.url).pathname.slice(1);
  const pgClient = new pg.Client({ connectionString: database.url });
  await pgClient.connect();
  cleanups.push({ what: 'closing the driver’s database connection', run: () => pgClient.end() });

  // A stand-in for the built web app: the benchmark needs the API only, and must not depend on a build.
  const webDir = await mkdtemp(join(tmpdir(), 'kindred-bench-web-'));
  cleanups.push({ what: 'removing the stub web folder', run: () => rm(webDir, { recursive: true, force: true }) });
  await writeFile(join(webDir, 'index.html'), '<!doctype html><title>Kindred bench</title>\n');
  if (settings.profile) await mkdir(profileDir, { recursive: true });

  const env = {
    DATABASE_URL: database.url,
    WEB_DIR: webDir,
    MESSAGE_LIMIT_PER_MINUTE: '1000000',
    REQUEST_LIMIT_PER_MINUTE: '1000000',
    REGISTER_LIMIT_PER_HOUR: '1000000',
    LOGIN_LIMIT_PER_15MIN: '1000000',
    LOG_LEVEL: 'warn',
    // The agent answers the driver's signals: memory at rest, CPU profiles (see agent.mjs).
    NODE_OPTIONS: `--expose-gc --import ${agentScript}`,
    BENCH_AGENT_DIR: agentDir,
  };
  const startKindred = async (profile = settings.profile): Promise<Platform> => {
    const platform = await startPlatform({
      env: { ...env, BENCH_PROFILE: profile ? '1' : '0' },
    });
    cleanups.push({ what: `stopping Kindred (pid ${platform.pid})`, run: () => platform.stop() });
    return platform;
  };

  log(`database ${databaseName}; starting Kindred…`);
  const primary = await startKindred();
  const running: Running = { kindred: [primary], baselinePids: [], pgClient, database: databaseName };

  // Accounts and rooms, over HTTP like any client.
  const admin = await register(primary, ADMIN);
  // Made an admin as an operator makes one: the CLI, on the running platform's PostgreSQL.
  await runAdminCommand(['grant', ADMIN], { env: { DATABASE_URL: database.url } });
  await createRooms(primary, admin);
  // The flood's member and room: a room of its own, so its history stays at what each replay sends.
  let flooder: Account | undefined;
  if (selected('flood')) {
    await expectStatus(
      `creating ${FLOOD_ROOM}`,
      api(
        primary,
        '/api/rooms',

        {
          slug: FLOOD_ROOM,
          name: 'Bench flood room',
          description: 'A room whose history one member replays over and over.',
          audience: 'everyone',
          rules: 'Be kind.',
        },
        admin.cookie,
      ),
      201,
    );
    flooder = await register(primary, FLOODER);
    await expectStatus(
      `joining ${FLOOD_ROOM}`,
      api(primary, `/api/rooms/${FLOOD_ROOM}/join`, { acceptRules: true }, flooder.cookie),
      200,
    );
  }
  const needBig = selected('open500big') || selected('memory');
  const accounts = await registerMembers(primary, needBig ? BIG_MEMBERS : MEMBERS);

  // The baseline: its own process, like Kindred.
  const startBaseline = async (batched = false): Promise<{ pid: number; port: number; stop: () => Promise<void> }> => {
    const child = fork(baselineScript, [], {
      cwd: repoRoot,
      execArgv: [...SERVER_NODE_FLAGS, '--expose-gc', '--import', agentScript, '--import', 'tsx'],
      env: { ...process.env, PORT: '0', BENCH_AGENT_DIR: agentDir, BATCHED: batched ? '1' : '0' },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    children.add(child);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    void exited.then(() => children.delete(child));
    const port = await within(
      new Promise<number>((resolve, reject) => {
        child.on('message', (m: { type?: string; port?: number }) => m.type === 'listening' && resolve(m.port!));
        void exited.then(() => reject(new Error('the baseline server exited before listening')));
      }),
      30_000,
      'starting the baseline server',
    );
    const stop = async () => {
      child.kill('SIGTERM');
      if (!(await Promise.race([exited.then(() => true), sleep(5_000).then(() => false)]))) child.kill('SIGKILL');
    };
    cleanups.push({ what: `stopping the baseline (pid ${child.pid})`, run: stop });
    return { pid: child.pid!, port, stop };
  };
  const baseline = await startBaseline();
  const batched = scenarios.some((s) => s.batched && selected(s.key)) ? await startBaseline(true) : undefined;
  running.baselinePids = [baseline.pid, ...(batched ? [batched.pid] : [])];
  const baselineTargets: LoadTarget[] = [
    { wsUrl: `ws://127.0.0.1:${baseline.port}/api/ws`, origin: `http://127.0.0.1:${baseline.port}` },
  ];
  const batchedTargets: LoadTarget[] = batched
    ? [{ wsUrl: `ws://127.0.0.1:${batched.port}/api/ws`, origin: `http://127.0.0.1:${batched.port}` }]
    : [];
  const targetOf = (p: Platform): LoadTarget => ({ wsUrl: `${p.url.replace(/^http/, 'ws')}/api/ws`, origin: p.url });

  const runs: RunRecord[] = [];
  for (let rep = 0; rep < settings.reps; rep += 1) {
    for (const scenario of scenarios) {
      if (!selected(scenario.key) || scenario.embedded) continue;
      while (running.kindred.length < scenario.instances) {
        log(`starting Kindred instance ${running.kindred.length + 1} on the same database…`);
        running.kindred.push(await startKindred());
      }
      // Each scenario's baseline runs right beside it (the order alternating by repetition): on a shared
      // machine the bare broadcast's own figure drifts by a quarter from one minute to the next. With two
      // instances the baseline is the same closed loop on its one server.
      // The flood scenario's reference is Kindred itself, the same load without the flood.
      const reference: Server = scenario.flood ? 'kindred' : 'baseline';
      const subject: Server = scenario.flood ? 'flooded' : 'kindred';
      // With the batched baseline too, the order rotates: each server goes first once in three repetitions.
      const order: Server[] = [subject, reference, ...(scenario.batched ? (['batched'] as const) : [])];
      const servers: Server[] = order.map((_, i) => order[(i + rep) % order.length]!);
      for (const server of servers) {
        const bare = server === 'baseline' || server === 'batched';
        const targets =
          server === 'baseline'
            ? baselineTargets
            : server === 'batched'
              ? batchedTargets
              : running.kindred.slice(0, scenario.instances).map(targetOf);
        const config = loadConfig(
          `${scenario.key}/${server}/${rep + 1}`,
          scenario,
          targets,
          bare ? undefined : accounts,
        );
        const flood =
          server === 'flooded'
            ? await startFlood({
                target: targetOf(primary),
                cookie: flooder!.cookie,
                room: FLOOD_ROOM,
                history: FLOOD_HISTORY,
                sockets: FLOOD_SOCKETS,
                connectTimeoutMs: 30_000,
              })
            : undefined;
        running.floodPid = flood?.pid;
        const loadAtStart = loadavg()[0]!;
        let loaded: Awaited<ReturnType<typeof runLoad>>;
        let floodResult: FloodResult | undefined;
        try {
          loaded = await runLoad(
            running,
            config,
            settings.profile && !bare ? running.kindred.map((p) => p.pid) : [],
            flood,
          );
        } finally {
          if (flood) floodResult = await stopFlood(flood);
          running.floodPid = undefined;
        }
        const { result, cpu, waits } = loaded;
        let batches: RunRecord['batches'];
        if (!bare) {
          const counted = await writerBatches(running, result.runTag);
          const seconds = (settings.warmupMs + result.windowMs) / 1000;
          batches = { perSecond: counted.batches / seconds, meanSize: counted.messages / Math.max(1, counted.batches) };
        }
        runs.push({
          scenario: scenario.key,
          server,
          rep,
          result,
          cpu,
          loadAverage: [loadAtStart, loadavg()[0]!],
          ...(batches ? { batches, waits } : {}),
          ...(floodResult ? { flood: floodResult } : {}),
        });
        log(
          `[rep ${rep + 1}/${settings.reps}] ${scenario.key.padEnd(10)} ${server.padEnd(8)} ` +
            `${int(result.deliveriesPerSecond).padStart(8)} deliveries/s ${int(result.ackedPerSecond).padStart(6)} acks/s ` +
            `p50 ${ms2(result.latency.p50)} p99 ${ms2(result.latency.p99)} ms  lost ${result.lost} unanswered ${result.unanswered} ` +
            `seq ${integrity(result)}  CPU: server ${cores2(cpu?.groups[bare ? 'baseline' : 'kindred'] ?? Number.NaN)} pg ${cores2(cpu?.groups.postgres ?? Number.NaN)} ` +
            `load ${cores2(cpu?.groups.load ?? Number.NaN)} others ${cores2(cpu?.others ?? Number.NaN)} ` +
            `loadavg ${fixed(1)(loadAtStart)}→${fixed(1)(loadavg()[0]!)}` +
            (floodResult ? `  flood ${describeFlood(floodResult)}` : '') +
            (batches ? `  batches ${int(batches.perSecond)}/s of ${fixed(1)(batches.meanSize)}` : '') +
            (batches ? `  db ${describeWaits(waits)}` : '') +
            (Object.keys(result.errors).length ? `  errors ${JSON.stringify(result.errors)}` : '') +
            (Object.keys(result.closes).length ? `  closes ${JSON.stringify(result.closes)}` : ''),
        );
      }
    }
  }

  // The embedded database beside PostgreSQL: each a fresh Kindred, the same closed loop, its memory throughout.
  const embedded: EmbeddedRecord[] = [];
  if (selected('embedded')) {
    const scenario = scenarios.find((s) => s.key === 'embedded')!;
    const dataDir = await mkdtemp(join(tmpdir(), 'kindred-bench-embedded-'));
    cleanups.push({
      what: 'removing the embedded data folder',
      run: () => rm(dataDir, { recursive: true, force: true }),
    });
    const { DATABASE_URL: _postgres, ...embeddedEnv } = env;
    const startEmbedded = async (): Promise<Platform> => {
      const platform = await startPlatform({ env: { ...embeddedEnv, BENCH_PROFILE: '0' }, dataDir });
      cleanups.push({ what: `stopping embedded Kindred (pid ${platform.pid})`, run: () => platform.stop() });
      return platform;
    };
    // First start on a new data folder, as `npm start` on a new install; the admin made with the CLI after
    // (the data folder is locked to one process), then the start an operator makes every other time.
    log('embedded: first start on a new data folder…');
    let local = await startEmbedded();
    const firstStart = memoryNow(local.pid);
    const localAdmin = await register(local, ADMIN);
    await local.stop();
    await runAdminCommand(['grant', ADMIN], { dataDir });
    local = await startEmbedded();
    const restart = memoryNow(local.pid);
    await createRooms(local, localAdmin);
    const localAccounts = await registerMembers(local, MEMBERS);
    log('embedded: a fresh Kindred on PostgreSQL beside it…');
    const remote = await startKindred(false);
    const remoteStart = memoryNow(remote.pid);
    const platforms: Record<'embedded' | 'kindred', Platform> = { embedded: local, kindred: remote };
    const peaks: Record<'embedded' | 'kindred', number> = { embedded: 0, kindred: 0 };
    const kindredBefore = running.kindred;
    for (let rep = 0; rep < settings.reps; rep += 1) {
      for (const server of rep % 2 ? (['kindred', 'embedded'] as const) : (['embedded', 'kindred'] as const)) {
        const platform = platforms[server];
        running.kindred = [platform];
        const config = loadConfig(
          `embedded/${server}/${rep + 1}`,
          scenario,
          [targetOf(platform)],
          server === 'embedded' ? localAccounts : accounts,
        );
        // The resident set through the run, sampled (the kernel's peak would include the start).
        const sampler = setInterval(() => {
          peaks[server] = Math.max(peaks[server], residentKiB(platform.pid) ?? 0);
        }, 200);
        const loadAtStart = loadavg()[0]!;
        let loaded: Awaited<ReturnType<typeof runLoad>>;
        try {
          loaded = await runLoad(running, config, []);
        } finally {
          clearInterval(sampler);
          running.kindred = kindredBefore;
        }
        const { result, cpu } = loaded;
        runs.push({ scenario: 'embedded', server, rep, result, cpu, loadAverage: [loadAtStart, loadavg()[0]!] });
        log(
          `[rep ${rep + 1}/${settings.reps}] embedded   ${server.padEnd(8)} ` +
            `${int(result.deliveriesPerSecond).padStart(8)} deliveries/s ${int(result.ackedPerSecond).padStart(6)} acks/s ` +
            `p99 ${ms2(result.latency.p99)} ms lost ${result.lost} unanswered ${result.unanswered} seq ${integrity(result)} ` +
            `CPU: server ${cores2(cpu?.groups.kindred ?? Number.NaN)} pg ${cores2(cpu?.groups.postgres ?? Number.NaN)} ` +
            `others ${cores2(cpu?.others ?? Number.NaN)} loadavg ${fixed(1)(loadAtStart)}→${fixed(1)(loadavg()[0]!)}  ` +
            `RSS peak so far ${int(peaks[server] / 1024)} MiB`,
        );
      }
    }
    for (const [server, platform, start] of [
      ['embedded', local, firstStart],
      ['kindred', remote, remoteStart],
    ] as const) {
      const rest = await memoryAtRest(platform.pid);
      embedded.push({
        server,
        start,
        ...(server === 'embedded' ? { restart } : {}),
        underLoadPeak: peaks[server],
        atRest: rest.rss,
      });
    }
    await local.stop();
    await remote.stop();
    log(
      `embedded memory (MiB): first start ${int(firstStart.rss / 1024)} (peak ${int(firstStart.peak / 1024)}), ` +
        `restart ${int(restart.rss / 1024)} (peak ${int(restart.peak / 1024)}), ` +
        `under load peak ${int(peaks.embedded / 1024)}, at rest ${int(embedded[0]!.atRest / 1024)}; ` +
        `PostgreSQL's Kindred: start ${int(remoteStart.rss / 1024)}, under load peak ${int(peaks.kindred / 1024)}, ` +
        `at rest ${int(embedded[1]!.atRest / 1024)}`,
    );
  }

  // Memory: a fresh process of each, so earlier runs' garbage does not blur the difference.
  const memory: MemoryRecord[] = [];
  if (selected('memory')) {
    for (let rep = 0; rep < settings.reps; rep += 1) {
      for (const server of rep % 2 ? (['baseline', 'kindred'] as const) : (['kindred', 'baseline'] as const)) {
        const fresh = server === 'kindred' ? await startKindred(false) : undefined;
        const freshBaseline = server === 'baseline' ? await startBaseline() : undefined;
        const pid = fresh?.pid ?? freshBaseline!.pid;
        const targets = fresh
          ? [targetOf(fresh)]
          : [{ wsUrl: `ws://127.0.0.1:${freshBaseline!.port}/api/ws`, origin: 'http://127.0.0.1' }];
        const cookies = server === 'kindred' ? accounts : undefined;
        try {
          // Warm up the code paths first, so the figure is per connection and not the first one's cost.
          await holdIdle(running, idleConfig('memory warm-up', targets, cookies, 200), undefined);
          const held = await holdIdle(
            running,
            idleConfig(`memory/${server}`, targets, cookies, settings.memorySockets),
            pid,
          );
          const record: MemoryRecord = { server, rep, ...held };
          memory.push(record);
          log(
            `[rep ${rep + 1}/${settings.reps}] memory     ${server.padEnd(8)} RSS ${int(held.before.rss)} → ` +
              `${int(held.connected.rss)} → ${int(held.subscribed.rss)} KiB: ` +
              `${kib1(perSocket(record, 'connected', 'rss'))} KiB per connection ` +
              `(heap ${kib1(perSocket(record, 'connected', 'heap'))}), ` +
              `${kib1(perSocket(record, 'subscribed', 'rss'))} subscribed ` +
              `(heap ${kib1(perSocket(record, 'subscribed', 'heap'))}); ` +
              `others ${cores2(held.othersCores ?? Number.NaN)}`,
          );
        } finally {
          await fresh?.stop();
          await freshBaseline?.stop();
        }
      }
    }
  }

  const report = buildReport(runs, memory, embedded);
  const setup = await describeSetup(running);
  process.stdout.write(`\nKindred chat benchmark${settings.quick ? ' (quick)' : ''}\n${setup}\n\n${report.text}\n`);
  if (settings.writeReadme) {
    await writeReadme(setup, report.markdown);
    log(`results written to ${readmePath}`);
  }
  if (settings.profile) {
    log(`CPU profiles of Kindred's measured windows: ${profileDir} (summarize with tests/bench/profile-summary.ts)`);
  }
  log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

const limit = setTimeout(() => {
  console.error(`the benchmark ran past its limit of ${settings.limitMs / 60_000} minutes; stopping`);
  void cleanUp().finally(() => process.exit(1));
}, settings.limitMs);
limit.unref();

main()
  .then(
    () => cleanUp().then(() => 0),
    async (error: unknown) => {
      console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
      await cleanUp();
      return 1;
    },
  )
  .then((code) => process.exit(code));
