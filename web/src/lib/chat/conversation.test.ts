import type { Message, ServerFrame } from '@kindred/shared';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const session = vi.hoisted(() => ({ user: { id: 'me' } as unknown, expire: vi.fn(async () => undefined) }));
const get = vi.hoisted(() => vi.fn());
vi.mock('$lib/session.svelte', () => ({ session }));
vi.mock('$lib/api', async (original) => ({ ...(await original<typeof import('$lib/api')>()), api: { get } }));

const { ApiError } = await import('$lib/api');
const { Conversation, announcementFor, excerpt } = await import('./conversation.svelte');
const { ChatRequestError } = await import('./socket.svelte');
const { Outbox } = await import('./outbox');
const { revealed } = await import('$lib/revealed.svelte');
type RoomFeed = import('./socket.svelte').RoomFeed;
type ChatSocket = import('./socket.svelte').ChatSocket;
type EventFrame = Extract<ServerFrame, { type: 'event' }>;

const room = 'mothers';

function message(seq: number, overrides: Partial<Message> = {}): Message {
  return {
    id: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    room,
    seq,
    author: { id: 'other', displayName: 'Wren', staff: null },
    body: `message ${seq}`,
    replyTo: null,
    contentWarnings: [],
    filtered: [],
    authorBlocked: false,
    reactions: {},
    createdAt: new Date(2026, 0, 1).toISOString(),
    editedAt: null,
    deleted: false,
    hidden: false,
    ...overrides,
  };
}

const created = (m: Message, seq = m.seq): EventFrame => ({ type: 'event', room, seq, kind: 'created', message: m });
const updated = (m: Message, seq: number): EventFrame => ({ type: 'event', room, seq, kind: 'updated', message: m });
const page = (messages: Message[], hasMore = false, lastSeq = messages.at(-1)?.seq ?? 0) => ({
  messages,
  hasMore,
  lastSeq,
});

/** Plays the tab's socket: records follows and writes, and lets the test answer them. */
class FakeSocket {
  status = 'open';
  open = true;
  feed: RoomFeed | undefined;
  since: number | undefined;
  requests: { frame: Record<string, unknown>; resolve: (answer: unknown) => void; reject: (e: Error) => void }[] = [];

  follow(_room: string, since: number, feed: RoomFeed) {
    this.since = since;
    this.feed = feed;
    return () => (this.feed = undefined);
  }

  request(frame: Record<string, unknown>) {
    if (!this.open) return Promise.reject(new ChatRequestError('offline', 'offline'));
    return new Promise((resolve, reject) => this.requests.push({ frame, resolve, reject }));
  }

  reconnectNow() {}

  /** Answers the oldest write still waiting. */
  answer(answer: unknown) {
    this.requests.shift()!.resolve(answer);
  }

  refuse(code: string, text: string) {
    this.requests.shift()!.reject(new ChatRequestError(code, text));
  }
}

const made: InstanceType<typeof Conversation>[] = [];

async function started(first: Message[] = [message(1), message(2)], hasMore = false) {
  const socket = new FakeSocket();
  get.mockResolvedValueOnce(page(first, hasMore));
  const conversation = new Conversation(room, 'me', socket as unknown as ChatSocket);
  made.push(conversation);
  await conversation.start();
  return { socket, conversation, feed: socket.feed! };
}

const seqs = (conversation: InstanceType<typeof Conversation>) => conversation.messages.map((m) => m.seq);
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

beforeEach(() => {
  localStorage.clear();
  get.mockReset();
  session.expire.mockClear();
});

afterEach(() => {
  for (const conversation of made.splice(0)) conversation.stop();
  vi.useRealTimers();
});

