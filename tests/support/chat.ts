// Members, sockets and send loops for black-box chat tests against a started platform (see platform.ts).
// A member here is what a browser would hold: a session cookie. A Sender is what a careful client does:
// it keeps a few sends in flight, keeps every unacknowledged clientId, and resends it with the same
// clientId and body after an error, a timeout or a new socket, until the server acknowledges it. Every
// wait is bounded in time, and every loop in count.
import { randomBytes } from 'node:crypto';
import type { Message } from '@kindred/shared';
import { Agent, fetch as fetchVia } from 'undici';
import WebSocket from 'ws';

export type Frame = Record<string, unknown> & { type: string };

export interface Member {
  username: string;
  id: string;
  /** The Cookie header that carries the session: `kindred_session=…` (`__Host-kindred_session=…` on https). */
  cookie: string;
  /** How this member's requests and sockets travel, when not as Node's defaults. */
  via?: Via;
}

/** A client's own way to the server: a certificate to trust (a test's own), the address it comes from. */
export interface Via {
  /** PEM of a certificate authority to trust for https/wss (e.g. a self-signed test certificate). */
  ca?: string;
  /** The local address to connect from (a loopback address other than 127.0.0.1: a second "client"). */
  localAddress?: string;
}

const agents = new Map<string, Agent>();
/** One connection pool per way of travelling; closed by closeAgents(). */
function agentFor(via: Via): Agent {
  const key = `${via.localAddress ?? ''}|${via.ca ?? ''}`;
  let agent = agents.get(key);
  if (!agent) {
    agent = new Agent({
      ...(via.localAddress ? { localAddress: via.localAddress } : {}),
      ...(via.ca ? { connect: { ca: via.ca } } : {}),
    });
    agents.set(key, agent);
  }
  return agent;
}

/** Closes the connection pools requests with a `via` opened. */
export async function closeAgents(): Promise<void> {
  await Promise.allSettled([...agents.values()].map((agent) => agent.close()));
  agents.clear();
}

const requestTimeoutMs = 15_000;

/** A short random tag, so names and clientIds of one run never meet those of another. */
export function runTag(): string {
  return randomBytes(3).toString('hex');
}

