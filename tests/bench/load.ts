// The load generator of the chat benchmark, run as its own process (forked by chat.ts with
// `node --import tsx`), so its CPU is not the server's. It gets one LoadConfig over IPC, opens one socket per
// member (with that member's session cookie, or none for the baseline), subscribes each to its room, then:
// - closed loop: every sender keeps one message in flight and sends the next when the last is acknowledged;
// - open loop: senders send on a fixed schedule adding up to `ratePerSecond`, whatever the acknowledgements;
// - idle: only connects, subscribes when told, and holds the sockets open (for the memory figure).
// Each body carries its send time, so every receiver measures send→receive latency; every receiver checks
// that seq strictly increases without gaps and, after the drain, that it got every message its room
// acknowledged. The result goes back to the parent as JSON. Every wait is bounded.
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import type { ChildMessage, LoadConfig, LoadMember, LoadResult, ParentMessage, Percentiles } from './protocol.ts';

/**
 * Latency histogram: 10 µs buckets below 100 ms, 1 ms buckets from there to 60 s (anything slower lands in
 * the last bucket, and in max). Percentiles are the upper edge of their bucket.
 */
class Histogram {
  static readonly fine = 10_000;
  readonly #counts = new Uint32Array(Histogram.fine + 59_900);
  #count = 0;
  #max = 0;

  static index(ms: number): number {
    if (ms < 100) return Math.max(0, Math.floor(ms * 100));
    return Math.min(Histogram.fine + 59_899, Histogram.fine + Math.floor(ms - 100));
  }

  static upperEdge(index: number): number {
    return index < Histogram.fine ? (index + 1) / 100 : 100 + (index - Histogram.fine + 1);
  }

  record(ms: number): void {
    const index = Histogram.index(ms);
    this.#counts[index]! += 1;
    this.#count += 1;
    if (ms > this.#max) this.#max = ms;
  }

