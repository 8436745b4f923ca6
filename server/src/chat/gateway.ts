// The WebSocket gateway at /api/ws. The upgrade checks Origin and the session cookie; after that every
// frame is validated, and every write is authorized by the writer against the database at that moment
// (membership, lock, slow mode), not once at connect. A socket that falls too far behind is let go
// rather than slowing its room; a socket that stops answering pings is dropped. Each connection holds its
// member's personal filter (hidden warnings, blocked members), loaded at connect and reloaded when a
// `viewer-filter-changed` control message says it changed, so events reach it through that filter; the
// member's screens are then told (`notice` `view_changed`) to fetch again what they already show.
// What one member may ask besides writes is budgeted (budgets.ts): subscribes per socket and per member,
// taken one at a time per socket, each replay paced by its socket (replay.ts); sockets per member here.
import type {} from '@fastify/websocket';
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import {
  CLOSE_SERVICE_RESTART,
  CLOSE_SESSION_ENDED,
  CLOSE_TOO_MANY_SOCKETS,
  CLOSE_TOO_SLOW,
  ClientFrameSchema,
  FRAME_MAX_BYTES,
  LEGACY_LOVE,
  type ClientFrame,
  type ServerFrame,
} from '@kindred/shared';
import type { Database } from '@kindred/db';
import { loadViewerFilter, noFilter, type ViewerFilter } from '../accounts/blocks.ts';
import { ApiError } from '../errors.ts';
import type { OriginPolicy } from '../plugins/origins.ts';
import type { BatchedLimit } from '../limits/batched.ts';
import type { LimitCounters } from '../limits/counters.ts';
import { sendError, validationError } from '../plugins/errors.ts';
import { compileStrict } from '../plugins/validation.ts';
import type { RoomService } from '../rooms/service.ts';
import { performance } from 'node:perf_hooks';
import {
  MAX_SOCKETS_PER_MEMBER,
  SUBSCRIBE_LIMIT,
  replayAllowance,
  subscribeAllowance,
  SendAllowance,
  type Allowance,
} from './budgets.ts';
import type { ControlMessage } from './bus.ts';
import type { RoomFeeds, Subscriber } from './feeds.ts';
import { EventRun, forViewer, roomLastSeq, wsFrames, type PreparedEvent } from './messages.ts';
import { replayEvents } from './replay.ts';
import type { ChatWriter, WriteOp, WriteResult } from './writer.ts';

/** How many missed events a resuming socket is sent; beyond that it reloads history over HTTP. */
export const MAX_REPLAY = 1000;
/**
 * A socket with more than this waiting to be written is behind; if it is still behind SLOW_GRACE_MS later,
 * it is let go. A reader that keeps up drains a burst well within that (even a large one, on a busy
 * machine); one that stopped reading does not.
 */
const MAX_BUFFERED_BYTES = 1024 * 1024;
const SLOW_GRACE_MS = 5_000;
/** Let go at once past this: the most a socket may ever hold waiting. */
const HARD_BUFFERED_BYTES = 8 * 1024 * 1024;
/** A replay writes its next piece once the socket holds no more than this waiting to be written. */
const REPLAY_LOW_WATER_BYTES = 64 * 1024;
const HEARTBEAT_MS = 30_000;
/** Where every socket's turn of subscribes starts: one promise for all, not one more object per socket. */
const settled = Promise.resolve();

export interface GatewayOptions {
  db: Database;
  rooms: RoomService;
  feeds: RoomFeeds;
  /** The counters that hold across instances: each member's subscribes. */
  limits: LimitCounters;
  writer: ChatWriter;
  /** Which origins may open a socket (plugins/origins.ts). */
  origins: OriginPolicy;
  /** Told each frame a rate limit refused (metrics). */
  onRateLimited?: (what: 'chat_message' | 'chat_subscribe') => void;
  messageLimitPerMinute: number;
  /** The same limit, counted across instances in batches. */
  sharedMessageLimit: BatchedLimit;
  now: () => Date;
  /** Sees every stored send and edit; may return a private notice for its writer (e.g. crisis resources). */
  onWritten?: (
    message: { id: string; roomId: string; body: string },
    author: { id: string; country: string | null },
  ) => Record<string, unknown> | undefined | Promise<Record<string, unknown> | undefined>;
  /** Follows a member's counts (unread notices, the review queue) on the sockets that ask (live-counts.ts). */
  counts: { follow(socket: Connection, userId: string): void; unfollow(socket: Connection, userId: string): void };
  /** Who has a socket in each room (reads/presence.ts): told of every subscription that starts and ends. */
  presence?: {
    enter(socket: Connection, roomId: string, slug: string, userId: string): void;
    leave(socket: Connection, roomId: string, userId: string): void;
  };
}