export async function api(
  baseUrl: string,
  path: string,
  options: { method?: string; member?: Member; body?: unknown; via?: Via; headers?: Record<string, string> } = {},
): Promise<Response> {
  const method = options.method ?? (options.body === undefined ? 'GET' : 'POST');
  const init = {
    method,
    headers: {
      ...(method === 'GET' ? {} : { origin: baseUrl }),
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(options.member ? { cookie: options.member.cookie } : {}),
      ...options.headers,
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    signal: AbortSignal.timeout(requestTimeoutMs),
  };
  const via = options.via ?? options.member?.via;
  if (!via) return fetch(`${baseUrl}${path}`, init);
  return (await fetchVia(`${baseUrl}${path}`, { ...init, dispatcher: agentFor(via) })) as unknown as Response;
}

async function expectStatus(response: Response, status: number, what: string): Promise<void> {
  if (response.status !== status) {
    throw new Error(`${what}: expected ${status}, got ${response.status} ${await response.text()}`);
  }
}

export async function registerMember(baseUrl: string, username: string, via?: Via): Promise<Member> {
  const response = await api(baseUrl, '/api/auth/register', {
    body: { username, password: `quiet harbour lanterns ${runTag()}` },
    ...(via ? { via } : {}),
  });
  await expectStatus(response, 201, `registering ${username}`);
  const cookie = response.headers
    .getSetCookie()
    .map((header) => /^((?:__Host-)?kindred_session=[^;]+)/.exec(header)?.[1])
    .find((value) => value !== undefined);
  if (!cookie) throw new Error(`registering ${username}: no session cookie in the answer`);
  const { user } = (await response.json()) as { user: { id: string } };
  return { username, id: user.id, cookie, ...(via ? { via } : {}) };
}

export async function joinRoom(baseUrl: string, member: Member, slug: string): Promise<void> {
  const response = await api(baseUrl, `/api/rooms/${slug}/join`, { member, body: { acceptRules: true } });
  await expectStatus(response, 200, `${member.username} joining ${slug}`);
  await response.body?.cancel();
}

export async function logout(baseUrl: string, member: Member): Promise<number> {
  const response = await api(baseUrl, '/api/auth/logout', { method: 'POST', member });
  await response.body?.cancel();
  return response.status;
}

/** A room's whole history over HTTP, page by page forwards (`after=`), with the lastSeq of the last page. */
export async function readHistory(
  baseUrl: string,
  member: Member,
  slug: string,
  maxPages = 500,
): Promise<{ messages: Message[]; lastSeq: number }> {
  const messages: Message[] = [];
  let after = 0;
  for (let page = 0; page < maxPages; page += 1) {
    const response = await api(baseUrl, `/api/rooms/${slug}/messages?after=${after}&limit=100`, { member });
    await expectStatus(response, 200, `reading ${slug} after ${after}`);
    const body = (await response.json()) as { messages: Message[]; hasMore: boolean; lastSeq: number };
    messages.push(...body.messages);
    if (!body.hasMore) return { messages, lastSeq: body.lastSeq };
    const last = body.messages.at(-1);
    if (!last || last.seq <= after) throw new Error(`history of ${slug} did not move forward after seq ${after}`);
    after = last.seq;
  }
  throw new Error(`history of ${slug} has more than ${maxPages} pages`);
}

/** Polls `condition` until it holds; fails with `what` and the state `describe` gives after `timeoutMs`. */
export async function waitUntil(
  condition: () => boolean,
  timeoutMs: number,
  what: string,
  describe: () => string = () => '',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms. ${describe()}`);
    await delay(20);
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** One WebSocket to /api/ws, as a browser tab of `member` at `origin` would open it. */
export class ChatSocket {
  readonly frames: Frame[] = [];
  closed: { code: number; reason: string } | undefined;
  readonly #frameListeners = new Set<(frame: Frame) => void>();
  readonly #closeListeners = new Set<(code: number) => void>();

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as Frame;
      this.frames.push(frame);
      for (const listener of [...this.#frameListeners]) listener(frame);
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      for (const listener of [...this.#closeListeners]) listener(code);
    });
    // An abrupt end (the server was killed) is also reported as 'close'; the error itself needs no action.
    ws.on('error', () => {});
  }

  /** Opens a socket, or rejects with the HTTP status the upgrade was refused with (`status`), if any. */
  static connect(baseUrl: string, member: Member, origin = baseUrl, timeoutMs = 5_000): Promise<ChatSocket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/api/ws`, {
        headers: { origin, cookie: member.cookie },
        handshakeTimeout: timeoutMs,
        ...(member.via?.ca ? { ca: member.via.ca } : {}),
        ...(member.via?.localAddress ? { localAddress: member.via.localAddress } : {}),
      });
      const socket = new ChatSocket(ws);
      ws.once('open', () => resolve(socket));
      ws.once('unexpected-response', (_request, response) => {
        response.resume();
        ws.terminate();
        reject(
          Object.assign(new Error(`upgrade refused with ${response.statusCode}`), { status: response.statusCode }),
        );
      });
      ws.once('error', reject);
    });
  }

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  onFrame(listener: (frame: Frame) => void): () => void {
    this.#frameListeners.add(listener);
    return () => this.#frameListeners.delete(listener);
  }

  onClose(listener: (code: number) => void): () => void {
    this.#closeListeners.add(listener);
    return () => this.#closeListeners.delete(listener);
  }

  /** Sends a frame if the socket is open; answers whether it was sent. */
  send(frame: unknown): boolean {
    if (!this.open) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  /** The first frame from index `from` on (already received or still to come) that matches. */
  next(predicate: (frame: Frame) => boolean, timeoutMs = 5_000, from = 0): Promise<Frame> {
    const seen = this.frames.slice(from).find(predicate);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        stop();
        reject(new Error(`no matching frame within ${timeoutMs} ms; last: ${JSON.stringify(this.frames.slice(-3))}`));
      }, timeoutMs);
      const stop = this.onFrame((frame) => {
        if (!predicate(frame)) return;
        clearTimeout(timer);
        stop();
        resolve(frame);
      });
    });
  }

  async subscribe(room: string, since?: number): Promise<Frame> {
    const from = this.frames.length;
    this.send({ type: 'subscribe', room, ...(since === undefined ? {} : { since }) });
    const answer = await this.next(
      (f) => (f.type === 'subscribed' || f.type === 'error') && f.room === room,
      10_000,
      from,
    );
    if (answer.type !== 'subscribed') throw new Error(`subscribing to ${room}: ${JSON.stringify(answer)}`);
    return answer;
  }

  /** The room events received so far, in arrival order. */
  events(room?: string): (Frame & { seq: number; message: Message })[] {
    return this.frames.filter((f) => f.type === 'event' && (room === undefined || f.room === room)) as (Frame & {
      seq: number;
      message: Message;
    })[];
  }

  waitClosed(timeoutMs = 5_000): Promise<number> {
    if (this.closed) return Promise.resolve(this.closed.code);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        stop();
        reject(new Error(`the socket did not close within ${timeoutMs} ms`));
      }, timeoutMs);
      const stop = this.onClose((code) => {
        clearTimeout(timer);
        stop();
        resolve(code);
      });
    });
  }

  close(): void {
    if (this.ws.readyState === WebSocket.CONNECTING) this.ws.terminate();
    else this.ws.close();
  }
}

export interface Outgoing {
  clientId: string;
  room: string;
  body: string;
}

