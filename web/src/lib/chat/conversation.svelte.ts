// One room's conversation as this tab sees it: messages in seq order (the newest page first, older pages
// as the member scrolls up), what waits in the outbox, the "new messages" divider, the reply and edit
// targets, and what the live region should announce. History comes over HTTP; everything after it comes
// over the tab's one socket, which guarantees each event once and in order.
import type { Message, ReactionKind } from '@kindred/shared';
import { SvelteSet } from 'svelte/reactivity';
import { api, ApiError } from '$lib/api';
import { foldedLabel, isFolded, revealed } from '$lib/revealed.svelte';
import { session } from '$lib/session.svelte';
import { knownWarnings } from '$lib/story-words';
import { loadMyReactions, reactionKey, saveMyReactions } from './my-reactions';
import { Outbox, type OutboxEntry } from './outbox';
import { chatSocket, ChatRequestError, type ChatSocket, type EventFrame } from './socket.svelte';

export const PAGE_SIZE = 50;
/** How much of a new message the live region reads out. */
const ANNOUNCE_CHARS = 100;
/** Messages that arrive together are announced together, not one interruption each. */
const ANNOUNCE_GATHER_MS = 300;
/** How many announcements stay in the live region (older ones have been read by then). */
const ANNOUNCEMENTS_KEPT = 3;
/** A reply's original may be further back than one page; we look this far for it, no further. */
const REVEAL_MAX_PAGES = 20;
const RELOAD_RETRY_MS = 5_000;
/** After a change of the member's view, what is shown is fetched again in pages this large… */
const REFRESH_PAGE = 100;
/** …and no more than this many of them: 5,000 messages back, far more than anyone scrolls. */
const REFRESH_MAX_PAGES = 50;

interface HistoryPage {
  messages: Message[];
  hasMore: boolean;
  lastSeq: number;
}

export interface Announcement {
  id: number;
  text: string;
}

/** The first words of a message on one line, for the live region and reply quotes. */
export function excerpt(body: string, chars = ANNOUNCE_CHARS): string {
  const flat = body.replace(/\s+/g, ' ').trim();
  const points = Array.from(flat);
  return points.length > chars ? `${points.slice(0, chars).join('').trimEnd()}…` : flat;
}

/**
 * What the live region says when messages from others arrive. A folded message (the member's filter
 * matches it, or they blocked its author) is announced only by its folded label: never its words, and
 * never the name of someone they blocked.
 */
export function announcementFor(messages: Message[]): string {
  const latest = messages.at(-1)!;
  if (isFolded(latest)) {
    const label = foldedLabel(latest, 'message');
    return messages.length === 1 ? `New message: ${label}` : `${messages.length} new messages. The latest: ${label}`;
  }
  const name = latest.author?.displayName ?? 'a member who left';
  if (messages.length === 1) return `New message from ${name}: ${excerpt(latest.body)}`;
  return `${messages.length} new messages. The latest, from ${name}: ${excerpt(latest.body)}`;
}

export class Conversation {
  /** Loaded messages in ascending seq. Replaced, never mutated, so each change is one assignment. */
  messages = $state.raw<Message[]>([]);
  phase = $state<'loading' | 'ready' | 'failed'>('loading');
  /** Why the conversation could not load, for people. */
  problem = $state('');
  /** Set when this room can no longer be followed here (the member left or was removed). */
  closed = $state('');
  hasOlder = $state(false);
  loadingOlder = $state(false);
  olderProblem = $state('');
  /** The seq of the first message from others that arrived while the member was away or looking elsewhere. */
  dividerSeq = $state<number | null>(null);
  replyTarget = $state<Message | null>(null);
  editingId = $state<string | null>(null);
  unsent = $state.raw<readonly OutboxEntry[]>([]);
  /** clientIds of sends waiting for their ack. */
  readonly sending = new SvelteSet<string>();
  announcements = $state.raw<Announcement[]>([]);
  /** A problem with an edit, delete or reaction, shown beside that message. */
  problems = $state<Record<string, string>>({});
  /** Set by the view: the tab is visible and the newest message is in sight. */
  watching = true;