type FrameType = ClientFrame['type'];
const frameValidators = new Map(
  (ClientFrameSchema.anyOf as { properties: { type: { const: FrameType } } }[]).map((variant) => [
    variant.properties.type.const,
    compileStrict(variant),
  ]),
);

/**
 * The websocket plugin's `preClose`: at shutdown every socket is closed with 1012 (service restart), so
 * clients reconnect at once (to another instance, or to this one when it is back) rather than wondering.
 */
export function closeSocketsForRestart(this: FastifyInstance, done: () => void): void {
  for (const client of this.websocketServer.clients) client.close(CLOSE_SERVICE_RESTART, 'service restart');
  this.websocketServer.close();
  done();
}

export function registerChatGateway(app: FastifyInstance, options: GatewayOptions) {
  const connections = new Set<Connection>();
  /** Each member's connections here, oldest first (a Set keeps the order they were added in). */
  const byMember = new Map<string, Set<Connection>>();
  /**
   * Each member's replayed events here, over all their sockets; kept after their last socket closes until it
   * is full again, so reconnecting does not start a new allowance.
   */
  const replays = new Map<string, Allowance>();
  const allowance = new SendAllowance(options.messageLimitPerMinute);
  const ofMember = (userId: string): Iterable<Connection> => byMember.get(userId) ?? [];

  const heartbeat = setInterval(() => {
    for (const connection of connections) connection.heartbeat();
    const now = performance.now();
    for (const [userId, replay] of replays) if (!byMember.has(userId) && replay.isFull(now)) replays.delete(userId);
  }, HEARTBEAT_MS);
  heartbeat.unref();
  app.addHook('onClose', async () => clearInterval(heartbeat));

  app.get(
    '/api/ws',
    {
      websocket: true,
      schema: { hide: true },
      // Refused before the upgrade, as plain HTTP answers.
      preValidation: async (request: FastifyRequest, reply) => {
        if (!options.origins.accepts(request.headers.origin))
          return sendError(reply, options.origins.refusal('connection'));
        if (!request.auth) return sendError(reply, new ApiError('unauthenticated', 'Please sign in to chat.'));
      },
    },
    (socket, request) => {
      // Keep nothing of the upgrade request alive for the socket's lifetime (it would be ~7 KiB a
      // socket): @fastify/websocket's error listener holds the request and reply, and its stand-in
      // response stays attached to the TCP socket. The Connection keeps what it needs and listens itself.
      socket.removeAllListeners('error');
      const tcp = request.raw.socket as typeof request.raw.socket & { _httpMessage?: ServerResponse | null };
      tcp._httpMessage?.detachSocket(tcp);
      const userId = request.auth!.user.id;
      // Pacing is not a rule about time the test clock should move: it reads the process's own clock.
      if (!replays.has(userId)) replays.set(userId, replayAllowance(performance.now()));
      const replay = replays.get(userId)!;
      const connection = new Connection(socket, request, options, allowance, replay, () => {
        connections.delete(connection);
        const mine = byMember.get(connection.userId);
        mine?.delete(connection);
        if (mine?.size === 0) byMember.delete(connection.userId);
      });
      connections.add(connection);
      request.auth = null;
      const mine = byMember.get(connection.userId) ?? new Set();
      byMember.set(connection.userId, mine);
      mine.add(connection);
      // A member's thousandth socket would cost everyone memory and fan-out: past the cap the oldest goes
      // (per instance: a member's sockets on other instances are not counted here).
      if (mine.size > MAX_SOCKETS_PER_MEMBER) {
        mine.values().next().value?.close(CLOSE_TOO_MANY_SOCKETS, 'too many sockets');
      }
    },
  );

  return {
    onControl(message: ControlMessage): void {
      if (message.type === 'sessions-ended') {
        const ended = new Set(message.sessionIds);
        for (const connection of connections) {
          if (ended.has(connection.sessionId)) connection.close(CLOSE_SESSION_ENDED, 'session ended');
        }
      } else if (message.type === 'viewer-filter-changed') {
        for (const connection of ofMember(message.userId)) connection.reloadFilter();
      } else if (message.type === 'membership-ended') {
        for (const connection of ofMember(message.userId)) connection.leaveRoom(message.roomId);
      } else if (message.type === 'user-notice' || message.type === 'member-frame') {
        const frame = JSON.stringify(message.type === 'user-notice' ? message.notice : message.frame);
        for (const connection of ofMember(message.userId)) connection.sendRaw(frame);
      }
    },
    get size() {
      return connections.size;
    },
  };
}