export interface Acked {
  clientId: string;
  room: string;
  body: string;
  id: string;
  seq: number;
}

export interface SenderOptions {
  /** clientIds outstanding at once: sent and not yet acknowledged (retries waiting included). */
  inFlight?: number;
  /** Wait before resending after a retryable error. */
  retryDelayMs?: number;
  /** A send with no answer after this long is sent again (same clientId). */
  answerTimeoutMs?: number;
  /** When set, a lost socket is replaced through this, with a growing, jittered pause between attempts. */
  reconnect?: () => Promise<ChatSocket>;
  /** At least this long between two new clientIds (resends are not held back): a steady stream. */
  gapMs?: number;
  /** Called after each first acknowledgement of a clientId. */
  onAck?: (acked: Acked) => void;
}

/** Errors after which the same send may succeed later. */
const retryable = new Set(['unavailable', 'rate_limited', 'internal']);

/**
 * Sends `plan` in order for one member, keeping at most `inFlight` unanswered, and resends every
 * unacknowledged clientId (same body) until it is acknowledged or refused for good.
 */
export class Sender {
  /** The first acknowledgement of each clientId. */
  readonly acked = new Map<string, Acked>();
  /** clientIds whose later acknowledgement named another message than the first: a duplicate. */
  readonly ackConflicts: { clientId: string; first: string; later: string }[] = [];
  /** Sends refused with a code that retrying cannot fix. */
  readonly refused = new Map<string, Frame>();
  /** Error codes seen (including `timeout` for a send left unanswered), by count. */
  readonly errors = new Map<string, number>();
  /** Frames sent, resends included. */
  framesSent = 0;
  reconnects = 0;

  readonly #plan: Outgoing[];
  readonly #byClientId: Map<string, Outgoing>;
  #nextNew = 0;
  readonly #resend: Outgoing[] = [];
  readonly #inFlight = new Map<string, number>();
  readonly #retryTimers = new Set<NodeJS.Timeout>();
  readonly #options: Required<Omit<SenderOptions, 'reconnect' | 'onAck'>> & SenderOptions;
  #lastNewAt = 0;
  #gapTimer: NodeJS.Timeout | undefined;
  #socket: ChatSocket | undefined;
  #detachSocket: (() => void) | undefined;
  #closed = false;
  readonly #tick: NodeJS.Timeout;

  constructor(
    readonly member: Member,
    plan: Outgoing[],
    options: SenderOptions = {},
  ) {
    this.#plan = [...plan];
    this.#byClientId = new Map(plan.map((out) => [out.clientId, out]));
    this.#options = { inFlight: 3, retryDelayMs: 150, answerTimeoutMs: 5_000, gapMs: 0, ...options };
    this.#tick = setInterval(() => this.#expireUnanswered(), 100);
    this.#tick.unref();
  }

  get socket(): ChatSocket | undefined {
    return this.#socket;
  }

  /** clientIds sent at least once and not yet acknowledged or refused. */
  get unanswered(): number {
    return this.attempted - this.acked.size - this.refused.size;
  }

  /** clientIds sent at least once. */
  get attempted(): number {
    return this.#nextNew;
  }

  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** Every planned clientId is acknowledged or refused. */
  get done(): boolean {
    return this.acked.size + this.refused.size === this.#plan.length;
  }

  get planned(): number {
    return this.#plan.length;
  }

