// Fan-out between server instances. On PGlite there is one process by construction, so the bus is
// in-process. On PostgreSQL every instance LISTENs: the writer NOTIFYs once per committed batch with
// room ids and seq ranges (never bodies), and each instance reads what it needs once for all its sockets.
// Control messages (a session ended, a member left a room) travel the same way.
import { randomUUID } from 'node:crypto';
import type { DatabaseHandle } from '@kindred/db';
import pg from 'pg';

export type ControlMessage =
  | { type: 'sessions-ended'; sessionIds: string[] }
  | { type: 'membership-ended'; roomId: string; userId: string }
  | { type: 'user-notice'; userId: string; notice: Record<string, unknown> }
  /** A member changed their personal filter or blocks: their sockets reload them. */
  | { type: 'viewer-filter-changed'; userId: string }
  /** Items opened or closed in these rooms' queues (null: the stories'): live counts are told again. */
  | { type: 'queue-changed'; roomIds: (string | null)[] }
  /** A member read notices: their unread count is told again. */
  | { type: 'notices-read'; userId: string }
  /** A frame for every socket of one member, on every instance (e.g. `read`: their position moved). */
  | { type: 'member-frame'; userId: string; frame: Record<string, unknown> }
  /** Who is here, or on duty, changed in these rooms (reads/presence.ts): their subscribers are told again. */
  | { type: 'presence-changed'; roomIds: string[] };

export interface BusHandlers {
  onRemoteRanges(ranges: { roomId: string; from: number; to: number }[]): void;
  onControl(message: ControlMessage): void;
  /** The bus lost and regained its connection: notifications may have been missed. */
  onReconnect(): void;
}

export interface ChatBus {
  publishControl(message: ControlMessage): Promise<void>;
  /** Tells other instances about events committed outside the writer (e.g. by an account deletion). */
  publishRanges(ranges: { roomId: string; from: number; to: number }[]): Promise<void>;
  start(handlers: BusHandlers): Promise<void>;
  close(): Promise<void>;
}

const EVENTS_CHANNEL = 'kindred_room_events';
const CONTROL_CHANNEL = 'kindred_control';

export function createBus(database: DatabaseHandle, onError: (error: unknown) => void): ChatBus {
  return database.kind === 'postgres' && database.pool ? new PostgresBus(database, onError) : new InProcessBus();
}

class InProcessBus implements ChatBus {
  #handlers: BusHandlers | undefined;

  async publishControl(message: ControlMessage): Promise<void> {
    this.#handlers?.onControl(message);
  }

  async publishRanges(): Promise<void> {}

  async start(handlers: BusHandlers): Promise<void> {
    this.#handlers = handlers;
  }

  async close(): Promise<void> {
    this.#handlers = undefined;
  }
}

class PostgresBus implements ChatBus {
  readonly #instance = randomUUID();
  #client: pg.Client | undefined;
  #handlers: BusHandlers | undefined;
  #closed = false;
  #retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly database: DatabaseHandle,
    private readonly onError: (error: unknown) => void,
  ) {}

  /**
   * After the data has committed, in a transaction of its own whose commit is asynchronous: PostgreSQL
   * holds one lock over every notifying commit, WAL flush included, so a NOTIFY inside the writer's
   * statement (or any synchronous commit) would make all chat commits take turns. One simple query, so one
   * round trip and one implicit transaction (`SET LOCAL` ends with it). A notification lost to a crash in
   * between is made good by the feeds' periodic catch-up.
   */
  async publishRanges(ranges: { roomId: string; from: number; to: number }[]): Promise<void> {
    if (ranges.length === 0) return;
    // The payload is our own JSON of uuids and numbers; escaped all the same, as a simple query has no
    // parameters.
    await this.database.pool!.query(
      `SET LOCAL synchronous_commit TO off; SELECT pg_notify('${EVENTS_CHANNEL}', ${pg.escapeLiteral(this.#rangesPayload(ranges))})`,
    );
  }

  #rangesPayload(ranges: { roomId: string; from: number; to: number }[]): string {
    return JSON.stringify({ i: this.#instance, r: ranges.map((r) => [r.roomId, r.from, r.to]) });
  }

  async publishControl(message: ControlMessage): Promise<void> {
    this.#handlers?.onControl(message);
    const payload = JSON.stringify({ i: this.#instance, m: message });
    await this.database.pool!.query('SELECT pg_notify($1, $2)', [CONTROL_CHANNEL, payload]);
  }

  async start(handlers: BusHandlers): Promise<void> {
    this.#handlers = handlers;
    await this.#connect();
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retry);
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => {});
  }

  async #connect(): Promise<void> {
    const options = this.database.pool!.options;
    const client = new pg.Client({ ...options, connectionTimeoutMillis: 5_000 });
    client.on('notification', (note) => this.#receive(note.channel, note.payload));
    client.on('error', (error) => this.#lost(client, error));
    client.on('end', () => this.#lost(client, undefined));
    await client.connect();
    await client.query(`LISTEN ${EVENTS_CHANNEL}`);
    await client.query(`LISTEN ${CONTROL_CHANNEL}`);
    this.#client = client;
  }

  #lost(client: pg.Client, error: unknown): void {
    if (this.#client !== client || this.#closed) return;
    this.#client = undefined;
    if (error) this.onError(error);
    client.end().catch(() => {});
    this.#scheduleReconnect(250);
  }

  #scheduleReconnect(delayMs: number): void {
    this.#retry = setTimeout(() => {
      this.#connect().then(
        () => this.#handlers?.onReconnect(),
        () => {
          if (!this.#closed) this.#scheduleReconnect(Math.min(delayMs * 2, 5_000));
        },
      );
    }, delayMs);
    this.#retry.unref();
  }

  #receive(channel: string, payload: string | undefined): void {
    if (!payload || !this.#handlers) return;
    try {
      const message = JSON.parse(payload) as { i: string; r?: [string, number, number][]; m?: ControlMessage };
      if (message.i === this.#instance) return;
      if (channel === EVENTS_CHANNEL) {
        this.#handlers.onRemoteRanges((message.r ?? []).map(([roomId, from, to]) => ({ roomId, from, to })));
      } else if (channel === CONTROL_CHANNEL && message.m) {
        this.#handlers.onControl(message.m);
      }
    } catch (error) {
      this.onError(error);
    }
  }
}