class RoomSubscription implements Subscriber {
  ready = false;
  sentSeq = 0;
  readonly pending: PreparedEvent[] = [];

  constructor(
    readonly roomId: string,
    readonly slug: string,
    private readonly connection: Connection,
  ) {}

  deliver(run: EventRun): void {
    if (!this.ready) {
      this.pending.push(...run.events);
      return;
    }
    this.#send(run);
  }

  goLive(): void {
    this.#send(new EventRun(this.pending.splice(0)));
    this.ready = true;
  }

  #send(run: EventRun): void {
    const after = this.sentSeq;
    const last = run.events.at(-1);
    if (!last || last.seq <= after) return;
    this.sentSeq = last.seq;
    this.connection.sendEvents(run, after);
  }
}

class Connection {
  readonly userId: string;
  readonly sessionId: string;
  readonly #isAdmin: boolean;
  readonly #joinedAt: Date;
  readonly #country: string | null;
  readonly #subscriptions = new Map<string, RoomSubscription>();
  #filter: ViewerFilter = noFilter;
  /** Frames are handled once the member's filter is known, so nothing reaches them unfiltered. */
  readonly #filterLoaded: Promise<void>;
  #filterGeneration = 0;
  #alive = true;
  #closed = false;
  /** Set while the socket is behind: checks again, SLOW_GRACE_MS after it fell behind. */
  #slowCheck: NodeJS.Timeout | undefined;
  readonly #subscribeAllowance: Allowance;
  /**
   * Subscribes and unsubscribes are handled one at a time, in the order they came: one replay at a time
   * per socket, and an unsubscribe never overtakes the subscribe before it.
   */
  #subscriptionTurn: Promise<void> = settled;

