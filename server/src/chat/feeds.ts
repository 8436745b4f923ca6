// Per-room delivery inside one instance. Each room with subscribers here has a feed that hands events to
// its subscribers strictly in seq order, without holes: an event that arrives ahead of its predecessors
// (another instance's commit, a notification lost in a reconnect) first pulls the missing ones from the
// database. Each event's frame is serialized once and the same string is written to every socket.
import type { Database } from '@kindred/db';
import {
  EventRun,
  loadPreparedEvents,
  loadPreparedEventsOf,
  roomLastSeq,
  roomsLastSeq,
  type PreparedEvent,
} from './messages.ts';

export interface Subscriber {
  /** The room's next events, consecutive, in seq order. */
  deliver(run: EventRun): void;
}

interface Feed {
  roomId: string;
  delivered: number;
  /**
   * The last seq of this instance's own events handed to the feed (delivered, or queued behind earlier
   * work): delivering them also fills any gap before them from the database, so another instance's range
   * at or below it needs no read of its own.
   */
  queuedUpTo: number;
  subscribers: Set<Subscriber>;
  /** Work on this feed, one task at a time, so deliveries never interleave. */
  chain: Promise<void>;
}

export class RoomFeeds {
  readonly #feeds = new Map<string, Feed>();

  constructor(
    private readonly db: Database,
    private readonly onError: (error: unknown) => void,
    /** This instance's batches in flight to a room, being stored or not yet handed over (ChatWriter.committing). */
    private readonly committingHere: (roomId: string) => Promise<void> | undefined = () => undefined,
  ) {}

  /** Adds a subscriber; resolves once the feed knows where the room stands. */
  async subscribe(roomId: string, subscriber: Subscriber): Promise<void> {
    let feed = this.#feeds.get(roomId);
    if (!feed) {
      const created: Feed = { roomId, delivered: 0, queuedUpTo: 0, subscribers: new Set(), chain: Promise.resolve() };
      this.#feeds.set(roomId, created);
      this.#enqueue(created, async () => {
        created.delivered = await roomLastSeq(this.db, roomId);
      });
      feed = created;
    }
    feed.subscribers.add(subscriber);
    await feed.chain;
  }

  unsubscribe(roomId: string, subscriber: Subscriber): void {
    const feed = this.#feeds.get(roomId);
    if (!feed) return;
    feed.subscribers.delete(subscriber);
    if (feed.subscribers.size === 0) this.#feeds.delete(roomId);
  }

  /** Events committed by this instance, already serialized. */
  publish(roomId: string, events: PreparedEvent[]): void {
    const feed = this.#feeds.get(roomId);
    if (!feed || events.length === 0) return;
    feed.queuedUpTo = Math.max(feed.queuedUpTo, events.at(-1)!.seq);
    this.#enqueue(feed, () => this.#deliver(feed, events));
  }

  /**
   * Committed events to read from the database (another instance's batch, across rooms; a batch of this
   * writer's it could not read back): read once here, in one statement for all the rooms with subscribers
   * here, then delivered to every local subscriber. From outside the writer, use `publishCommitted`.
   */
  publishRanges(ranges: { roomId: string; from: number; to: number }[]): void {
    const wanted = ranges.flatMap((range) => {
      const feed = this.#feeds.get(range.roomId);
      // Two instances writing to one room: this instance's batch often commits after the other's and fills
      // that gap itself before the notification about it arrives.
      return feed && range.to > Math.max(feed.delivered, feed.queuedUpTo) ? [{ feed, range }] : [];
    });
    if (wanted.length === 0) return;
    const loaded = loadPreparedEventsOf(
      this.db,
      wanted.map(({ range }) => ({ roomId: range.roomId, after: range.from - 1, upTo: range.to })),
    );
    loaded.catch(() => {}); // each feed's task below awaits it and reports a failure once
    for (const { feed, range } of wanted) {
      this.#enqueue(feed, async () => {
        if (range.to <= feed.delivered) return;
        // #deliver pulls anything between what this feed delivered and range.from from the database.
        await this.#deliver(feed, (await loaded).get(feed.roomId) ?? []);
      });
    }
  }

  /**
   * Events committed outside this instance's writer: another instance's batch, or a moderation action or
   * account deletion here. A room this instance's writer has a batch in flight to waits for that batch's
   * hand-over. When the batch comes after, its delivery reads these events with its own and every socket gets
   * both in one write (writes to sockets are most of an instance's work). When it came first, its events
   * reach the feed before this range is read, so the read never covers a batch that is committed but not
   * yet published: read from the database, those would show each message as a later batch left it.
   */
  publishCommitted(ranges: { roomId: string; from: number; to: number }[]): void {
    const now: typeof ranges = [];
    for (const range of ranges) {
      if (!this.#feeds.has(range.roomId)) continue;
      const local = this.committingHere(range.roomId);
      if (local) void local.then(() => this.publishRanges([range]));
      else now.push(range);
    }
    this.publishRanges(now);
  }

  /**
   * After a lost connection to the bus, and every few seconds: bring every feed up to what the database
   * holds. One query finds where the rooms stand; only a feed that is behind reads its events.
   */
  catchUpAll(): void {
    // A room this instance's writer has a batch in flight to is skipped: that batch's delivery fills any gap
    // before it, and reading now could take its events from the database before they are published.
    const feeds = [...this.#feeds.values()].filter((feed) => !this.committingHere(feed.roomId));
    if (feeds.length === 0) return;
    const standing = roomsLastSeq(
      this.db,
      feeds.map((feed) => feed.roomId),
    );
    standing.catch(this.onError);
    for (const feed of feeds) {
      this.#enqueue(feed, async () => {
        const last = (await standing).get(feed.roomId) ?? 0;
        if (last > feed.delivered)
          await this.#deliver(feed, await loadPreparedEvents(this.db, feed.roomId, feed.delivered, last));
      });
    }
  }

  get roomCount(): number {
    return this.#feeds.size;
  }

  async #deliver(feed: Feed, events: PreparedEvent[]): Promise<void> {
    const fresh = events.filter((event) => event.seq > feed.delivered);
    if (fresh.length === 0) return;
    // Anything missing before these (another instance's commit not yet heard of) comes from the database.
    const first = fresh[0]!.seq;
    const missing =
      first > feed.delivered + 1 ? await loadPreparedEvents(this.db, feed.roomId, feed.delivered, first - 1) : [];
    const run: PreparedEvent[] = [];
    for (const event of [...missing, ...fresh]) {
      if (event.seq !== feed.delivered + 1) continue;
      feed.delivered = event.seq;
      run.push(event);
    }
    if (run.length === 0) return;
    // A batch's events go to each socket in one write (one system call) rather than one write each: with
    // group commit that is most of the cost of fan-out saved.
    const shared = new EventRun(run);
    for (const subscriber of feed.subscribers) subscriber.deliver(shared);
  }

  #enqueue(feed: Feed, task: () => Promise<void>): void {
    feed.chain = feed.chain.then(task).catch(this.onError);
  }
}
