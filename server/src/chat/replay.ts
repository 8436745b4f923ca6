// What a resuming socket missed, sent at the pace that socket reads. A replay is read a page at a time and
// written in small pieces, each only once the socket has written out what it had, with a turn of the event
// loop between pieces: the server never holds a replay whole in memory, a reader that stops reading stops
// its replay (and is let go, as any reader that falls behind is), and a member replaying a room over and
// over takes turns with everyone else instead of holding up the process; past the member's allowance of
// replayed events (budgets.ts), each page also waits its turn in time.
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import type { Database } from '@kindred/db';
import { EventRun, loadPreparedEvents } from './messages.ts';

/** Events read from the database at once: one short statement, ~50 KB of frames for ordinary messages. */
const REPLAY_PAGE = 100;
/**
 * The most written to a socket in one piece. The next piece waits until the socket has taken it in, so a
 * replay holds at most about this much (plus one frame) in the server's memory per socket.
 */
const REPLAY_PIECE_BYTES = 64 * 1024;

export interface ReplayTarget {
  /** Resolves true when the socket can take more; false when it is gone (or was let go for not reading). */
  writable(): Promise<boolean>;
  /** False once the replay is no longer wanted: the room was left or subscribed again, or the socket closed. */
  wanted(): boolean;
  /** Writes events of the room, those after `after`, in one write. */
  write(run: EventRun, after: number): void;
  /** Spends `events` of the member's replay allowance: the milliseconds to wait before sending them. */
  pace(events: number): number;
}

/** Replays a room's events with from < seq <= to to `target`, in order. False if it stopped before the end. */
export async function replayEvents(
  db: Database,
  roomId: string,
  from: number,
  to: number,
  target: ReplayTarget,
): Promise<boolean> {
  for (let after = from; after < to;) {
    const upTo = Math.min(to, after + REPLAY_PAGE);
    const wait = target.pace(upTo - after);
    if (wait > 0) await sleep(wait);
    if (!target.wanted()) return false;
    const events = await loadPreparedEvents(db, roomId, after, upTo);
    for (let first = 0; first < events.length;) {
      if (!(await target.writable()) || !target.wanted()) return false;
      let end = first + 1;
      let bytes = events[first]!.frame.length;
      while (end < events.length && bytes + events[end]!.frame.length <= REPLAY_PIECE_BYTES) {
        bytes += events[end]!.frame.length;
        end += 1;
      }
      target.write(new EventRun(events.slice(first, end)), events[first]!.seq - 1);
      first = end;
      await nextTurn();
    }
    after = upTo;
  }
  return target.wanted();
}
