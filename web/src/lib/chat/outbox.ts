// What a member has written in a room but the server has not yet confirmed: kept in localStorage per
// member and room, so a dropped connection, a reload or a closed tab loses nothing. Each message gets its
// clientId once, when it is written, and keeps it for every resend: the server answers a repeated
// clientId with the original ack, so resending after any doubt can never post a message twice.
// The draft in the message box is kept here too, for the same reason.

/** A message waiting to be sent, or one the server refused for good (kept so the member can copy it). */
export interface OutboxEntry {
  clientId: string;
  body: string;
  /** The id of the message this one replies to. */
  replyTo: string | null;
  /** The content notes its author added; absent when none (and in entries kept by an older build). */
  contentWarnings?: string[];
  writtenAt: string;
  /** Set when the server refused it in a way that trying again won't fix; it then waits for the member. */
  refusal?: { code: string; message: string };
  /** When the server asked us to wait (rate limits, slow mode): the earliest time to try again, in ms. */
  retryAt?: number;
}

/** Refusals that the same message sent again would get again; the member decides what to do. */
const finalRefusals = new Set([
  'validation',
  'not_a_member',
  'forbidden',
  'room_archived',
  'not_found',
  'muted',
  'banned',
]);

/** A wait the server asked for, when its message gives none we can read. */
const defaultWaitSeconds = 10;
/** How soon to try again after a passing problem on our side (the server restarting, say). */
const passingProblemSeconds = 5;

/** True for refusals that waiting won't change: the member's words stay, marked, until they act. */
export function isFinalRefusal(code: string): boolean {
  return finalRefusals.has(code);
}

/**
 * The seconds a rate-limit message asks for ("Please wait 12 seconds", "…You can send again in 8 seconds.").
 * The last number before "second" is the wait; slow-mode messages name the interval first.
 */
export function waitSecondsIn(message: string): number {
  const waits = [...message.matchAll(/(\d+)\s*seconds?/gi)];
  const seconds = Number(waits.at(-1)?.[1]);
  return Number.isFinite(seconds) && seconds > 0 ? seconds : defaultWaitSeconds;
}