  constructor(
    private readonly socket: WebSocket,
    request: FastifyRequest,
    private readonly options: GatewayOptions,
    private readonly allowance: SendAllowance,
    private readonly replayAllowance: Allowance,
    private readonly onGone: () => void,
  ) {
    const auth = request.auth!;
    this.userId = auth.user.id;
    this.sessionId = auth.session.id;
    this.#isAdmin = auth.user.isAdmin;
    this.#joinedAt = auth.user.createdAt;
    this.#country = auth.user.country;
    this.#subscribeAllowance = subscribeAllowance(options.now().getTime());
    this.#filterLoaded = this.#loadFilter().then(
      () => {},
      () => this.close(1011, 'unavailable'),
    );
    socket.on('pong', () => (this.#alive = true));
    socket.on('message', (data, isBinary) => {
      this.#alive = true;
      if (isBinary) {
        this.send({ type: 'error', code: 'validation', message: 'Frames are JSON text.' });
        return;
      }
      void this.#handle(data.toString());
    });
    socket.on('close', () => this.#cleanUp());
    socket.on('error', () => this.#cleanUp());
  }

  heartbeat(): void {
    if (!this.#alive) {
      this.socket.terminate();
      return;
    }
    this.#alive = false;
    this.socket.ping();
  }

  /**
   * The member blocked or unblocked someone, or changed the warnings they hide: events from now on go
   * through the new filter, and the member's screens are told to fetch again what they already show (a
   * block made on the phone folds that person's words on the laptop at once).
   */
  reloadFilter(): void {
    this.#loadFilter().then(
      (kept) => kept && this.send({ type: 'notice', code: 'view_changed' }),
      () => {}, // the previous filter stays until the next change
    );
  }

  /** Loads the member's filter; of loads that overlap, only the newest one started is kept (true). */
  async #loadFilter(): Promise<boolean> {
    const generation = (this.#filterGeneration += 1);
    const filter = await loadViewerFilter(this.options.db, this.userId);
    if (generation !== this.#filterGeneration) return false;
    this.#filter = filter;
    return true;
  }

  /**
   * A room's events after `after`, through this member's filter, in one write. When the filter changes
   * none of them, these are the very bytes every other such socket of the room is sent.
   */
  sendEvents(run: EventRun, after: number): void {
    // Called for every socket of a room for every batch: the usual case (every event new to this socket,
    // none changed by its filter) allocates nothing, so that fan-out leaves little for the garbage collector.
    const { events } = run;
    let first = 0;
    while (first < events.length && events[first]!.seq <= after) first += 1;
    if (first === events.length || !this.#keepsUp()) return;
    let unchanged = first === 0;
    for (let i = first; unchanged && i < events.length; i += 1) {
      unchanged = events[i]!.frameFor(this.#filter) === events[i]!.frame;
    }
    // ws writes each frame whole and at once (no compression is negotiated, and nothing it sends waits in
    // a queue of its own), so whole frames written beside it never split one of its own.
    const sender = (this.socket as WebSocket & { _sender?: { sendFrame(list: Buffer[]): void } })._sender;
    if (sender) sender.sendFrame([unchanged ? run.wire : wsFrames(this.#framesOf(events, first))]);
    else for (const frame of this.#framesOf(events, first)) this.socket.send(frame, { binary: false }); // were ws ever to change
  }

  #framesOf(events: readonly PreparedEvent[], first: number): Buffer[] {
    return events.slice(first).map((event) => event.frameFor(this.#filter));
  }

  send(frame: ServerFrame): void {
    this.sendRaw(JSON.stringify(frame));
  }

  /** False, and the socket let go, when it has far more waiting to be written than a reader that keeps up. */
  #keepsUp(): boolean {
    if (this.#closed || this.socket.readyState !== this.socket.OPEN) return false;
    const waiting = this.socket.bufferedAmount;
    if (waiting > HARD_BUFFERED_BYTES) {
      this.close(CLOSE_TOO_SLOW, 'too far behind');
      return false;
    }
    if (waiting > MAX_BUFFERED_BYTES && !this.#slowCheck) {
      this.#slowCheck = setTimeout(() => {
        this.#slowCheck = undefined;
        if (this.socket.bufferedAmount > MAX_BUFFERED_BYTES) this.close(CLOSE_TOO_SLOW, 'too far behind');
      }, SLOW_GRACE_MS);
    }
    return true;
  }

  /** A serialized frame; bytes are sent as they are, as a text frame (they are UTF-8 JSON). */
  sendRaw(frame: string | Buffer): void {
    if (!this.#keepsUp()) return;
    if (typeof frame === 'string') this.socket.send(frame);
    else this.socket.send(frame, { binary: false });
  }

  close(code: number, reason: string): void {
    if (this.#closed) return;
    this.socket.close(code, reason);
    this.#cleanUp();
  }

  leaveRoom(roomId: string): void {
    const subscription = this.#subscriptions.get(roomId);
    if (!subscription) return;
    this.#unsubscribe(subscription);
    this.send({ type: 'unsubscribed', room: subscription.slug });
  }

  #cleanUp(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#slowCheck);
    for (const subscription of this.#subscriptions.values()) {
      this.options.feeds.unsubscribe(subscription.roomId, subscription);
      this.options.presence?.leave(this, subscription.roomId, this.userId);
    }
    this.#subscriptions.clear();
    this.options.counts.unfollow(this, this.userId);
    this.onGone();
  }

  #unsubscribe(subscription: RoomSubscription): void {
    this.options.feeds.unsubscribe(subscription.roomId, subscription);
    this.options.presence?.leave(this, subscription.roomId, this.userId);
    this.#subscriptions.delete(subscription.roomId);
  }

  async #handle(text: string): Promise<void> {
    if (Buffer.byteLength(text) > FRAME_MAX_BYTES) return; // ws already closes with 1009
    await this.#filterLoaded;
    let frame: ClientFrame;
    try {
      frame = this.#parse(text);
    } catch (error) {
      const apiError = error instanceof ApiError ? error : new ApiError('validation', 'That frame is not valid JSON.');
      const field = apiError.field ? { field: apiError.field } : {};
      this.send({ type: 'error', code: apiError.code, message: apiError.message, ...field, ...refOf(text) });
      return;
    }
    try {
      switch (frame.type) {
        case 'ping':
          this.send({ type: 'pong' });
          return;
        case 'counts':
          this.options.counts.follow(this, this.userId);
          return;
        case 'subscribe': {
          const wait = await this.#takeSubscribe();
          if (wait > 0) {
            this.options.onRateLimited?.('chat_subscribe');
            this.send({
              type: 'error',
              code: 'rate_limited',
              room: frame.room,
              retryAfter: wait,
              message: `${SUBSCRIBE_LIMIT.message} Please wait ${wait} seconds — nothing is lost.`,
            });
            return;
          }
          await this.#inTurn(() => this.#subscribe(frame.room, frame.since));
          return;
        }
        case 'unsubscribe':
          await this.#inTurn(async () => {
            const subscription = [...this.#subscriptions.values()].find((s) => s.slug === frame.room);
            if (subscription) this.#unsubscribe(subscription);
            this.send({ type: 'unsubscribed', room: frame.room });
          });
          return;
        case 'send':
          await this.#write(frame.clientId, {
            kind: 'send',
            author: this.#author(),
            roomSlug: frame.room,
            clientId: frame.clientId,
            body: frame.body,
            replyTo: frame.replyTo,
            contentWarnings: frame.contentWarnings,
          });
          return;
        case 'edit':
          await this.#write(frame.messageId, {
            kind: 'edit',
            author: this.#author(),
            messageId: frame.messageId,
            body: frame.body,
            contentWarnings: frame.contentWarnings,
          });
          return;
        case 'delete':
          await this.#write(frame.messageId, { kind: 'delete', author: this.#author(), messageId: frame.messageId });
          return;
        case 'react':
          await this.#write(frame.messageId, {
            kind: 'react',
            author: this.#author(),
            messageId: frame.messageId,
            // A client from before the shared set says `heart` for love.
            reaction: frame.kind === LEGACY_LOVE ? 'love' : frame.kind,
            on: frame.on ?? true,
          });
          return;
      }
    } catch {
      this.send({
        type: 'error',
        code: 'internal',
        message: 'Something went wrong on our side. Please try again.',
        ...refOf(text),
      });
    }
  }

