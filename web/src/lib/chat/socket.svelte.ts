// The one WebSocket of a tab (/api/ws). It opens when a room (or the member's live counts, which a
// signed-in tab follows) first needs it and closes when nothing does, reconnects by itself with a
// jittered backoff, and keeps each followed room's place in the event stream: the last seq applied.
// After any drop it subscribes again with `since`, so the server replays exactly what was missed; a jump
// in seq means a frame went missing, and the same resubscribe fills it.
// Writes (send, edit, delete, react) are requests answered by ack/done or an error naming them.
// A server going down closes with 1012 and is tried again after the first, short backoff step. A subscribe
// refused for being one of too many (`rate_limited`) is sent again after the wait the server names. A socket
// closed because the member has too many open (4409) pauses instead of reconnecting, which would only
// close the next oldest: it comes back when its tab is looked at again, or when the member asks.
// Only `status` is rune state; the bookkeeping maps are never rendered, so they stay plain.
/* eslint-disable svelte/prefer-svelte-reactivity */
import type { CrisisResources } from '@kindred/shared';
import { noticeInbox } from '$lib/moderation/notices.svelte';
import { CLOSE_SESSION_ENDED, CLOSE_TOO_MANY_SOCKETS, type ClientFrame, type ServerFrame } from '@kindred/shared';
import { api } from '$lib/api';
import { session } from '$lib/session.svelte';
import { presence } from './presence.svelte';
import { reads } from './reads.svelte';

/** `paused`: closed by the server because the member has Kindred open in many other places (4409). */
export type SocketStatus = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'offline' | 'paused';

export type EventFrame = Extract<ServerFrame, { type: 'event' }>;
/** The member's live counts (unread notices; the review queue, for staff). */
export type CountsFrame = Extract<ServerFrame, { type: 'queue' | 'notices' }>;
type WriteFrame = Extract<ClientFrame, { type: 'send' | 'edit' | 'delete' | 'react' }>;
type Answer = Extract<ServerFrame, { type: 'ack' | 'done' }>;

/** What a room's conversation hears from the socket. */
export interface RoomFeed {
  /** Each event exactly once and in seq order; `missed` when it happened while this tab was away. */
  event(frame: EventFrame, missed: boolean): void;
  /** The room is live (again): the moment to resend whatever waits in the outbox. */
  subscribed(): void;
  /** Too much was missed to replay: reload history over HTTP. The subscription stays live. */
  resync(): void;
  /**
   * The member's blocks or hidden warnings changed (maybe on another device), or may have while this tab
   * was away: fetch again what is shown.
   */
  viewChanged(): void;
  /** The server won't send this room (not a member any more, say); nothing more will come. */
  refused(code: string, message: string): void;
}

/** A write the server refused, or one that could not be sent; `message` is written for people. */
export class ChatRequestError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ChatRequestError';
  }
}

export const offlineMessage = "You're offline just now, so that didn't go through. Please try again when you're back.";
const noAnswerMessage = "We didn't hear back about that, so it may not have gone through. Please try again.";

/** An app-level ping this often keeps proxies from closing a quiet socket and shows us a dead one. */
export const HEARTBEAT_MS = 25_000;
/** No answer to a ping (or anything else) within this long, and the socket is taken for dead. */
export const PONG_TIMEOUT_MS = 10_000;
/**
 * A write with no answer after this long is given up on (the server answers an unexpected failure with
 * an error that names no write). A send given up on is sent again later with its clientId, so it is safe.
 */
export const ANSWER_TIMEOUT_MS = 20_000;
/** A socket that has not opened within this long is given up and tried again. */
const OPEN_TIMEOUT_MS = 10_000;
const FIRST_RETRY_MS = 500;
export const MAX_RETRY_MS = 10_000;
/** Moving between rooms unfollows one and follows the next: keep the socket through that moment. */
const IDLE_CLOSE_MS = 3_000;
/** A 4401 close also arrives when the member signs out here; give that sign-out time to finish first. */
const SESSION_END_GRACE_MS = 1_000;

