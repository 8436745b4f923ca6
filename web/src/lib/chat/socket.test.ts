import type { ClientFrame, Message, ServerFrame } from '@kindred/shared';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const session = vi.hoisted(() => ({ user: { id: 'me' } as unknown, expire: vi.fn(async () => undefined) }));
const api = vi.hoisted(() => ({ get: vi.fn(async () => ({ user: { id: 'me' } })) }));
vi.mock('$lib/session.svelte', () => ({ session }));
vi.mock('$lib/api', () => ({ api }));

const { ANSWER_TIMEOUT_MS, ChatSocket, ChatRequestError, HEARTBEAT_MS, MAX_RETRY_MS, PONG_TIMEOUT_MS, retryDelay } =
  await import('./socket.svelte');
type RoomFeed = import('./socket.svelte').RoomFeed;

/** A stand-in for the browser's WebSocket: records what is sent, and lets the test play the server. */
class FakeSocket {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;
  static all: FakeSocket[] = [];

  readyState = FakeSocket.CONNECTING;
  sent: ClientFrame[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: string }) => void) | null = null;
  onclose: ((event: { code: number }) => void) | null = null;

  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }

  send(text: string) {
    this.sent.push(JSON.parse(text) as ClientFrame);
  }

  close() {
    this.readyState = FakeSocket.CLOSED;
  }

  // The server's side.
  open() {
    this.readyState = FakeSocket.OPEN;
    this.onopen?.();
  }

  receive(frame: ServerFrame) {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }

  drop(code = 1006) {
    this.readyState = FakeSocket.CLOSED;
    this.onclose?.({ code });
  }
}

const latest = () => FakeSocket.all.at(-1)!;

function message(seq: number): Message {
  return {
    id: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    room: 'mothers',
    seq,
    author: { id: 'other', displayName: 'Wren', staff: null },
    body: `message ${seq}`,
    replyTo: null,
    contentWarnings: [],
    filtered: [],
    authorBlocked: false,
    reactions: {},
    createdAt: new Date(0).toISOString(),
    editedAt: null,
    deleted: false,
    hidden: false,
  };
}

const created = (seq: number): ServerFrame => ({
  type: 'event',
  room: 'mothers',
  seq,
  kind: 'created',
  message: message(seq),
});

function recordingFeed() {
  const seen: { seq: number; missed: boolean }[] = [];
  const feed: RoomFeed = {
    event: (frame, missed) => seen.push({ seq: frame.seq, missed }),
    subscribed: vi.fn(),
    resync: vi.fn(),
    viewChanged: vi.fn(),
    refused: vi.fn(),
  };
  return { feed, seen };
}

function setOnline(online: boolean) {
  Object.defineProperty(navigator, 'onLine', { configurable: true, get: () => online });
  window.dispatchEvent(new Event(online ? 'online' : 'offline'));
}

const unfollows: (() => void)[] = [];

/** Follows a room for the length of one test. */
function follow(socket: InstanceType<typeof ChatSocket>, room: string, since: number, feed: RoomFeed) {
  const unfollow = socket.follow(room, since, feed);
  unfollows.push(unfollow);
  return unfollow;
}

beforeEach(() => {
  vi.useFakeTimers();
  FakeSocket.all = [];
  vi.stubGlobal('WebSocket', FakeSocket);
  Object.defineProperty(navigator, 'onLine', { configurable: true, get: () => true });
  session.user = { id: 'me' };
  session.expire.mockClear();
  api.get.mockClear();
});