  #parse(text: string): ClientFrame {
    const value: unknown = JSON.parse(text);
    const type = (value as { type?: unknown } | null)?.type;
    const validate = typeof type === 'string' ? frameValidators.get(type as FrameType) : undefined;
    if (!validate) throw new ApiError('validation', 'That frame has no known type.', 'type');
    if (!validate(value)) throw validationError(validate.errors as never, 'body');
    return value as ClientFrame;
  }

  #author() {
    return { id: this.userId, isAdmin: this.#isAdmin, joinedAt: this.#joinedAt };
  }

  async #write(ref: string, op: WriteOp): Promise<void> {
    const now = this.options.now();
    let wait = this.allowance.take(this.userId, now.getTime());
    if (wait === 0) {
      try {
        await this.options.sharedMessageLimit.take(this.userId, now);
      } catch (error) {
        if (!(error instanceof ApiError) || error.retryAfter === undefined) throw error;
        wait = error.retryAfter;
      }
    }
    if (wait > 0) {
      this.options.onRateLimited?.('chat_message');
      this.send({
        type: 'error',
        code: 'rate_limited',
        ref,
        retryAfter: wait,
        message: `That's a lot of messages at once. Please wait ${wait} seconds — your message is kept.`,
      });
      return;
    }
    const result: WriteResult = await this.options.writer.submit(op);
    if (!result.ok) {
      this.send({
        type: 'error',
        code: result.code,
        message: result.message,
        ref,
        ...(result.until ? { until: result.until } : {}),
      });
      return;
    }
    const message = forViewer(result.message, this.userId, false, this.#filter);
    if (op.kind === 'send') this.send({ type: 'ack', clientId: op.clientId, message });
    else this.send({ type: 'done', ref });
    if ((op.kind === 'send' || op.kind === 'edit') && !result.duplicate && this.options.onWritten) {
      const notice = this.options.onWritten(
        { id: result.message.id, roomId: result.roomId, body: op.body },
        { id: this.userId, country: this.#country },
      );
      void Promise.resolve(notice).then((frame) => frame && this.sendRaw(JSON.stringify(frame)));
    }
  }

  /**
   * Spends one subscribe of this socket's allowance, then one of the member's (in the database, across
   * instances). 0 when allowed, else seconds to wait.
   */
  async #takeSubscribe(): Promise<number> {
    const now = this.options.now();
    const wait = this.#subscribeAllowance.take(1, now.getTime());
    if (wait > 0) return wait;
    return this.options.limits.hit(SUBSCRIBE_LIMIT, this.userId, now);
  }

  #inTurn(task: () => Promise<void>): Promise<void> {
    const turn = this.#subscriptionTurn.then(task);
    this.#subscriptionTurn = turn.catch(() => {}); // the failure is answered by #handle, once
    return turn;
  }

  /**
   * Resolves true once this socket has written out all but REPLAY_LOW_WATER_BYTES of what it holds; false
   * when it closes, or when it does not drain within SLOW_GRACE_MS (then it is let go, as too slow).
   */
  async #writable(): Promise<boolean> {
    const tcp = (this.socket as WebSocket & { _socket?: Socket })._socket;
    while (
      !this.#closed &&
      tcp &&
      this.socket.bufferedAmount > REPLAY_LOW_WATER_BYTES &&
      // 'drain' comes only after a write that found the buffer full.
      tcp.writableNeedDrain
    ) {
      const drained = await new Promise<boolean>((resolve) => {
        const done = (ok: boolean) => {
          clearTimeout(timer);
          tcp.off('drain', onDrain);
          tcp.off('close', onClose);
          resolve(ok);
        };
        const onDrain = () => done(true);
        const onClose = () => done(false);
        const timer = setTimeout(() => done(false), SLOW_GRACE_MS);
        tcp.on('drain', onDrain);
        tcp.on('close', onClose);
      });
      if (!drained) this.close(CLOSE_TOO_SLOW, 'too far behind');
    }
    return !this.#closed && this.socket.readyState === this.socket.OPEN;
  }

  async #subscribe(slug: string, since: number | undefined): Promise<void> {
    if (this.#closed) return;
    const { rooms, feeds, db } = this.options;
    let room;
    try {
      room = await rooms.findRoom(slug, this.userId);
    } catch {
      this.send({ type: 'error', code: 'not_found', message: 'There is no room at this address.', room: slug });
      return;
    }
    if (!(await rooms.membership(room.id, this.userId))) {
      this.send({ type: 'error', code: 'not_a_member', message: 'Please join this room first.', room: slug });
      return;
    }
    const previous = this.#subscriptions.get(room.id);
    if (previous) this.#unsubscribe(previous);
    const subscription = new RoomSubscription(room.id, slug, this);
    this.#subscriptions.set(room.id, subscription);
    await feeds.subscribe(room.id, subscription);
    // Unless it ended meanwhile (the socket closed, or an unsubscribe came): then nothing is left to count.
    if (!this.#closed && this.#subscriptions.get(room.id) === subscription) {
      this.options.presence?.enter(this, room.id, slug, this.userId);
    }

    const lastSeq = await roomLastSeq(db, room.id);
    this.send({ type: 'subscribed', room: slug, lastSeq });
    if (since !== undefined && since < lastSeq) {
      if (lastSeq - since > MAX_REPLAY) {
        this.send({ type: 'resync', room: slug });
      } else {
        const complete = await replayEvents(db, room.id, since, lastSeq, {
          writable: () => this.#writable(),
          wanted: () => !this.#closed && this.#subscriptions.get(room.id) === subscription,
          write: (run, after) => this.sendEvents(run, after),
          pace: (events) => this.replayAllowance.reserve(events, performance.now()),
        });
        if (!complete) return;
      }
    }
    // Live events that came while the replay was written were kept; they follow it now.
    subscription.sentSeq = lastSeq;
    subscription.goLive();
  }
}

/** Lets an error about a malformed send still name the clientId it was about, when one can be read. */
function refOf(text: string): { ref?: string } {
  try {
    const value = JSON.parse(text) as { clientId?: unknown; messageId?: unknown };
    const ref = typeof value.clientId === 'string' ? value.clientId : value.messageId;
    return typeof ref === 'string' && ref.length <= 64 ? { ref } : {};
  } catch {
    return {};
  }
}

export type ChatGateway = ReturnType<typeof registerChatGateway>;