/** The wait before reconnect attempt `attempt` (0-based): doubling from 0.5 s up to 10 s, jittered. */
export function retryDelay(attempt: number, random = Math.random): number {
  const ceiling = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** attempt);
  // Half fixed, half random: many tabs dropped by one restart don't all come back in the same instant.
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

interface Followed {
  feed: RoomFeed;
  /** The seq of the last event applied; resubscribing with it as `since` replays what came after. */
  lastSeq: number;
  /** The room's lastSeq when it was last subscribed: the server goes live from there. */
  liveFrom: number;
  /** Events up to this seq are replays of what happened while this tab was away. */
  missedUpTo: number;
  /** A subscribe is on its way; events that don't follow on are left for its replay. */
  subscribing: boolean;
  /** True after a drop, so the replay that follows counts as missed while away. */
  away: boolean;
}

interface Waiting {
  resolve: (answer: Answer) => void;
  reject: (error: ChatRequestError) => void;
  timer: ReturnType<typeof setTimeout>;
}

export class ChatSocket {
  status = $state<SocketStatus>('idle');
  /**
   * Crisis lines the server sent this tab, privately, after its member wrote words that suggest risk, and
   * whether a moderator of the room who may see them was on duty then.
   */
  crisis = $state<{ resources: CrisisResources; moderatorOnDuty: boolean } | null>(null);

  #socket: WebSocket | null = null;
  readonly #rooms = new Map<string, Followed>();
  /** Unsubscribes we sent, per room, whose "unsubscribed" answer is still to come. */
  readonly #unsubscribing = new Map<string, number>();
  /** Writes waiting for their answer, by ref (clientId or messageId), oldest first. */
  readonly #waiting = new Map<string, Waiting[]>();
  #attempt = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #idleTimer: ReturnType<typeof setTimeout> | undefined;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #deadline: ReturnType<typeof setTimeout> | undefined;
  /** Subscribes the server asked us to send again later (rate_limited). */
  readonly #resubscribes = new Set<ReturnType<typeof setTimeout>>();
  #listening = false;
  /** Whoever follows the member's counts; the socket stays open for them as it does for a room. */
  readonly #counts = new Set<(frame: CountsFrame) => void>();

  constructor(private readonly url: () => string = defaultUrl) {}