  // Rebuilt whole from `messages`, never changed in place, so a plain Map is the right thing here.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly byId = $derived(new Map(this.messages.map((message) => [message.id, message])));

  readonly #outbox: Outbox;
  readonly #mine: SvelteSet<string>;
  #draft = $state('');
  #unfollow: (() => void) | undefined;
  /** Events that arrive while history is being reloaded, applied again on top of the fresh page. */
  #reloadBuffer: EventFrame[] | null = null;
  /** The same while the messages on screen are fetched again after a change of the member's view. */
  #refreshBuffer: EventFrame[] | null = null;
  #refreshAgain = false;
  #refreshTimer: ReturnType<typeof setTimeout> | undefined;
  /** Counts reloads after a resync, and changes of the member's view, so neither undoes the other. */
  #reloads = 0;
  #viewChanges = 0;
  #toAnnounce: Message[] = [];
  #announceTimer: ReturnType<typeof setTimeout> | undefined;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #reloadTimer: ReturnType<typeof setTimeout> | undefined;
  #older: Promise<number> | undefined;
  #announced = 0;
  #stopped = false;

  constructor(
    readonly room: string,
    readonly memberId: string,
    private readonly socket: ChatSocket = chatSocket,
  ) {
    this.#outbox = new Outbox(memberId, room);
    this.unsent = this.#outbox.entries;
    this.#draft = this.#outbox.draft;
    this.#mine = new SvelteSet(loadMyReactions(memberId));
  }

  /** What is in the message box, kept on the device as it is typed. */
  get draft(): string {
    return this.#draft;
  }

  set draft(text: string) {
    this.#draft = text;
    this.#outbox.draft = text;
  }

  isMine(message: Message): boolean {
    return message.author?.id === this.memberId;
  }

  reacted(message: Message, kind: ReactionKind): boolean {
    return this.#mine.has(reactionKey(message.id, kind));
  }