  summary(): Percentiles {
    return {
      count: this.#count,
      p50: this.#percentile(0.5),
      p90: this.#percentile(0.9),
      p99: this.#percentile(0.99),
      max: round(this.#max),
    };
  }

  #percentile(q: number): number {
    if (this.#count === 0) return 0;
    const rank = Math.ceil(q * this.#count);
    let seen = 0;
    for (let i = 0; i < this.#counts.length; i += 1) {
      seen += this.#counts[i]!;
      if (seen >= rank) return round(Math.min(Histogram.upperEdge(i), this.#max));
    }
    return round(this.#max);
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

interface RoomState {
  slug: string;
  acked: number;
  members: MemberState[];
}

interface MemberState {
  index: number;
  spec: LoadMember;
  room: RoomState;
  socket: WebSocket | undefined;
  /** seq of the last event seen; -1 before `subscribed`. */
  lastSeq: number;
  /** Messages of this run received. */
  received: number;
  subscribed: boolean;
  closedByUs: boolean;
  onSubscribed: ((ok: boolean) => void) | undefined;
  sender: SenderState | undefined;
}

interface SenderState {
  index: number;
  member: MemberState;
  next: number;
  /** clientId → send time, for messages not yet answered. */
  outstanding: Map<string, number>;
  /** open loop: when this sender's first message is due, relative to the start (ms). */
  phaseMs: number;
}

function send(message: ChildMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) return resolve();
    process.send(message, undefined, {}, () => resolve());
  });
}

let config: LoadConfig;
const runTag = `r${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
const members: MemberState[] = [];
const rooms: RoomState[] = [];
const senders: SenderState[] = [];
const latency = new Histogram();
const ackLatency = new Histogram();
const errors: Record<string, number> = {};
const closes: Record<string, number> = {};
let windowStart = Number.POSITIVE_INFINITY;
let windowEnd = Number.POSITIVE_INFINITY;
let sendUntil = 0;
let sending = false;
let sent = 0;
let sentInWindow = 0;
let acked = 0;
let ackedInWindow = 0;
let answeredWithError = 0;
let deliveriesInWindow = 0;
let seqNotIncreasing = 0;
let seqGaps = 0;
let sendLagMaxMs = 0;
let padding = '';

function count(map: Record<string, number>, key: string): void {
  map[key] = (map[key] ?? 0) + 1;
}

// ---- receiving -------------------------------------------------------------------------------------------

const EVENT_PREFIX = '{"type":"event"';
const SEQ_KEY = '"seq":';
const BODY_KEY = '"body":"';

function onFrame(member: MemberState, text: string): void {
  const now = performance.now();
  if (text.startsWith(EVENT_PREFIX)) {
    onEvent(member, text, now);
    return;
  }
  let frame: { type?: string; clientId?: string; code?: string; ref?: string; lastSeq?: number };
  try {
    frame = JSON.parse(text) as typeof frame;
  } catch {
    count(errors, 'unparsable-frame');
    return;
  }
  switch (frame.type) {
    case 'subscribed':
      member.lastSeq = frame.lastSeq ?? 0;
      member.subscribed = true;
      member.onSubscribed?.(true);
      return;
    case 'ack':
      onAnswer(frame.clientId ?? '', now, true);
      return;
    case 'error':
      count(errors, frame.code ?? 'error');
      if (frame.ref) onAnswer(frame.ref, now, false);
      else if (!member.subscribed) member.onSubscribed?.(false);
      return;
    default:
      return;
  }
}

function onEvent(member: MemberState, text: string, now: number): void {
  // The event's own seq is the first "seq" of the frame (the message's comes later); parsing only what is
  // needed keeps the generator cheap, so that it measures the servers rather than itself.
  const seqAt = text.indexOf(SEQ_KEY) + SEQ_KEY.length;
  const seq = Number.parseInt(text.slice(seqAt, text.indexOf(',', seqAt)), 10);
  if (member.lastSeq >= 0) {
    if (seq <= member.lastSeq) seqNotIncreasing += 1;
    else if (seq > member.lastSeq + 1) seqGaps += 1;
  }
  if (seq > member.lastSeq) member.lastSeq = seq;

  const bodyAt = text.indexOf(BODY_KEY);
  if (bodyAt < 0) return;
  const start = bodyAt + BODY_KEY.length;
  if (!text.startsWith(runTag, start)) return; // not a message of this run
  member.received += 1;
  if (now >= windowStart && now < windowEnd) deliveriesInWindow += 1;
  const timeAt = start + runTag.length + 1;
  const sentAt = Number(text.slice(timeAt, text.indexOf(' ', timeAt)));
  if (sentAt >= windowStart && sentAt < windowEnd) latency.record(now - sentAt);
}

function onAnswer(clientId: string, now: number, ok: boolean): void {
  const senderIndex = Number(clientId.split('-')[1]);
  const sender = senders[senderIndex];
  const sentAt = sender?.outstanding.get(clientId);
  if (!sender || sentAt === undefined) {
    count(errors, 'unknown-answer');
    return;
  }
  sender.outstanding.delete(clientId);
  if (ok) {
    acked += 1;
    sender.member.room.acked += 1;
    if (now >= windowStart && now < windowEnd) ackedInWindow += 1;
    if (sentAt >= windowStart && sentAt < windowEnd) ackLatency.record(now - sentAt);
  } else {
    answeredWithError += 1;
  }
  if (config.mode === 'closed' && sending && now < sendUntil) {
    if (ok) sendOne(sender);
    else setTimeout(() => sending && performance.now() < sendUntil && sendOne(sender), 20).unref();
  }
}

// ---- sending ---------------------------------------------------------------------------------------------

function sendOne(sender: SenderState): void {
  const socket = sender.member.socket;
  if (!socket || socket.readyState !== WebSocket.OPEN) return;
  const clientId = `${runTag}-${sender.index}-${sender.next}`;
  sender.next += 1;
  const now = performance.now();
  const body = `${runTag} ${now.toFixed(3)} ${padding}`;
  sender.outstanding.set(clientId, now);
  sent += 1;
  if (now >= windowStart && now < windowEnd) sentInWindow += 1;
  socket.send(JSON.stringify({ type: 'send', room: sender.member.room.slug, clientId, body }));
}

async function runClosedLoop(): Promise<void> {
  for (const sender of senders) sendOne(sender);
  await sleep(sendUntil - performance.now());
}

async function runOpenLoop(start: number): Promise<void> {
  const perSender = (config.ratePerSecond ?? 0) / Math.max(1, senders.length);
  const periodMs = 1000 / perSender;
  const due = new Array<number>(senders.length).fill(0);
  for (;;) {
    const now = performance.now();
    if (now >= sendUntil) return;
    for (const sender of senders) {
      // Message k of this sender is due at start + phase + k × period.
      while (start + sender.phaseMs + due[sender.index]! * periodMs <= now) {
        const scheduled = start + sender.phaseMs + due[sender.index]! * periodMs;
        if (scheduled >= sendUntil) break;
        sendLagMaxMs = Math.max(sendLagMaxMs, now - scheduled);
        due[sender.index]! += 1;
        sendOne(sender);
      }
    }
    await sleep(1);
  }
}

// ---- connecting ------------------------------------------------------------------------------------------

function connect(member: MemberState, subscribe: boolean): Promise<boolean> {
  const target = config.targets[member.spec.target]!;
  return new Promise((resolve) => {
    let settled = false;
    const done = (ok: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), config.connectTimeoutMs);
    const headers: Record<string, string> = { origin: target.origin };
    if (member.spec.cookie) headers.cookie = member.spec.cookie;
    const socket = new WebSocket(target.wsUrl, {
      headers,
      perMessageDeflate: false,
      // The generator trusts what it reads (both servers send JSON it parses anyway): less CPU per frame.
      skipUTF8Validation: true,
      handshakeTimeout: config.connectTimeoutMs,
    });
    member.socket = socket;
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary) onFrame(member, data.toString());
    });
    socket.on('close', (code: number) => {
      if (!member.closedByUs) count(closes, String(code));
      done(false);
    });
    socket.on('error', () => done(false));
    socket.on('open', () => {
      if (!subscribe) return done(true);
      void subscribeOne(member).then(done);
    });
  });
}

function subscribeOne(member: MemberState): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => finish(false), config.connectTimeoutMs);
    const finish = (ok: boolean) => {
      clearTimeout(timer);
      member.onSubscribed = undefined;
      resolve(ok);
    };
    member.onSubscribed = finish;
    member.socket?.send(JSON.stringify({ type: 'subscribe', room: member.room.slug }));
  });
}

/** Runs `task` over `items`, at most `limit` at once; returns how many succeeded. */
async function pool<T>(items: T[], limit: number, task: (item: T) => Promise<boolean>): Promise<number> {
  let next = 0;
  let ok = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next]!;
      next += 1;
      if (await task(item)) ok += 1;
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return ok;
}

async function closeAll(): Promise<void> {
  const open = members.filter((m) => m.socket && m.socket.readyState !== WebSocket.CLOSED);
  const closed = Promise.all(
    open.map(
      (member) =>
        new Promise<void>((resolve) => {
          member.closedByUs = true;
          member.socket!.once('close', () => resolve());
          member.socket!.close(1000, 'bench done');
        }),
    ),
  );
  await Promise.race([closed, sleep(3_000)]);
  for (const member of open) member.socket?.terminate();
}

// ---- the run ---------------------------------------------------------------------------------------------

function setUp(received: LoadConfig): void {
  config = received;
  padding = 'x'.repeat(Math.max(0, config.bodyChars - runTag.length - 16));
  for (const roomSpec of config.rooms) {
    const room: RoomState = { slug: roomSpec.slug, acked: 0, members: [] };
    rooms.push(room);
    for (const spec of roomSpec.members) {
      const member: MemberState = {
        index: members.length,
        spec,
        room,
        socket: undefined,
        lastSeq: -1,
        received: 0,
        subscribed: false,
        closedByUs: false,
        onSubscribed: undefined,
        sender: undefined,
      };
      members.push(member);
      room.members.push(member);
      if (spec.sender) {
        const sender: SenderState = { index: senders.length, member, next: 0, outstanding: new Map(), phaseMs: 0 };
        member.sender = sender;
        senders.push(sender);
      }
    }
  }
  // Open loop: spread the senders' phases evenly over one period, so the total rate is smooth.
  const perSender = (config.ratePerSecond ?? 0) / Math.max(1, senders.length);
  if (perSender > 0)
    for (const sender of senders) sender.phaseMs = ((sender.index / senders.length) * 1000) / perSender;
}

async function runLoad(): Promise<LoadResult> {
  const connectStart = performance.now();
  const connected = await pool(members, config.connectConcurrency, (member) => connect(member, true));
  const connectMs = performance.now() - connectStart;
  if (connected < members.length) {
    throw new Error(
      `${members.length - connected} of ${members.length} sockets could not connect and subscribe ` +
        `(errors ${JSON.stringify(errors)}, closes ${JSON.stringify(closes)})`,
    );
  }

  void send({ type: 'sending' });
  const start = performance.now();
  windowStart = start + config.warmupMs;
  windowEnd = windowStart + config.durationMs;
  sendUntil = windowEnd;
  sending = true;
  const cpuAtWindow = new Promise<NodeJS.CpuUsage>((resolve) =>
    setTimeout(() => {
      void send({ type: 'window', phase: 'start' });
      resolve(process.cpuUsage());
    }, config.warmupMs),
  );
  if (config.mode === 'closed') await runClosedLoop();
  else await runOpenLoop(start);
  sending = false;
  const cpuUsed = process.cpuUsage(await cpuAtWindow);
  void send({ type: 'window', phase: 'end' });
  const windowMs = Math.min(performance.now(), windowEnd) - windowStart;

  // Drain: wait for the last answers and deliveries, bounded.
  const drainStart = performance.now();
  const drained = () =>
    senders.every((s) => s.outstanding.size === 0) &&
    rooms.every((room) => room.members.every((m) => m.received >= room.acked));
  while (!drained() && performance.now() - drainStart < config.drainMs) await sleep(10);
  const drainMs = performance.now() - drainStart;
  const complete = drained();

  let lost = 0;
  let receiversLosing = 0;
  let deliveredUnacked = 0;
  for (const room of rooms) {
    let roomExtra = 0;
    for (const member of room.members) {
      if (member.received < room.acked) {
        lost += room.acked - member.received;
        receiversLosing += 1;
      } else {
        roomExtra = Math.max(roomExtra, member.received - room.acked);
      }
    }
    deliveredUnacked += roomExtra;
  }
  const seconds = windowMs / 1000;
  return {
    label: config.label,
    runTag,
    mode: config.mode,
    sockets: members.length,
    senders: senders.length,
    connectMs: Math.round(connectMs),
    windowMs: Math.round(windowMs),
    sentInWindow,
    sent,
    acked,
    ackedInWindow,
    deliveriesInWindow,
    deliveriesPerSecond: Math.round(deliveriesInWindow / seconds),
    ackedPerSecond: Math.round(ackedInWindow / seconds),
    sentPerSecond: Math.round(sentInWindow / seconds),
    latency: latency.summary(),
    ackLatency: ackLatency.summary(),
    lost,
    receiversLosing,
    seqNotIncreasing,
    seqGaps,
    unanswered: senders.reduce((n, s) => n + s.outstanding.size, 0),
    deliveredUnacked,
    errors: { ...errors, ...(answeredWithError ? { answeredWithError } : {}) },
    closes,
    drainMs: Math.round(drainMs),
    drained: complete,
    loadCpuCores: Math.round(((cpuUsed.user + cpuUsed.system) / 1000 / windowMs) * 100) / 100,
    sendLagMaxMs: round(sendLagMaxMs),
  };
}

async function runIdle(): Promise<void> {
  const connectStart = performance.now();
  const connected = await pool(members, config.connectConcurrency, (member) => connect(member, false));
  await send({
    type: 'connected',
    sockets: connected,
    failures: members.length - connected,
    connectMs: Math.round(performance.now() - connectStart),
  });
  await nextMessage('subscribe');
  const subscribed = await pool(members, config.connectConcurrency, (member) =>
    member.socket?.readyState === WebSocket.OPEN ? subscribeOne(member) : Promise.resolve(false),
  );
  await send({ type: 'subscribed', sockets: subscribed, failures: members.length - subscribed });
  await nextMessage('finish');
}

// ---- process plumbing ------------------------------------------------------------------------------------

const waiting = new Map<ParentMessage['type'], () => void>();

function nextMessage(type: ParentMessage['type']): Promise<void> {
  return new Promise((resolve) => waiting.set(type, resolve));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

async function main(): Promise<void> {
  if (!process.send) throw new Error('load.ts is started by chat.ts (forked, with an IPC channel)');
  process.on('message', (message: ParentMessage) => {
    if (message.type === 'config') {
      setUp(message.config);
      waiting.get('config')?.();
    } else {
      waiting.get(message.type)?.();
    }
  });
  // The parent going away ends the run: never leave a generator behind.
  process.on('disconnect', () => {
    if (!finished) process.exit(3);
  });
  const configured = nextMessage('config');
  await send({ type: 'ready' });
  await configured;
  // A hard ceiling on the whole run, whatever happens.
  const ceiling = config.warmupMs + config.durationMs + config.drainMs + 10 * 60_000;
  setTimeout(() => {
    void send({ type: 'failed', message: `the load generator ran past its ${ceiling} ms ceiling` });
    setTimeout(() => process.exit(2), 100);
  }, ceiling).unref();

  if (config.mode === 'idle') {
    await runIdle();
    await closeAll();
    await send({ type: 'closed' });
  } else {
    const result = await runLoad();
    await closeAll();
    await send({ type: 'result', result });
  }
}

let finished = false;
main().then(
  () => {
    finished = true;
    process.exit(0);
  },
  async (error: unknown) => {
    finished = true;
    await send({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
    process.exit(1);
  },
);