  /**
   * Follows a room from `since` (the lastSeq its history was loaded at) until the returned function is
   * called. One feed per room: following it again replaces the earlier feed.
   */
  follow(room: string, since: number, feed: RoomFeed): () => void {
    const followed: Followed = {
      feed,
      lastSeq: since,
      liveFrom: since,
      missedUpTo: 0,
      subscribing: false,
      away: false,
    };
    this.#rooms.set(room, followed);
    clearTimeout(this.#idleTimer);
    if (this.#socket?.readyState === WebSocket.OPEN) this.#subscribe(room, followed);
    else this.#connect();
    return () => {
      if (this.#rooms.get(room) !== followed) return;
      this.#rooms.delete(room);
      if (this.#socket?.readyState === WebSocket.OPEN) {
        this.#unsubscribing.set(room, (this.#unsubscribing.get(room) ?? 0) + 1);
        this.#send({ type: 'unsubscribe', room });
      }
      if (!this.#wanted()) this.#idleTimer = setTimeout(() => this.#close('idle'), IDLE_CLOSE_MS);
    };
  }

  /**
   * Follows the member's counts until the returned function is called: asked for on every (re)connect, and
   * told live as they change.
   */
  watchCounts(listener: (frame: CountsFrame) => void): () => void {
    this.#counts.add(listener);
    clearTimeout(this.#idleTimer);
    if (this.#socket?.readyState === WebSocket.OPEN) this.#send({ type: 'counts' });
    else this.#connect();
    return () => {
      this.#counts.delete(listener);
      if (!this.#wanted()) this.#idleTimer = setTimeout(() => this.#close('idle'), IDLE_CLOSE_MS);
    };
  }

  /** A room or the counts need the socket. */
  #wanted(): boolean {
    return this.#rooms.size > 0 || this.#counts.size > 0;
  }

  /** Sends a write and waits for its answer. Rejects at once when the socket is not open. */
  request(frame: WriteFrame & { type: 'send' }): Promise<Extract<Answer, { type: 'ack' }>>;
  request(frame: WriteFrame): Promise<Answer>;
  request(frame: WriteFrame): Promise<Answer> {
    if (this.#socket?.readyState !== WebSocket.OPEN) {
      return Promise.reject(new ChatRequestError('offline', offlineMessage));
    }
    const ref = frame.type === 'send' ? frame.clientId : frame.messageId;
    return new Promise((resolve, reject) => {
      const queue = this.#waiting.get(ref) ?? [];
      const waiting: Waiting = {
        resolve,
        reject,
        timer: setTimeout(() => {
          queue.splice(queue.indexOf(waiting), 1);
          if (queue.length === 0 && this.#waiting.get(ref) === queue) this.#waiting.delete(ref);
          reject(new ChatRequestError('no_answer', noAnswerMessage));
        }, ANSWER_TIMEOUT_MS),
      };
      queue.push(waiting);
      this.#waiting.set(ref, queue);
      this.#send(frame);
    });
  }

  /** Tries to connect now rather than at the next backoff step, e.g. when the member presses Retry. */
  reconnectNow(): void {
    if (this.#socket || !this.#wanted()) return;
    this.#attempt = 0;
    this.#connect();
  }

  #connect(): void {
    if (this.#socket) return;
    clearTimeout(this.#retryTimer);
    this.#listen();
    if (!navigator.onLine) {
      // Nothing to try until the browser says the network is back (the "online" event).
      this.status = 'offline';
      return;
    }
    this.status = this.status === 'idle' ? 'connecting' : 'reconnecting';
    const socket = new WebSocket(this.url());
    this.#socket = socket;
    let opened = false;
    this.#deadline = setTimeout(() => this.#drop(socket, false), OPEN_TIMEOUT_MS);
    socket.onopen = () => {
      opened = true;
      this.#stillAlive();
      this.#heartbeat = setInterval(() => this.#ping(), HEARTBEAT_MS);
      for (const [room, followed] of this.#rooms) this.#subscribe(room, followed);
      if (this.#counts.size > 0) this.#send({ type: 'counts' });
    };
    socket.onmessage = (event: MessageEvent) => {
      this.#stillAlive();
      // Open once the server speaks, not when the socket opens: a proxy whose server is gone may accept
      // and drop at once, and that must count as a failed attempt (backoff grows, no "open" flicker).
      if (this.status !== 'open') {
        this.status = 'open';
        this.#attempt = 0;
      }
      let frame: ServerFrame;
      try {
        frame = JSON.parse(String(event.data)) as ServerFrame;
      } catch {
        return;
      }
      this.#receive(frame);
    };
    socket.onclose = (event: CloseEvent) => {
      if (event.code === CLOSE_SESSION_ENDED) {
        this.#close('idle');
        setTimeout(() => {
          // Signing out here also ends the session; only a session that ended elsewhere sends the member to sign in.
          if (session.user && this.#wanted()) void session.expire();
        }, SESSION_END_GRACE_MS);
        return;
      }
      if (event.code === CLOSE_TOO_MANY_SOCKETS) {
        for (const followed of this.#rooms.values()) followed.away = true;
        this.#close('paused');
        return;
      }
      this.#drop(socket, opened);
    };
  }

  /** The socket is gone (closed, timed out, or the network went): fail its waiting writes and try again. */
  #drop(socket: WebSocket, opened: boolean): void {
    if (this.#socket !== socket) return;
    this.#close(navigator.onLine ? 'reconnecting' : 'offline');
    if (!this.#wanted()) {
      this.status = 'idle';
      return;
    }
    for (const followed of this.#rooms.values()) followed.away = true;
    if (this.status === 'offline') return;
    this.#retryTimer = setTimeout(() => this.#connect(), retryDelay(this.#attempt));
    this.#attempt += 1;
    // A socket refused before it opened may mean the session ended while we were away (the upgrade
    // answers 401 and the browser can't tell us why); the session endpoint can.
    if (!opened) void this.#checkSession();
  }

  /** Closes the socket, if any, without reconnecting, and settles everything that waited on it. */
  #close(status: SocketStatus): void {
    const socket = this.#socket;
    this.#socket = null;
    this.status = status;
    clearInterval(this.#heartbeat);
    clearTimeout(this.#deadline);
    clearTimeout(this.#retryTimer);
    clearTimeout(this.#idleTimer);
    for (const timer of this.#resubscribes) clearTimeout(timer);
    this.#resubscribes.clear();
    this.#unsubscribing.clear();
    for (const followed of this.#rooms.values()) followed.subscribing = false;
    if (socket) {
      socket.onopen = socket.onmessage = socket.onclose = null;
      if (socket.readyState === WebSocket.CONNECTING || socket.readyState === WebSocket.OPEN) socket.close(1000);
    }
    const waiting = [...this.#waiting.values()].flat();
    this.#waiting.clear();
    for (const { reject, timer } of waiting) {
      clearTimeout(timer);
      reject(new ChatRequestError('offline', offlineMessage));
    }
  }

  async #checkSession(): Promise<void> {
    try {
      const { user } = await api.get<{ user: unknown }>('/api/session');
      if (!user && session.user) {
        this.#close('idle');
        await session.expire();
      }
    } catch {
      // Still unreachable: the backoff carries on.
    }
  }

  #listen(): void {
    if (this.#listening || typeof window === 'undefined') return;
    this.#listening = true;
    // The browser knows before the socket does: close at once (writes then go to the outbox, never
    // into a socket that may be dead), and come back as soon as the network does.
    window.addEventListener('offline', () => {
      if (!this.#wanted()) return;
      for (const followed of this.#rooms.values()) followed.away = true;
      this.#close('offline');
    });
    window.addEventListener('online', () => this.reconnectNow());
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState !== 'visible') return;
      if (this.status === 'reconnecting' || this.status === 'paused') this.reconnectNow();
    });
  }

  #ping(): void {
    this.#send({ type: 'ping' });
    clearTimeout(this.#deadline);
    this.#deadline = setTimeout(() => {
      if (this.#socket) this.#drop(this.#socket, true);
    }, PONG_TIMEOUT_MS);
  }

  /** Any frame shows the socket is alive: the pong we wait for, or anything else. */
  #stillAlive(): void {
    clearTimeout(this.#deadline);
  }

  #send(frame: ClientFrame): void {
    this.#socket?.send(JSON.stringify(frame));
  }

  #subscribe(room: string, followed: Followed): void {
    followed.subscribing = true;
    this.#send({ type: 'subscribe', room, since: followed.lastSeq });
  }

  #receive(frame: ServerFrame): void {
    switch (frame.type) {
      case 'subscribed': {
        const followed = this.#rooms.get(frame.room);
        if (!followed) return;
        followed.subscribing = false;
        followed.liveFrom = frame.lastSeq;
        const wasAway = followed.away;
        if (wasAway) followed.missedUpTo = frame.lastSeq;
        followed.away = false;
        followed.feed.subscribed();
        // A block or filter change made elsewhere while this tab was away sent it no notice.
        if (wasAway) followed.feed.viewChanged();
        return;
      }
      case 'event':
        this.#event(frame);
        return;
      case 'resync': {
        const followed = this.#rooms.get(frame.room);
        if (!followed) return;
        // The server goes live from the lastSeq it just told us; the HTTP reload covers everything before it.
        followed.lastSeq = Math.max(followed.lastSeq, followed.liveFrom);
        followed.feed.resync();
        return;
      }
      case 'ack':
        this.#settle(frame.clientId, (waiting) => waiting.resolve(frame));
        return;
      case 'done':
        this.#settle(frame.ref, (waiting) => waiting.resolve(frame));
        return;
      case 'error':
        if (frame.ref) {
          this.#settle(frame.ref, (waiting) => waiting.reject(new ChatRequestError(frame.code, frame.message)));
        } else if (frame.room && frame.code === 'rate_limited') {
          this.#subscribeLater(frame.room, frame.retryAfter ?? 1);
        } else if (frame.room) {
          this.#refuse(frame.room, frame.code, frame.message);
        } else {
          console.warn(`The chat server refused a frame: ${frame.code}`);
        }
        return;
      case 'unsubscribed': {
        const pending = this.#unsubscribing.get(frame.room) ?? 0;
        if (pending > 0) this.#unsubscribing.set(frame.room, pending - 1);
        else this.#refuse(frame.room, 'not_a_member', 'You are no longer a member of this room.');
        return;
      }
      case 'notice':
        if (frame.code === 'crisis_resources' && 'resources' in frame) {
          this.crisis = {
            resources: frame.resources as CrisisResources,
            moderatorOnDuty: frame.moderatorOnDuty === true,
          };
        } else if (frame.code === 'view_changed') {
          for (const followed of this.#rooms.values()) followed.feed.viewChanged();
        } else {
          void noticeInbox.refresh();
        }
        return;
      case 'queue':
      case 'notices':
        for (const listener of this.#counts) listener(frame);
        return;
      case 'read':
        reads.apply(frame);
        return;
      case 'presence':
        presence.apply(frame);
        return;
      case 'pong':
        return;
    }
  }

  #event(frame: EventFrame): void {
    const followed = this.#rooms.get(frame.room);
    if (!followed || frame.seq <= followed.lastSeq) return;
    if (frame.seq !== followed.lastSeq + 1) {
      // Something between went missing: ask for it again, and let the replay bring this one too.
      if (!followed.subscribing) this.#subscribe(frame.room, followed);
      return;
    }
    followed.lastSeq = frame.seq;
    if (frame.kind === 'created') reads.noteCreated(frame.room, frame.message, session.user?.id);
    followed.feed.event(frame, frame.seq <= followed.missedUpTo);
  }

  /** The server asked for a wait before this room's subscribe: the room stays followed, and asks again then. */
  #subscribeLater(room: string, seconds: number): void {
    const followed = this.#rooms.get(room);
    if (!followed) return;
    // Still `subscribing` meanwhile: a gap seen in the room needs no subscribe of its own.
    const timer = setTimeout(
      () => {
        this.#resubscribes.delete(timer);
        if (this.#rooms.get(room) === followed && this.#socket?.readyState === WebSocket.OPEN) {
          this.#subscribe(room, followed);
        }
      },
      // Up to a second more, at random: a tab's rooms refused together don't all ask again together.
      seconds * 1000 + Math.round(Math.random() * 1000),
    );
    this.#resubscribes.add(timer);
  }

  #refuse(room: string, code: string, message: string): void {
    const followed = this.#rooms.get(room);
    if (!followed) return;
    this.#rooms.delete(room);
    followed.feed.refused(code, message);
  }

  #settle(ref: string, settle: (waiting: Waiting) => void): void {
    const queue = this.#waiting.get(ref);
    const first = queue?.shift();
    if (queue && queue.length === 0) this.#waiting.delete(ref);
    if (!first) return;
    clearTimeout(first.timer);
    settle(first);
  }
}

function defaultUrl(): string {
  return `${location.origin.replace(/^http/, 'ws')}/api/ws`;
}

/** The tab's one socket. */
export const chatSocket = new ChatSocket();