afterEach(() => {
  // Sockets from earlier tests still listen for online/offline; with no rooms they stay quiet.
  for (const unfollow of unfollows.splice(0)) unfollow();
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('ChatSocket', () => {
  it('opens only when a room is followed, and subscribes from where its history ends', () => {
    const socket = new ChatSocket(() => 'ws://kindred.test/api/ws');
    expect(FakeSocket.all).toHaveLength(0);
    expect(socket.status).toBe('idle');

    const { feed } = recordingFeed();
    follow(socket, 'mothers', 12, feed);
    expect(socket.status).toBe('connecting');
    latest().open();
    expect(latest().sent).toEqual([{ type: 'subscribe', room: 'mothers', since: 12 }]);
    // Open once the server has said something, not merely when the socket opened.
    expect(socket.status).toBe('connecting');
    latest().receive({ type: 'subscribed', room: 'mothers', lastSeq: 12 });
    expect(socket.status).toBe('open');
    expect(feed.subscribed).toHaveBeenCalledOnce();
  });

  it('hands on events once each, in order, and asks again from the last one when a seq is skipped', () => {
    const socket = new ChatSocket(() => 'ws://test');
    const { feed, seen } = recordingFeed();
    follow(socket, 'mothers', 0, feed);
    const ws = latest();
    ws.open();
    ws.receive({ type: 'subscribed', room: 'mothers', lastSeq: 0 });
    ws.receive(created(1));
    ws.receive(created(1));
    ws.receive(created(2));
    ws.receive(created(4)); // 3 went missing
    ws.receive(created(5));
    expect(seen.map((e) => e.seq)).toEqual([1, 2]);
    expect(ws.sent.at(-1)).toEqual({ type: 'subscribe', room: 'mothers', since: 2 });
    expect(ws.sent.filter((frame) => frame.type === 'subscribe')).toHaveLength(2);

    ws.receive({ type: 'subscribed', room: 'mothers', lastSeq: 5 });
    for (const seq of [3, 4, 5]) ws.receive(created(seq));
    expect(seen).toEqual([1, 2, 3, 4, 5].map((seq) => ({ seq, missed: false })));
  });

  it('reconnects after a drop with a growing, capped wait, and marks the replay as missed while away', () => {
    const socket = new ChatSocket(() => 'ws://test');
    const { feed, seen } = recordingFeed();
    follow(socket, 'mothers', 7, feed);
    latest().open();
    latest().receive({ type: 'subscribed', room: 'mothers', lastSeq: 7 });
    expect(feed.viewChanged).not.toHaveBeenCalled();
    latest().drop();
    expect(socket.status).toBe('reconnecting');

    vi.advanceTimersByTime(retryDelay(0, () => 1));
    expect(FakeSocket.all).toHaveLength(2);
    latest().drop(); // refused before opening: the session is checked
    expect(api.get).toHaveBeenCalledWith('/api/session');
    vi.advanceTimersByTime(retryDelay(1, () => 1));
    expect(FakeSocket.all).toHaveLength(3);

    latest().open();
    expect(latest().sent).toEqual([{ type: 'subscribe', room: 'mothers', since: 7 }]);
    latest().receive({ type: 'subscribed', room: 'mothers', lastSeq: 9 });
    latest().receive(created(8));
    latest().receive(created(9));
    latest().receive(created(10));
    expect(seen).toEqual([
      { seq: 8, missed: true },
      { seq: 9, missed: true },
      { seq: 10, missed: false },
    ]);
    expect(feed.subscribed).toHaveBeenCalledTimes(2);
    // A block made elsewhere while away sent this tab no notice: what it shows is fetched again.
    expect(feed.viewChanged).toHaveBeenCalledOnce();
  });

  it('keeps backing off when a socket opens and is dropped before the server says anything', () => {
    const socket = new ChatSocket(() => 'ws://test');
    follow(socket, 'mothers', 0, recordingFeed().feed);
    for (let attempt = 0; attempt < 6; attempt += 1) {
      latest().open();
      latest().drop();
      expect(socket.status).toBe('reconnecting');
      vi.advanceTimersByTime(retryDelay(attempt, () => 1));
    }
    expect(FakeSocket.all).toHaveLength(7);
    // The seventh wait is the cap, not the first step again.
    latest().open();
    latest().drop();
    vi.advanceTimersByTime(retryDelay(0, () => 1));
    expect(FakeSocket.all).toHaveLength(7);
  });

  it('waits between 0.5 and 10 seconds, at random within each step', () => {
    expect(retryDelay(0, () => 0)).toBe(250);
    expect(retryDelay(0, () => 1)).toBe(500);
    expect(retryDelay(3, () => 0.5)).toBe(3000);
    expect(retryDelay(30, () => 1)).toBe(MAX_RETRY_MS);
    expect(retryDelay(30, () => 0)).toBe(MAX_RETRY_MS / 2);
  });

  it('asks the room to reload its history on resync and carries on live from there', () => {
    const socket = new ChatSocket(() => 'ws://test');
    const { feed, seen } = recordingFeed();
    follow(socket, 'mothers', 3, feed);
    latest().open();
    latest().receive({ type: 'subscribed', room: 'mothers', lastSeq: 2000 });
    latest().receive({ type: 'resync', room: 'mothers' });
    expect(feed.resync).toHaveBeenCalledOnce();
    latest().receive(created(2001));
    expect(seen.map((e) => e.seq)).toEqual([2001]);
  });

  it('tells every followed room when the member’s blocks or hidden warnings changed', () => {
    const socket = new ChatSocket(() => 'ws://test');
    const mothers = recordingFeed().feed;
    const partners = recordingFeed().feed;
    follow(socket, 'mothers', 0, mothers);
    follow(socket, 'partners', 0, partners);
    latest().open();
    latest().receive({ type: 'notice', code: 'view_changed' });
    expect(mothers.viewChanged).toHaveBeenCalledOnce();
    expect(partners.viewChanged).toHaveBeenCalledOnce();
  });

  it('answers writes with their ack, done or error, and fails them when the socket goes', async () => {
    const socket = new ChatSocket(() => 'ws://test');
    follow(socket, 'mothers', 0, recordingFeed().feed);
    await expect(
      socket.request({ type: 'send', room: 'mothers', clientId: 'early', body: 'Hello' }),
    ).rejects.toMatchObject({ code: 'offline' });

    latest().open();
    const sent = socket.request({ type: 'send', room: 'mothers', clientId: 'abc', body: 'Hello' });
    const reacted = socket.request({ type: 'react', messageId: message(1).id, kind: 'hug' });
    const edited = socket.request({ type: 'edit', messageId: message(2).id, body: 'Changed' });
    const lost = socket.request({ type: 'delete', messageId: message(3).id });
    latest().receive({ type: 'ack', clientId: 'abc', message: message(4) });
    latest().receive({ type: 'done', ref: message(1).id });
    latest().receive({ type: 'error', ref: message(2).id, code: 'forbidden', message: 'Only your own.' });
    expect((await sent).message.seq).toBe(4);
    expect(await reacted).toEqual({ type: 'done', ref: message(1).id });
    const refusal = await edited.catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(ChatRequestError);
    expect(refusal).toMatchObject({ code: 'forbidden', message: 'Only your own.' });

    latest().drop();
    await expect(lost).rejects.toMatchObject({ code: 'offline' });
  });

  it('gives up on a write that gets no answer, so it can be tried again', async () => {
    const socket = new ChatSocket(() => 'ws://test');
    follow(socket, 'mothers', 0, recordingFeed().feed);
    latest().open();
    const sent = socket.request({ type: 'send', room: 'mothers', clientId: 'abc', body: 'Hello' });
    const failed = expect(sent).rejects.toMatchObject({ code: 'no_answer' });
    latest().receive({ type: 'pong' }); // the socket itself is alive
    vi.advanceTimersByTime(ANSWER_TIMEOUT_MS);
    await failed;
    // A late answer for it settles nothing else.
    latest().receive({ type: 'ack', clientId: 'abc', message: message(1) });
  });

  it('pings while quiet and gives up on a socket that stops answering', () => {
    const socket = new ChatSocket(() => 'ws://test');
    follow(socket, 'mothers', 0, recordingFeed().feed);
    const ws = latest();
    ws.open();
    vi.advanceTimersByTime(HEARTBEAT_MS);
    expect(ws.sent.at(-1)).toEqual({ type: 'ping' });
    ws.receive({ type: 'pong' });
    vi.advanceTimersByTime(HEARTBEAT_MS);
    expect(ws.sent.filter((frame) => frame.type === 'ping')).toHaveLength(2);
    vi.advanceTimersByTime(PONG_TIMEOUT_MS);
    expect(socket.status).toBe('reconnecting');
    expect(ws.readyState).toBe(FakeSocket.CLOSED);
    vi.advanceTimersByTime(MAX_RETRY_MS);
    expect(FakeSocket.all).toHaveLength(2);
  });

  it('closes when the browser goes offline and comes straight back when it is online', () => {
    const socket = new ChatSocket(() => 'ws://test');
    const { feed } = recordingFeed();
    follow(socket, 'mothers', 5, feed);
    latest().open();
    setOnline(false);
    expect(socket.status).toBe('offline');
    expect(latest().readyState).toBe(FakeSocket.CLOSED);
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.all).toHaveLength(1);

    setOnline(true);
    expect(FakeSocket.all).toHaveLength(2);
    expect(socket.status).toBe('reconnecting');
    latest().open();
    expect(latest().sent).toEqual([{ type: 'subscribe', room: 'mothers', since: 5 }]);
  });

  it('sends the member to sign in when their session ends elsewhere (close 4401)', () => {
    const socket = new ChatSocket(() => 'ws://test');
    follow(socket, 'mothers', 0, recordingFeed().feed);
    latest().open();
    latest().drop(4401);
    vi.advanceTimersByTime(MAX_RETRY_MS * 2);
    expect(FakeSocket.all).toHaveLength(1);
    expect(session.expire).toHaveBeenCalledOnce();
  });

  it('comes back after the first short wait when the server restarts (close 1012)', () => {
    const socket = new ChatSocket(() => 'ws://test');
    follow(socket, 'mothers', 4, recordingFeed().feed);
    latest().open();
    latest().receive({ type: 'subscribed', room: 'mothers', lastSeq: 4 });
    latest().drop(1012);
    expect(socket.status).toBe('reconnecting');
    vi.advanceTimersByTime(retryDelay(0, () => 1));
    expect(FakeSocket.all).toHaveLength(2);
    latest().open();
    expect(latest().sent).toEqual([{ type: 'subscribe', room: 'mothers', since: 4 }]);
  });

  it('asks again for a room whose subscribe was one of too many, after the wait the server names', () => {
    const socket = new ChatSocket(() => 'ws://test');
    const { feed, seen } = recordingFeed();
    follow(socket, 'mothers', 4, feed);
    const ws = latest();
    ws.open();
    ws.receive({ type: 'error', code: 'rate_limited', room: 'mothers', retryAfter: 3, message: 'Please wait' });
    expect(feed.refused).not.toHaveBeenCalled();
    ws.receive(created(6)); // a gap while waiting asks for nothing more
    vi.advanceTimersByTime(2_999);
    expect(ws.sent.filter((frame) => frame.type === 'subscribe')).toHaveLength(1);
    vi.advanceTimersByTime(1_001);
    expect(ws.sent.filter((frame) => frame.type === 'subscribe')).toHaveLength(2);
    expect(ws.sent.at(-1)).toEqual({ type: 'subscribe', room: 'mothers', since: 4 });
    ws.receive({ type: 'subscribed', room: 'mothers', lastSeq: 6 });
    ws.receive(created(5));
    ws.receive(created(6));
    expect(seen.map((e) => e.seq)).toEqual([5, 6]);
  });

  it('pauses instead of reconnecting when the member has too many sockets open (4409), until asked', () => {
    const socket = new ChatSocket(() => 'ws://test');
    const { feed, seen } = recordingFeed();
    follow(socket, 'mothers', 2, feed);
    latest().open();
    latest().receive({ type: 'subscribed', room: 'mothers', lastSeq: 2 });
    latest().drop(4409);
    expect(socket.status).toBe('paused');
    vi.advanceTimersByTime(MAX_RETRY_MS * 3);
    expect(FakeSocket.all).toHaveLength(1);

    document.dispatchEvent(new Event('visibilitychange'));
    expect(FakeSocket.all).toHaveLength(2);
    latest().open();
    expect(latest().sent).toEqual([{ type: 'subscribe', room: 'mothers', since: 2 }]);
    latest().receive({ type: 'subscribed', room: 'mothers', lastSeq: 3 });
    latest().receive(created(3));
    expect(seen).toEqual([{ seq: 3, missed: true }]);

    latest().drop(4409);
    socket.reconnectNow();
    expect(FakeSocket.all).toHaveLength(3);
  });

  it('lets a sign-out on this page finish without sending anyone to sign in', () => {
    const socket = new ChatSocket(() => 'ws://test');
    follow(socket, 'mothers', 0, recordingFeed().feed);
    latest().open();
    latest().drop(4401);
    session.user = null;
    vi.advanceTimersByTime(2_000);
    expect(session.expire).not.toHaveBeenCalled();
  });

  it('tells the room when the server stops sending it, but not when it was asked to', () => {
    const socket = new ChatSocket(() => 'ws://test');
    const mothers = recordingFeed().feed;
    const partners = recordingFeed().feed;
    follow(socket, 'mothers', 0, mothers);
    const unfollowPartners = follow(socket, 'partners', 0, partners);
    latest().open();
    unfollowPartners();
    latest().receive({ type: 'unsubscribed', room: 'partners' });
    latest().receive({ type: 'unsubscribed', room: 'mothers' });
    expect(partners.refused).not.toHaveBeenCalled();
    expect(mothers.refused).toHaveBeenCalledWith('not_a_member', expect.any(String));
  });

  it('closes a while after the last room is left', () => {
    const socket = new ChatSocket(() => 'ws://test');
    const unfollow = socket.follow('mothers', 0, recordingFeed().feed);
    latest().open();
    unfollow();
    expect(latest().sent.at(-1)).toEqual({ type: 'unsubscribe', room: 'mothers' });
    vi.advanceTimersByTime(5_000);
    expect(socket.status).toBe('idle');
    expect(latest().readyState).toBe(FakeSocket.CLOSED);
  });

  it('stays open for the member’s counts, asks for them on every open, and hands them on', () => {
    const socket = new ChatSocket(() => 'ws://test');
    const heard: ServerFrame[] = [];
    const stop = socket.watchCounts((frame) => heard.push(frame));
    latest().open();
    expect(latest().sent).toEqual([{ type: 'counts' }]);
    latest().receive({ type: 'queue', total: 2, urgent: 1 });
    latest().receive({ type: 'notices', unread: 3 });
    expect(heard).toEqual([
      { type: 'queue', total: 2, urgent: 1 },
      { type: 'notices', unread: 3 },
    ]);
    // A room left meanwhile does not close the socket the counts still need.
    const unfollow = socket.follow('mothers', 0, recordingFeed().feed);
    unfollow();
    vi.advanceTimersByTime(5_000);
    expect(latest().readyState).toBe(FakeSocket.OPEN);
    // After a drop, the new socket asks again.
    latest().drop();
    vi.advanceTimersByTime(MAX_RETRY_MS);
    latest().open();
    expect(latest().sent).toEqual([{ type: 'counts' }]);
    stop();
    vi.advanceTimersByTime(5_000);
    expect(socket.status).toBe('idle');
  });
});