describe('Conversation', () => {
  it('loads the newest page and follows the room from exactly where it ends', async () => {
    const { conversation, socket } = await started([message(3), message(4)], true);
    expect(get).toHaveBeenCalledWith('/api/rooms/mothers/messages');
    expect(conversation.phase).toBe('ready');
    expect(seqs(conversation)).toEqual([3, 4]);
    expect(conversation.hasOlder).toBe(true);
    expect(socket.since).toBe(4);
  });

  it('adds new messages, replaces changed ones, and leaves updates to unloaded ones for their page', async () => {
    const { conversation, feed } = await started([message(5), message(6)]);
    feed.event(created(message(7)), false);
    feed.event(updated(message(6, { body: 'changed', editedAt: new Date().toISOString() }), 8), false);
    feed.event(updated(message(2, { deleted: true, body: '' }), 9), false);
    expect(seqs(conversation)).toEqual([5, 6, 7]);
    expect(conversation.byId.get(message(6).id)?.body).toBe('changed');
  });

  it('keeps a message in the outbox until its ack, and shows it once whichever comes first', async () => {
    const { conversation, socket, feed } = await started();
    conversation.draft = 'Thank you all';
    conversation.send('Thank you all');
    expect(conversation.draft).toBe('');
    expect(new Outbox('me', room).entries.map((e) => e.body)).toEqual(['Thank you all']);
    const { frame } = socket.requests[0]!;
    expect(frame).toMatchObject({ type: 'send', room, body: 'Thank you all' });
    expect(conversation.sending.has(frame.clientId as string)).toBe(true);

    const mine = message(3, { author: { id: 'me', displayName: 'Me', staff: null }, body: 'Thank you all' });
    feed.event(created(mine), false);
    socket.answer({ type: 'ack', clientId: frame.clientId, message: mine });
    await settle();
    expect(seqs(conversation)).toEqual([1, 2, 3]);
    expect(conversation.unsent).toEqual([]);
    expect(new Outbox('me', room).entries).toEqual([]);
  });

  it('resends what waited, with the same clientId, once the room is subscribed again', async () => {
    const { conversation, socket, feed } = await started();
    socket.open = false;
    conversation.send('first');
    conversation.send('second');
    await settle();
    expect(conversation.unsent.map((e) => e.body)).toEqual(['first', 'second']);
    const ids = conversation.unsent.map((e) => e.clientId);

    socket.open = true;
    feed.subscribed();
    expect(socket.requests.map((r) => r.frame.clientId)).toEqual(ids);
  });

  it('picks up, in a new page, what a closed tab left in the outbox', async () => {
    new Outbox('me', room).add('written before the tab closed', null);
    const { conversation, socket, feed } = await started();
    expect(conversation.unsent.map((e) => e.body)).toEqual(['written before the tab closed']);
    feed.subscribed();
    expect(socket.requests[0]?.frame).toMatchObject({ body: 'written before the tab closed' });
  });

  it('keeps a refused message with the reason, and sends it again only when asked', async () => {
    const { conversation, socket } = await started();
    conversation.send('a message to a paused room');
    socket.refuse('forbidden', 'This room is paused by its moderators for now.');
    await settle();
    expect(conversation.unsent[0]).toMatchObject({
      body: 'a message to a paused room',
      refusal: { code: 'forbidden', message: 'This room is paused by its moderators for now.' },
    });
    conversation.flush();
    expect(socket.requests).toHaveLength(0);
    conversation.retry(conversation.unsent[0]!.clientId);
    expect(socket.requests).toHaveLength(1);
  });

  it('waits out a rate limit and then tries again by itself', async () => {
    const { conversation, socket } = await started();
    vi.useFakeTimers();
    conversation.send('hello');
    socket.refuse('rate_limited', 'Please wait 3 seconds — your message is kept.');
    await vi.advanceTimersByTimeAsync(2_000);
    expect(socket.requests).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1_500);
    expect(socket.requests).toHaveLength(1);
    expect(conversation.unsent).toHaveLength(1);
  });

  it('announces new messages from others, gathered, and never the member’s own or loaded history', async () => {
    vi.useFakeTimers();
    const { conversation, feed } = await started();
    expect(conversation.announcements).toEqual([]);
    feed.event(created(message(3, { body: 'Are you awake?' })), false);
    await vi.advanceTimersByTimeAsync(500);
    expect(conversation.announcements.map((a) => a.text)).toEqual(['New message from Wren: Are you awake?']);

    feed.event(created(message(4, { author: { id: 'me', displayName: 'Me', staff: null } })), false);
    await vi.advanceTimersByTimeAsync(500);
    expect(conversation.announcements).toHaveLength(1);

    feed.event(created(message(5, { author: { id: 'a', displayName: 'Ash', staff: null }, body: 'Yes' })), true);
    feed.event(created(message(6, { author: { id: 'b', displayName: 'Sol', staff: null }, body: 'Me too' })), true);
    await vi.advanceTimersByTimeAsync(500);
    expect(conversation.announcements.at(-1)?.text).toBe('2 new messages. The latest, from Sol: Me too');
  });

  it('announces a folded message only by its label: never its words, never a blocked member’s name', () => {
    const filtered = message(3, { body: 'We are expecting', filtered: ['pregnancy'] });
    const blocked = message(4, { body: 'Is anyone awake?', authorBlocked: true });
    expect(announcementFor([filtered])).toBe('New message: Contains: Pregnancy announcement or update');
    expect(announcementFor([filtered, blocked])).toBe('2 new messages. The latest: A message from someone you blocked');
    for (const text of [announcementFor([filtered]), announcementFor([blocked])]) {
      expect(text).not.toMatch(/expecting|awake|Wren/);
    }
  });

  it('folds what a member just blocked, and reopens nothing they had opened', async () => {
    const { conversation } = await started([
      message(1),
      message(2, { author: { id: 'ash', displayName: 'Ash', staff: null } }),
    ]);
    conversation.markBlocked('other', true);
    expect(conversation.messages.map((m) => m.authorBlocked)).toEqual([true, false]);
    conversation.markBlocked('other', false);
    expect(conversation.messages.map((m) => m.authorBlocked)).toEqual([false, false]);
  });

  it('puts the divider before the first message from others missed while away or scrolled up', async () => {
    const { conversation, feed } = await started();
    feed.event(created(message(3)), false);
    expect(conversation.dividerSeq).toBeNull();
    feed.event(created(message(4)), true);
    feed.event(created(message(5)), true);
    expect(conversation.dividerSeq).toBe(4);
    conversation.send('back now');
    expect(conversation.dividerSeq).toBeNull();
    conversation.watching = false;
    feed.event(created(message(6)), false);
    expect(conversation.dividerSeq).toBe(6);
  });

  it('loads older pages before the first message, without doubles', async () => {
    const { conversation } = await started([message(51), message(52)], true);
    get.mockResolvedValueOnce(page([message(50), message(51)], false, 60));
    expect(await conversation.loadOlder()).toBe(1);
    expect(get).toHaveBeenLastCalledWith('/api/rooms/mothers/messages?before=51&limit=50');
    expect(seqs(conversation)).toEqual([50, 51, 52]);
    expect(conversation.hasOlder).toBe(false);
    expect(await conversation.loadOlder()).toBe(0);
  });

  it('asks for one older page at a time, however many ask at once', async () => {
    const { conversation } = await started([message(51)], true);
    get.mockResolvedValueOnce(page([message(50)], true, 51));
    const [a, b] = await Promise.all([conversation.loadOlder(), conversation.loadOlder()]);
    expect([a, b]).toEqual([1, 1]);
    expect(get).toHaveBeenCalledTimes(2);
    expect(seqs(conversation)).toEqual([50, 51]);
  });

  it('says why older messages did not load, and keeps what it has', async () => {
    const { conversation } = await started([message(51)], true);
    get.mockRejectedValueOnce(new ApiError('network', 'We couldn’t reach Kindred.', undefined, 0));
    await conversation.loadOlder();
    expect(conversation.olderProblem).toBe('We couldn’t reach Kindred.');
    expect(seqs(conversation)).toEqual([51]);
  });

  it('finds the original of a reply further back', async () => {
    const { conversation } = await started([message(101)], true);
    get.mockResolvedValueOnce(page([message(51)], true, 101)).mockResolvedValueOnce(page([message(1)], false, 101));
    expect(await conversation.reveal(message(1).id)).toBe(true);
    expect(seqs(conversation)).toEqual([1, 51, 101]);
  });

  it('reloads the newest page on resync and applies what arrived meanwhile on top', async () => {
    const { conversation, feed } = await started([message(1)]);
    let answer: (value: unknown) => void = () => undefined;
    get.mockReturnValueOnce(new Promise((resolve) => (answer = resolve)));
    feed.resync();
    feed.event(created(message(2000)), false);
    answer(page([message(1990), message(1999)], true, 1999));
    await settle();
    expect(seqs(conversation)).toEqual([1990, 1999, 2000]);
    expect(conversation.hasOlder).toBe(true);
  });

  it('fetches again every message on screen when the member’s view changed, keeping what came meanwhile', async () => {
    const { conversation, feed } = await started([message(1), message(2), message(3)]);
    let answer: (value: unknown) => void = () => undefined;
    get.mockReturnValueOnce(new Promise((resolve) => (answer = resolve)));
    feed.viewChanged();
    expect(get).toHaveBeenLastCalledWith('/api/rooms/mothers/messages?limit=100');
    // An edit of message 2 arrives while the page is on its way: the page's older copy must not undo it.
    feed.event(updated(message(2, { body: 'changed', authorBlocked: true }), 4), false);
    answer(page([message(1, { authorBlocked: true }), message(2, { authorBlocked: true }), message(3)], false));
    await settle();
    expect(conversation.messages.map((m) => m.authorBlocked)).toEqual([true, true, false]);
    expect(conversation.byId.get(message(2).id)?.body).toBe('changed');
    expect(seqs(conversation)).toEqual([1, 2, 3]);
  });

  it('refreshes newest first, keeps what came when a page fails, and fetches again a little later', async () => {
    vi.useFakeTimers();
    const shown = Array.from({ length: 150 }, (_, i) => message(i + 1));
    const { conversation, feed } = await started(shown);
    const filtered = (messages: Message[]) => messages.map((m) => ({ ...m, filtered: ['Birth'] }));
    get
      .mockResolvedValueOnce(page(filtered(shown.slice(50)), true, 150))
      .mockRejectedValueOnce(new ApiError('unavailable', 'Kindred is busy.', undefined, 503));
    feed.viewChanged();
    await vi.advanceTimersByTimeAsync(0);
    expect(get).toHaveBeenNthCalledWith(2, '/api/rooms/mothers/messages?limit=100');
    expect(get).toHaveBeenNthCalledWith(3, '/api/rooms/mothers/messages?before=51&limit=100');
    expect(conversation.messages.filter((m) => m.filtered.length > 0).map((m) => m.seq)).toEqual(
      seqs(conversation).slice(50),
    );
    expect(conversation.phase).toBe('ready');
    expect(conversation.problem).toBe('');

    get
      .mockResolvedValueOnce(page(filtered(shown.slice(50)), true, 150))
      .mockResolvedValueOnce(page(filtered(shown.slice(0, 50)), false, 150));
    await vi.advanceTimersByTimeAsync(5_000);
    expect(get).toHaveBeenCalledTimes(5);
    expect(conversation.messages.every((m) => m.filtered.length === 1)).toBe(true);
    expect(conversation.messages).toHaveLength(150);
  });

  it('closes only what the change folds, and folds the quote of a reply being written', async () => {
    const blockedLongAgo = message(1, { author: { id: 'ash', displayName: 'Ash', staff: null }, authorBlocked: true });
    const { conversation, feed } = await started([blockedLongAgo, message(2)]);
    revealed.toggle(blockedLongAgo.id); // the member chose to read it
    revealed.toggle(message(2).id);
    conversation.replyTarget = conversation.messages[1]!;
    get.mockResolvedValueOnce(page([blockedLongAgo, message(2, { authorBlocked: true })], false));
    feed.viewChanged();
    await settle();
    expect(revealed.has(blockedLongAgo.id)).toBe(true);
    expect(revealed.has(message(2).id)).toBe(false);
    expect(conversation.replyTarget?.authorBlocked).toBe(true);
  });

  it('starts the refresh again when a resync reloads the history meanwhile, and never takes it back', async () => {
    const { conversation, feed } = await started([message(1), message(2)]);
    let answerRefresh: (value: unknown) => void = () => undefined;
    get.mockReturnValueOnce(new Promise((resolve) => (answerRefresh = resolve)));
    feed.viewChanged();
    get.mockResolvedValueOnce(page([message(2, { body: 'edited' }), message(3)], true, 3));
    feed.resync();
    await settle();
    expect(seqs(conversation)).toEqual([2, 3]);
    // The refresh's copies were read before the resync: they must not undo the edit it brought.
    get.mockResolvedValueOnce(
      page([message(2, { body: 'edited', authorBlocked: true }), message(3, { authorBlocked: true })], true, 3),
    );
    answerRefresh(page([message(1, { authorBlocked: true }), message(2, { authorBlocked: true })], false, 2));
    await settle();
    await settle();
    expect(conversation.byId.get(message(2).id)?.body).toBe('edited');
    expect(conversation.messages.map((m) => m.authorBlocked)).toEqual([true, true]);
  });

  it('fetches again after a resync whose page was read before the member’s view changed', async () => {
    const { conversation, feed } = await started([message(1), message(2)]);
    let answerReload: (value: unknown) => void = () => undefined;
    get.mockReturnValueOnce(new Promise((resolve) => (answerReload = resolve)));
    feed.resync();
    get.mockResolvedValueOnce(page([message(1, { authorBlocked: true }), message(2, { authorBlocked: true })], false));
    feed.viewChanged();
    await settle();
    // The resync's page comes last, read through the old view: the refresh runs once more after it.
    get.mockResolvedValueOnce(
      page([message(2, { authorBlocked: true }), message(3, { authorBlocked: true })], true, 3),
    );
    answerReload(page([message(2), message(3)], true, 3));
    await settle();
    await settle();
    expect(seqs(conversation)).toEqual([2, 3]);
    expect(conversation.messages.map((m) => m.authorBlocked)).toEqual([true, true]);
  });

  it('shows a reaction at once, and takes it back if the server refuses', async () => {
    const { conversation, socket } = await started();
    const target = conversation.messages[0]!;
    const reacting = conversation.react(target, 'candle');
    expect(conversation.reacted(target, 'candle')).toBe(true);
    expect(socket.requests[0]?.frame).toEqual({ type: 'react', messageId: target.id, kind: 'candle', on: true });
    socket.answer({ type: 'done', ref: target.id });
    await reacting;
    expect(new Conversation(room, 'me', socket as unknown as ChatSocket).reacted(target, 'candle')).toBe(true);

    const undoing = conversation.react(target, 'candle');
    expect(socket.requests[0]?.frame).toMatchObject({ on: false });
    socket.refuse('not_found', 'That message is no longer here.');
    await undoing;
    expect(conversation.reacted(target, 'candle')).toBe(true);
    expect(conversation.problems[target.id]).toBe('That message is no longer here.');
  });

  it('keeps the edit open with its reason when the server refuses it', async () => {
    const { conversation, socket } = await started([
      message(1, { author: { id: 'me', displayName: 'Me', staff: null } }),
    ]);
    const mine = conversation.messages[0]!;
    conversation.startEdit(mine);
    const saving = conversation.edit(mine, 'new words');
    socket.refuse('rate_limited', 'Please wait 5 seconds.');
    expect(await saving).toBe(false);
    expect(conversation.editingId).toBe(mine.id);
    expect(conversation.problems[mine.id]).toBe('Please wait 5 seconds.');

    const again = conversation.edit(mine, 'new words');
    socket.answer({ type: 'done', ref: mine.id });
    expect(await again).toBe(true);
    expect(conversation.editingId).toBeNull();
    expect(conversation.problems[mine.id]).toBeUndefined();
  });

  it('says when the room cannot be read, and sends an ended session to sign in', async () => {
    get.mockRejectedValueOnce(new ApiError('not_a_member', 'Please join this room to read it.', undefined, 403));
    const refused = new Conversation(room, 'me', new FakeSocket() as unknown as ChatSocket);
    await refused.start();
    expect(refused.closed).toBe('Please join this room to read it.');

    get.mockRejectedValueOnce(new ApiError('unauthenticated', 'Please sign in.', undefined, 401));
    await new Conversation(room, 'me', new FakeSocket() as unknown as ChatSocket).start();
    expect(session.expire).toHaveBeenCalledOnce();

    get.mockRejectedValueOnce(new ApiError('network', 'We couldn’t reach Kindred.', undefined, 0));
    const offline = new Conversation(room, 'me', new FakeSocket() as unknown as ChatSocket);
    await offline.start();
    expect(offline).toMatchObject({ phase: 'failed', problem: 'We couldn’t reach Kindred.' });
  });
});

describe('excerpt and announcementFor', () => {
  it('keeps the first words on one line', () => {
    expect(excerpt('one\n\ntwo   three')).toBe('one two three');
    expect(excerpt('a'.repeat(120))).toBe(`${'a'.repeat(100)}…`);
  });

  it('names a member who left', () => {
    expect(announcementFor([message(1, { author: null, body: 'hello' })])).toBe(
      'New message from a member who left: hello',
    );
  });
});