  /** Loads the newest page, then follows the room live from exactly where that page ends. */
  async start(): Promise<void> {
    this.phase = 'loading';
    this.problem = '';
    window.addEventListener('storage', this.#onStorage);
    window.addEventListener('online', this.#onOnline);
    const page = await this.#fetch('');
    if (!page || this.#stopped) return;
    this.messages = page.messages;
    this.hasOlder = page.hasMore;
    this.phase = 'ready';
    this.#unfollow = this.socket.follow(this.room, page.lastSeq, {
      event: (frame, missed) => this.#onEvent(frame, missed),
      subscribed: () => this.flush(),
      resync: () => void this.#reload(),
      viewChanged: () => {
        this.#viewChanges += 1;
        void this.#refreshShown();
      },
      refused: (_code, message) => {
        this.closed = message;
        this.#unfollow = undefined;
      },
    });
  }

  stop(): void {
    this.#stopped = true;
    this.#unfollow?.();
    clearTimeout(this.#announceTimer);
    clearTimeout(this.#retryTimer);
    clearTimeout(this.#reloadTimer);
    clearTimeout(this.#refreshTimer);
    window.removeEventListener('storage', this.#onStorage);
    window.removeEventListener('online', this.#onOnline);
  }

  /** The member asks to load the conversation again after it failed. */
  retryStart(): Promise<void> {
    this.#unfollow?.();
    return this.start();
  }

  /** Loads the page before the first loaded message; answers how many messages it added. */
  loadOlder(): Promise<number> {
    // One page at a time: a second caller (the scroll and a reply link, say) waits for the same page.
    this.#older ??= this.#loadOlder().finally(() => (this.#older = undefined));
    return this.#older;
  }

  async #loadOlder(): Promise<number> {
    const first = this.messages[0];
    if (!this.hasOlder || !first) return 0;
    this.loadingOlder = true;
    this.olderProblem = '';
    try {
      const page = await this.#fetch(`?before=${first.seq}&limit=${PAGE_SIZE}`, (message) => {
        this.olderProblem = message;
      });
      if (!page) return 0;
      const known = this.byId;
      const older = page.messages.filter((message) => !known.has(message.id));
      this.messages = [...older, ...this.messages];
      this.hasOlder = page.hasMore;
      return older.length;
    } finally {
      this.loadingOlder = false;
    }
  }

  /** Makes sure a message is loaded (the original of a reply, say), loading older pages as needed. */
  async reveal(id: string): Promise<boolean> {
    for (let pages = 0; !this.byId.has(id) && this.hasOlder && pages < REVEAL_MAX_PAGES; pages += 1) {
      if ((await this.loadOlder()) === 0) break;
    }
    return this.byId.has(id);
  }

  /** Keeps the words in the outbox first, then tries to send them; nothing typed can be lost after this. */
  send(body: string, contentWarnings: string[] = []): void {
    this.#outbox.add(body, this.replyTarget?.id ?? null, contentWarnings);
    this.unsent = this.#outbox.entries;
    this.replyTarget = null;
    this.draft = '';
    // Writing is taking part again: what was new is no longer news.
    this.dividerSeq = null;
    this.flush();
  }

  /** Sends everything in the outbox that may go now, oldest first. */
  flush(): void {
    clearTimeout(this.#retryTimer);
    for (const entry of this.#outbox.due()) void this.#deliver(entry);
    const next = this.#outbox.nextRetryAt();
    if (next !== undefined) {
      this.#retryTimer = setTimeout(() => this.flush(), Math.max(0, next - Date.now()));
    }
  }

  retry(clientId: string): void {
    this.#outbox.retry(clientId);
    this.unsent = this.#outbox.entries;
    this.socket.reconnectNow();
    this.flush();
  }

  remove(clientId: string): void {
    this.#outbox.remove(clientId);
    this.unsent = this.#outbox.entries;
  }

  startReply(message: Message): void {
    this.replyTarget = message;
  }

  startEdit(message: Message): void {
    this.editingId = message.id;
    this.#clearProblem(message.id);
  }

  /** True when the server took the edit; on a refusal the reason is shown and the text stays. */
  async edit(message: Message, body: string): Promise<boolean> {
    const done = await this.#write(message.id, { type: 'edit', messageId: message.id, body });
    if (done) this.editingId = null;
    return done;
  }

  delete(message: Message): Promise<boolean> {
    return this.#write(message.id, { type: 'delete', messageId: message.id });
  }

  /** Toggles this member's reaction at once, and takes the toggle back if the server refuses it. */
  async react(message: Message, kind: ReactionKind): Promise<void> {
    const key = reactionKey(message.id, kind);
    const on = !this.#mine.has(key);
    const toggle = (value: boolean) => {
      if (value) this.#mine.add(key);
      else this.#mine.delete(key);
      saveMyReactions(this.memberId, this.#mine);
    };
    toggle(on);
    if (!(await this.#write(message.id, { type: 'react', messageId: message.id, kind, on }))) toggle(!on);
  }

  /**
   * The member blocked (or unblocked) someone: fold (or unfold) what that person wrote that is already on
   * screen. The socket's own filter follows on the server, so events from now on come marked.
   */
  markBlocked(authorId: string, blocked: boolean): void {
    this.messages = this.messages.map((message) => {
      if (message.author?.id !== authorId) return message;
      if (blocked) revealed.close(message.id);
      return message.authorBlocked === blocked ? message : { ...message, authorBlocked: blocked };
    });
  }

  clearProblem(messageId: string): void {
    this.#clearProblem(messageId);
  }

  async #write(
    messageId: string,
    frame: Parameters<ChatSocket['request']>[0] & { type: 'edit' | 'delete' | 'react' },
  ): Promise<boolean> {
    this.#clearProblem(messageId);
    try {
      await this.socket.request(frame);
      return true;
    } catch (error) {
      const text = error instanceof ChatRequestError ? error.message : 'Something went wrong. Please try again.';
      this.problems = { ...this.problems, [messageId]: text };
      return false;
    }
  }

  #clearProblem(messageId: string): void {
    if (!(messageId in this.problems)) return;
    const { [messageId]: _gone, ...rest } = this.problems;
    this.problems = rest;
  }

  async #deliver(entry: OutboxEntry): Promise<void> {
    if (this.sending.has(entry.clientId)) return;
    this.sending.add(entry.clientId);
    try {
      const { message } = await this.socket.request({
        type: 'send',
        room: this.room,
        clientId: entry.clientId,
        body: entry.body,
        ...(entry.replyTo ? { replyTo: entry.replyTo } : {}),
        ...(entry.contentWarnings?.length ? { contentWarnings: knownWarnings(entry.contentWarnings) } : {}),
      });
      this.#outbox.remove(entry.clientId);
      this.#upsert(message, true);
    } catch (error) {
      // Offline: it waits, and goes again the moment the room is subscribed again.
      if (error instanceof ChatRequestError && error.code !== 'offline') {
        this.#outbox.refuse(entry.clientId, error.code, error.message);
        this.flush();
      }
    } finally {
      this.sending.delete(entry.clientId);
      this.unsent = this.#outbox.entries;
    }
  }

  #onEvent(frame: EventFrame, missed: boolean): void {
    this.#reloadBuffer?.push(frame);
    this.#refreshBuffer?.push(frame);
    const isNew = frame.kind === 'created' && !this.byId.has(frame.message.id);
    this.#upsert(frame.message, frame.kind === 'created');
    if (!isNew || this.isMine(frame.message)) return;
    if (this.dividerSeq === null && (missed || !this.watching)) this.dividerSeq = frame.seq;
    this.#toAnnounce.push(frame.message);
    clearTimeout(this.#announceTimer);
    this.#announceTimer = setTimeout(() => this.#announce(), ANNOUNCE_GATHER_MS);
  }

  #announce(): void {
    const messages = this.#toAnnounce.splice(0);
    if (messages.length === 0) return;
    this.#announced += 1;
    this.announcements = [
      ...this.announcements.slice(1 - ANNOUNCEMENTS_KEPT),
      { id: this.#announced, text: announcementFor(messages) },
    ];
  }

  /** Puts a message in its place by seq, or replaces the copy already there. */
  #upsert(message: Message, insert: boolean): void {
    const list = this.messages;
    const at = list.findIndex((known) => known.id === message.id);
    if (at >= 0) {
      this.messages = [...list.slice(0, at), message, ...list.slice(at + 1)];
      if (this.replyTarget?.id === message.id) this.replyTarget = message.deleted || message.hidden ? null : message;
      return;
    }
    // An update to a message older than what is loaded: it will arrive fresh with its page.
    if (!insert) return;
    let index = list.length;
    while (index > 0 && list[index - 1]!.seq > message.seq) index -= 1;
    this.messages = [...list.slice(0, index), message, ...list.slice(index)];
  }

  /** After a resync: the newest page again, with the events that came meanwhile applied on top. */
  async #reload(): Promise<void> {
    if (this.#reloadBuffer) return;
    this.#reloadBuffer = [];
    const viewChanges = this.#viewChanges;
    const page = await this.#fetch('', () => undefined);
    const buffered = this.#reloadBuffer;
    this.#reloadBuffer = null;
    if (this.#stopped) return;
    if (!page) {
      this.#reloadTimer = setTimeout(() => void this.#reload(), RELOAD_RETRY_MS);
      return;
    }
    this.#reloads += 1;
    this.messages = page.messages;
    this.hasOlder = page.hasMore;
    for (const frame of buffered) this.#upsert(frame.message, frame.kind === 'created');
    // The member's view changed while this page was on its way: it may show the old one.
    if (this.#viewChanges !== viewChanges) void this.#refreshShown();
  }

  /**
   * The member blocked or unblocked someone, or changed the warnings they hide, here or on another device
   * (or may have, while this tab was away): every message on screen is fetched again, newest first, so that
   * each shows through the member's view now (a newly blocked member's words fold, and what the member had
   * opened of them closes). Events meanwhile go on top. If a fetch fails, what came is applied and the rest
   * is tried again a little later; events from now on come through the new view anyway.
   */
  async #refreshShown(): Promise<void> {
    clearTimeout(this.#refreshTimer);
    if (this.#refreshBuffer) {
      this.#refreshAgain = true; // another change while this one is fetched: fetch once more after
      return;
    }
    const oldest = this.messages[0];
    if (!oldest || this.#stopped) return;
    this.#refreshBuffer = [];
    const reloads = this.#reloads;
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- local to this call, never rendered
    const fresh = new Map<string, Message>();
    let query = `?limit=${REFRESH_PAGE}`;
    let failed = false;
    for (let pages = 0; pages < REFRESH_MAX_PAGES && !this.#stopped; pages += 1) {
      const page = await this.#fetch(query, () => undefined);
      if (!page) {
        failed = true;
        break;
      }
      for (const message of page.messages) fresh.set(message.id, message);
      const first = page.messages[0];
      if (!page.hasMore || !first || first.seq <= oldest.seq) break;
      query = `?before=${first.seq}&limit=${REFRESH_PAGE}`;
    }
    const buffered = this.#refreshBuffer;
    this.#refreshBuffer = null;
    if (this.#stopped) return;
    if (this.#reloads !== reloads) {
      // A resync put a newer page in place meanwhile, which these copies could take back: start again.
      void this.#refreshShown();
      return;
    }
    this.messages = this.messages.map((shown) => {
      const now = fresh.get(shown.id);
      if (!now) return shown;
      const newlyFolded =
        (now.authorBlocked && !shown.authorBlocked) ||
        now.filtered.some((warning) => !shown.filtered.includes(warning));
      if (newlyFolded) revealed.close(now.id);
      return now;
    });
    const target = this.replyTarget && fresh.get(this.replyTarget.id);
    if (target) this.replyTarget = target.deleted || target.hidden ? null : target;
    for (const frame of buffered) this.#upsert(frame.message, frame.kind === 'created');
    if (this.#refreshAgain) {
      this.#refreshAgain = false;
      void this.#refreshShown();
    } else if (failed) {
      this.#refreshTimer = setTimeout(() => void this.#refreshShown(), RELOAD_RETRY_MS);
    }
  }

  /** A page of history; on failure says why (through `onProblem`) and answers undefined. */
  async #fetch(query: string, onProblem?: (message: string) => void): Promise<HistoryPage | undefined> {
    try {
      return await api.get<HistoryPage>(`/api/rooms/${encodeURIComponent(this.room)}/messages${query}`);
    } catch (error) {
      if (error instanceof ApiError && error.code === 'unauthenticated') {
        await session.expire();
        return undefined;
      }
      const message = error instanceof ApiError ? error.message : 'Something went wrong. Please try again.';
      if (onProblem) {
        onProblem(message);
      } else if (error instanceof ApiError && error.code === 'not_a_member') {
        this.closed = message;
        this.phase = 'failed';
      } else {
        this.problem = message;
        this.phase = 'failed';
      }
      return undefined;
    }
  }

  readonly #onStorage = (event: StorageEvent) => {
    // Another tab of the same member kept or sent something in this room: show the same outbox here, and
    // help send it (a clientId sent twice is still one message), so closing that tab loses nothing.
    if (event.key !== this.#outbox.key) return;
    this.#outbox.reload();
    this.unsent = this.#outbox.entries;
    if (this.phase === 'ready') this.flush();
  };

  readonly #onOnline = () => {
    if (this.phase === 'failed' && !this.closed) void this.retryStart();
  };
}