/** A fresh clientId: 128 random bits as hex, within the protocol's ^[A-Za-z0-9_-]{1,64}$. */
export function newClientId(): string {
  // getRandomValues, unlike randomUUID, also works on a plain-http address in a local network.
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** The localStorage key of one member's outbox in one room. */
export function outboxKey(memberId: string, room: string): string {
  return `kindred.outbox.${memberId}.${room}`;
}

export function draftKey(memberId: string, room: string): string {
  return `kindred.draft.${memberId}.${room}`;
}

export class Outbox {
  #entries: OutboxEntry[];
  /** False once storage refused a write: from then on this page's copy is the only one. */
  #stored = true;
  readonly #key: string;
  readonly #draftKey: string;

  constructor(
    memberId: string,
    room: string,
    private readonly storage: Storage | undefined = globalThis.localStorage,
  ) {
    this.#key = outboxKey(memberId, room);
    this.#draftKey = draftKey(memberId, room);
    this.#entries = this.#read() ?? [];
  }

  /** Everything waiting, oldest first: the order they were written is the order they are sent. */
  get entries(): readonly OutboxEntry[] {
    return this.#entries;
  }

  get key(): string {
    return this.#key;
  }

  add(body: string, replyTo: string | null, contentWarnings: string[] = [], now = new Date()): OutboxEntry {
    const entry: OutboxEntry = {
      clientId: newClientId(),
      body,
      replyTo,
      ...(contentWarnings.length ? { contentWarnings } : {}),
      writtenAt: now.toISOString(),
    };
    this.#change((entries) => [...entries, entry]);
    return entry;
  }

  /** Confirmed by the server, or let go by the member. */
  remove(clientId: string): void {
    this.#change((entries) => entries.filter((entry) => entry.clientId !== clientId));
  }

  /**
   * Records the server's answer to a send that didn't go through. A final refusal waits for the member;
   * a rate limit waits the time it names; anything else is tried again shortly.
   */
  refuse(clientId: string, code: string, message: string, now = Date.now()): OutboxEntry | undefined {
    const changed = (entry: OutboxEntry): OutboxEntry => {
      if (isFinalRefusal(code)) return { ...without(entry), refusal: { code, message } };
      const seconds = code === 'rate_limited' ? waitSecondsIn(message) : passingProblemSeconds;
      return { ...without(entry), retryAt: now + seconds * 1000 };
    };
    this.#change((entries) => entries.map((entry) => (entry.clientId === clientId ? changed(entry) : entry)));
    return this.#entries.find((entry) => entry.clientId === clientId);
  }

  /** The member asks to try again now: whatever the server said last is set aside. */
  retry(clientId: string): void {
    this.#change((entries) => entries.map((entry) => (entry.clientId === clientId ? without(entry) : entry)));
  }

  /** The entries to send now, in the order they were written. */
  due(now = Date.now()): OutboxEntry[] {
    return this.#entries.filter((entry) => !entry.refusal && (entry.retryAt === undefined || entry.retryAt <= now));
  }

  /** The soonest time a waiting entry may be tried again, if any is waiting. */
  nextRetryAt(): number | undefined {
    const times = this.#entries.flatMap((entry) => (!entry.refusal && entry.retryAt ? [entry.retryAt] : []));
    return times.length ? Math.min(...times) : undefined;
  }

  /** Reads the entries again, e.g. after another tab of the same member changed them. */
  reload(): void {
    if (this.#stored) this.#entries = this.#read() ?? this.#entries;
  }

  get draft(): string {
    return this.#get(this.#draftKey) ?? '';
  }

  set draft(text: string) {
    try {
      if (text.trim()) this.storage?.setItem(this.#draftKey, text);
      else this.storage?.removeItem(this.#draftKey);
    } catch {
      // Storage full or switched off: the draft still lives in the page.
    }
  }

  /**
   * Changes the stored list, not just this page's copy: another tab of the same member may have changed
   * it since, and its entries must not be overwritten.
   */
  #change(change: (entries: OutboxEntry[]) => OutboxEntry[]): void {
    this.reload();
    this.#entries = change(this.#entries);
    try {
      if (this.#entries.length) this.storage?.setItem(this.#key, JSON.stringify(this.#entries));
      else this.storage?.removeItem(this.#key);
    } catch {
      // Storage full or switched off (some private modes): the entries still live in this page.
      this.#stored = false;
    }
  }

  /** The stored entries, or undefined when storage can't be read. */
  #read(): OutboxEntry[] | undefined {
    if (!this.storage) return undefined;
    let text: string | null;
    try {
      text = this.storage.getItem(this.#key);
    } catch {
      return undefined;
    }
    try {
      const value: unknown = JSON.parse(text ?? '[]');
      return Array.isArray(value) ? value.filter(isEntry) : [];
    } catch {
      return [];
    }
  }

  #get(key: string): string | null {
    try {
      return this.storage?.getItem(key) ?? null;
    } catch {
      return null;
    }
  }
}

function without(entry: OutboxEntry): OutboxEntry {
  const { refusal: _refusal, retryAt: _retryAt, ...rest } = entry;
  return rest;
}

function isEntry(value: unknown): value is OutboxEntry {
  const entry = value as Partial<OutboxEntry> | null;
  return (
    typeof entry?.clientId === 'string' &&
    /^[A-Za-z0-9_-]{1,64}$/.test(entry.clientId) &&
    typeof entry.body === 'string' &&
    (entry.replyTo === null || typeof entry.replyTo === 'string') &&
    (entry.contentWarnings === undefined ||
      (Array.isArray(entry.contentWarnings) && entry.contentWarnings.every((w) => typeof w === 'string'))) &&
    typeof entry.writtenAt === 'string'
  );
}
