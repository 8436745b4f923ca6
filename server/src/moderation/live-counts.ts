// Live counts on the chat socket: a socket that sends `{type: "counts"}` is told, at once and whenever they
// change, how many of its member's notices are unread (`notices`) and, for staff, how many items wait in
// the review queue they may act on (`queue`, urgent ones apart). Each count is the count of the list the
// member reads over HTTP (queue-scope.ts for the queue, the notices list for notices), so it follows the
// same visibility: a plain member is never sent a queue count, a moderator of one room nothing of another.
//
// Counting is driven by events, not by sockets: an item opened or closed in a room (a `queue-changed`
// control message, from any instance) marks for a recount only the members here who may see that room's
// items; a kept notice or a read one marks its member. Marks are gathered for DEBOUNCE_MS and then
// counted once per member, a few members at a time, however many events came; a member's counts are kept
// in memory while they have a socket here that follows them, so a second tab or a reconnect asks nothing
// of the database. A frame is sent only when its count changed.
import { schema, type Database } from '@kindred/db';
import { and, eq, inArray, or } from 'drizzle-orm';
import { countsAllowance, type Allowance } from '../chat/budgets.ts';
import type { ControlMessage } from '../chat/bus.ts';
import { queueCounts, queueScopeOf, type QueueScope } from './queue-scope.ts';

const { memberships, users } = schema;

/** Events within this long of each other are counted once. */
const DEBOUNCE_MS = 100;
/** Members counted at the same time: a burst never takes more than this many database connections. */
const COUNTING_AT_ONCE = 4;

/** What a following socket must offer: the gateway's connection. */
export interface CountsSocket {
  sendRaw(frame: string): void;
}

interface Followed {
  sockets: Set<CountsSocket>;
  /** The last frames sent (serialized); undefined until first counted, queue null for non-staff. */
  queue?: string | null;
  notices?: string;
  /** The scope the queue count was taken in, to know which room events concern this member. */
  scope?: QueueScope | null;
  /** Asks answered once the first count is known: each `counts` frame is answered. */
  owed: CountsSocket[];
}

type Recount = { queue: boolean; notices: boolean };