  /** Sends from now on go through `socket`. */
  attach(socket: ChatSocket): void {
    this.#detach();
    this.#socket = socket;
    const stopFrames = socket.onFrame((frame) => this.#onFrame(frame));
    const stopClose = socket.onClose(() => {
      if (this.#socket !== socket) return;
      this.#detach();
      if (this.#options.reconnect && !this.#closed) void this.#reconnect();
    });
    this.#detachSocket = () => {
      stopFrames();
      stopClose();
    };
    if (socket.closed) {
      this.#detach();
      return;
    }
    this.#pump();
  }

  /** No new clientIds from now on: only those already sent are carried through. */
  stopNew(): void {
    this.#plan.length = this.#nextNew;
  }

  close(): void {
    this.#closed = true;
    clearInterval(this.#tick);
    clearTimeout(this.#gapTimer);
    for (const timer of this.#retryTimers) clearTimeout(timer);
    this.#retryTimers.clear();
    this.#detach();
  }

  describe(): string {
    return `${this.member.username}: ${this.acked.size}/${this.#plan.length} acked, ${this.#inFlight.size} in flight, ${this.#resend.length} to resend, ${this.refused.size} refused, socket ${this.#socket ? 'open' : 'none'}`;
  }

  #detach(): void {
    this.#detachSocket?.();
    this.#detachSocket = undefined;
    this.#socket = undefined;
    // Whatever was in flight on that socket has no answer coming: send it again on the next one.
    for (const clientId of this.#inFlight.keys()) this.#queueResend(clientId);
    this.#inFlight.clear();
  }

  async #reconnect(): Promise<void> {
    let pause = 100;
    for (let attempt = 0; attempt < 200 && !this.#closed; attempt += 1) {
      // Half fixed, half random, as the web app does: clients dropped together don't return together.
      await delay(pause / 2 + (Math.random() * pause) / 2);
      pause = Math.min(pause * 2, 1_000);
      try {
        const socket = await this.#options.reconnect!();
        if (this.#closed) {
          socket.close();
          return;
        }
        this.reconnects += 1;
        this.attach(socket);
        return;
      } catch {
        // The server or its database is not back yet.
      }
    }
  }

  #queueResend(clientId: string): void {
    const out = this.#byClientId.get(clientId);
    if (!out || this.acked.has(clientId) || this.refused.has(clientId)) return;
    if (!this.#resend.some((queued) => queued.clientId === clientId)) this.#resend.push(out);
  }

  #pump(): void {
    const socket = this.#socket;
    // At most `inFlight` clientIds are outstanding (sent and not yet answered for good, retries waiting
    // included): a client that keeps failing does not pile up new messages.
    while (socket?.open && this.#inFlight.size < this.#options.inFlight) {
      let out = this.#resend.shift();
      if (!out && this.unanswered < this.#options.inFlight && this.#nextNew < this.#plan.length) {
        const wait = this.#lastNewAt + this.#options.gapMs - Date.now();
        if (wait > 0) {
          this.#gapTimer ??= setTimeout(() => {
            this.#gapTimer = undefined;
            this.#pump();
          }, wait);
          return;
        }
        this.#lastNewAt = Date.now();
        out = this.#plan[this.#nextNew++];
      }
      if (!out) return;
      if (this.acked.has(out.clientId) || this.refused.has(out.clientId) || this.#inFlight.has(out.clientId)) continue;
      this.#inFlight.set(out.clientId, Date.now());
      this.framesSent += 1;
      socket.send({ type: 'send', room: out.room, clientId: out.clientId, body: out.body });
    }
  }

  #count(code: string): void {
    this.errors.set(code, (this.errors.get(code) ?? 0) + 1);
  }

  #onFrame(frame: Frame): void {
    if (frame.type === 'ack' && typeof frame.clientId === 'string' && this.#byClientId.has(frame.clientId)) {
      const clientId = frame.clientId;
      const message = frame.message as Message;
      this.#inFlight.delete(clientId);
      const first = this.acked.get(clientId);
      if (first) {
        if (first.id !== message.id) this.ackConflicts.push({ clientId, first: first.id, later: message.id });
      } else {
        const out = this.#byClientId.get(clientId)!;
        const acked: Acked = { clientId, room: out.room, body: out.body, id: message.id, seq: message.seq };
        this.acked.set(clientId, acked);
        this.#options.onAck?.(acked);
      }
      this.#pump();
    } else if (frame.type === 'error') {
      this.#count(String(frame.code));
      const ref = typeof frame.ref === 'string' ? frame.ref : undefined;
      if (ref === undefined || !this.#byClientId.has(ref)) return; // no send named: the answer timeout covers it
      this.#inFlight.delete(ref);
      if (retryable.has(String(frame.code))) {
        const timer = setTimeout(() => {
          this.#retryTimers.delete(timer);
          this.#queueResend(ref);
          this.#pump();
        }, this.#options.retryDelayMs);
        this.#retryTimers.add(timer);
      } else if (!this.acked.has(ref)) {
        this.refused.set(ref, frame);
      }
      this.#pump();
    }
  }

  #expireUnanswered(): void {
    const limit = Date.now() - this.#options.answerTimeoutMs;
    let expired = false;
    for (const [clientId, sentAt] of this.#inFlight) {
      if (sentAt > limit) continue;
      this.#inFlight.delete(clientId);
      this.#count('timeout');
      this.#queueResend(clientId);
      expired = true;
    }
    if (expired) this.#pump();
  }
}

/** `count` messages for `member`, alternating over `rooms`, with clientIds and bodies unique to this run. */
export function planMessages(member: Member, tag: string, count: number, rooms: string[]): Outgoing[] {
  return Array.from({ length: count }, (_, k) => {
    const clientId = `${tag}-${member.username}-${k}`;
    return { clientId, room: rooms[k % rooms.length]!, body: `Thinking of you all tonight (${clientId})` };
  });
}

/** Summed error counts of several senders, e.g. `{ unavailable: 12, timeout: 1 }`. */
export function errorCounts(senders: Sender[]): Record<string, number> {
  const total: Record<string, number> = {};
  for (const sender of senders) {
    for (const [code, n] of sender.errors) total[code] = (total[code] ?? 0) + n;
  }
  return total;
}