export function createLiveCounts(options: {
  db: Database;
  /** How many of a member's notices are unread, counted as the notices list shows them (notices/centre.ts). */
  unreadNotices: (userId: string) => Promise<number>;
  now: () => Date;
  onError: (error: unknown) => void;
}) {
  const { db, unreadNotices, now, onError } = options;
  const followed = new Map<string, Followed>();
  const allowances = new WeakMap<CountsSocket, Allowance>();
  const marked = new Map<string, Recount>();
  let timer: NodeJS.Timeout | undefined;
  let counting: Promise<void> = Promise.resolve();

  function mark(userId: string, what: Partial<Recount>): void {
    if (!followed.has(userId)) return;
    const recount = marked.get(userId) ?? { queue: false, notices: false };
    recount.queue ||= what.queue ?? false;
    recount.notices ||= what.notices ?? false;
    marked.set(userId, recount);
    timer ??= setTimeout(() => {
      timer = undefined;
      counting = counting.then(countMarked);
    }, DEBOUNCE_MS);
  }

  async function countMarked(): Promise<void> {
    const batch = [...marked];
    marked.clear();
    for (let i = 0; i < batch.length; i += COUNTING_AT_ONCE) {
      await Promise.all(batch.slice(i, i + COUNTING_AT_ONCE).map(([userId, what]) => count(userId, what)));
    }
  }

  async function count(userId: string, what: Recount): Promise<void> {
    try {
      const frames: { queue?: string | null; notices?: string; scope?: QueueScope | null } = {};
      if (what.queue || followed.get(userId)?.notices === undefined) {
        const [user] = await db
          .select({ isAdmin: users.isAdmin, storyModerator: users.storyModerator })
          .from(users)
          .where(eq(users.id, userId));
        const scope = user ? await queueScopeOf(db, { id: userId, ...user }) : null;
        frames.scope = scope;
        frames.queue = scope ? JSON.stringify({ type: 'queue', ...(await queueCounts(db, scope)) }) : null;
      }
      // A member not yet counted is counted whole, whatever marked them.
      if (what.notices || followed.get(userId)?.notices === undefined) {
        const unread = await unreadNotices(userId);
        frames.notices = JSON.stringify({ type: 'notices', unread });
      }
      const member = followed.get(userId);
      if (!member) return;
      if (frames.scope !== undefined) member.scope = frames.scope;
      // Once staff, a member who stops being staff is told the queue is empty for them, once.
      if (frames.queue === null && member.queue) frames.queue = JSON.stringify({ type: 'queue', total: 0, urgent: 0 });
      // Sockets still owed an answer are told both counts; the others only what changed.
      const owed = member.owed.splice(0);
      const changed: string[] = [];
      if (frames.queue !== undefined && frames.queue !== member.queue) {
        member.queue = frames.queue;
        if (frames.queue) changed.push(frames.queue);
      }
      if (frames.notices !== undefined && frames.notices !== member.notices) {
        member.notices = frames.notices;
        changed.push(frames.notices);
      }
      for (const socket of member.sockets) {
        const asked = owed.filter((one) => one === socket).length;
        if (asked === 0) for (const frame of changed) socket.sendRaw(frame);
        for (let i = 0; i < asked; i += 1) tell(member, socket);
      }
    } catch (error) {
      onError(error); // the counts stay as they were until the next change
    }
  }

  function tell(member: Followed, socket: CountsSocket): void {
    if (member.queue) socket.sendRaw(member.queue);
    if (member.notices) socket.sendRaw(member.notices);
  }

  /** Who here may see items of these rooms now, or could until now (a moderator since removed). */
  async function concerned(roomIds: (string | null)[]): Promise<Set<string>> {
    const here = new Set<string>();
    const rooms = roomIds.filter((id): id is string => id !== null);
    const stories = roomIds.includes(null);
    for (const [userId, member] of followed) {
      const scope = member.scope;
      if (!scope) continue;
      if (scope.rooms === 'all' || (stories && scope.stories) || rooms.some((id) => scope.rooms.includes(id))) {
        here.add(userId);
      }
    }
    // Appointed since they were last counted: the moderators of these rooms, admins, and story moderators.
    const rows = await db
      .select({ id: users.id })
      .from(users)
      .where(or(eq(users.isAdmin, true), stories ? eq(users.storyModerator, true) : undefined));
    const roomModerators = rooms.length
      ? await db
          .select({ id: memberships.userId })
          .from(memberships)
          .where(and(eq(memberships.role, 'moderator'), inArray(memberships.roomId, rooms)))
      : [];
    for (const { id } of [...rows, ...roomModerators]) if (followed.has(id)) here.add(id);
    return here;
  }

  return {
    /**
     * A socket asks to follow its member's counts: it is sent them at once (from memory when they are
     * known here) and again on every change. Past its allowance it is refused, and nothing is counted.
     */
    follow(socket: CountsSocket, userId: string): void {
      const at = now().getTime();
      const allowance = allowances.get(socket) ?? countsAllowance(at);
      allowances.set(socket, allowance);
      const wait = allowance.take(1, at);
      if (wait > 0) {
        socket.sendRaw(
          JSON.stringify({
            type: 'error',
            code: 'rate_limited',
            retryAfter: wait,
            message: `Counts were asked for many times at once. Please wait ${wait} seconds.`,
          }),
        );
        return;
      }
      let member = followed.get(userId);
      if (!member) {
        member = { sockets: new Set(), owed: [] };
        followed.set(userId, member);
      }
      member.sockets.add(socket);
      if (member.notices === undefined) {
        member.owed.push(socket);
        mark(userId, { queue: true, notices: true });
        return;
      }
      tell(member, socket);
    },

    /** The socket closed. */
    unfollow(socket: CountsSocket, userId: string): void {
      const member = followed.get(userId);
      if (!member?.sockets.delete(socket) || member.sockets.size > 0) return;
      followed.delete(userId);
      marked.delete(userId);
    },

    onControl(message: ControlMessage): void {
      if (message.type === 'queue-changed') {
        if (followed.size === 0) return;
        concerned(message.roomIds).then((userIds) => {
          for (const userId of userIds) mark(userId, { queue: true });
        }, onError);
      } else if (message.type === 'notices-read') {
        mark(message.userId, { notices: true });
      } else if (message.type === 'user-notice' && 'id' in message.notice) {
        // A kept notice (a moderator acted on their words): one more unread.
        mark(message.userId, { notices: true });
      }
    },

    /** Waits for counting in progress (the app closing). */
    async idle(): Promise<void> {
      clearTimeout(timer);
      timer = undefined;
      await counting;
    },
  };
}

export type LiveCounts = ReturnType<typeof createLiveCounts>;
