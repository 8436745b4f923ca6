// What the benchmark driver (chat.ts) and its load generator (load.ts) say to each other over IPC.

export interface LoadTarget {
  /** ws://127.0.0.1:<port>/api/ws */
  wsUrl: string;
  /** Sent as the Origin header: Kindred refuses an upgrade from any other origin. */
  origin: string;
}

export interface LoadMember {
  /** Index into LoadConfig.targets: which server this member's socket connects to. */
  target: number;
  /** The session cookie (`name=value`); none for the baseline. */
  cookie?: string;
  /** Senders send as well as receive; every member receives. */
  sender: boolean;
}

export interface LoadRoom {
  slug: string;
  members: LoadMember[];
}

export interface LoadConfig {
  label: string;
  /** closed: each sender sends its next message when its last is acknowledged. open: a fixed total rate. */
  mode: 'closed' | 'open' | 'idle';
  /** open: messages per second over all senders together. */
  ratePerSecond?: number;
  /** Sending before the measured window starts. */
  warmupMs: number;
  /** The measured window. */
  durationMs: number;
  /** After sending stops, how long to wait at most for the last acks and deliveries. */
  drainMs: number;
  targets: LoadTarget[];
  rooms: LoadRoom[];
  /** How many sockets are opened (and subscribed) at the same time. */
  connectConcurrency: number;
  connectTimeoutMs: number;
  /** Approximate length of each message body, in characters. */
  bodyChars: number;
}

export interface Percentiles {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface LoadResult {
  label: string;
  /** Starts every message body of the run. */
  runTag: string;
  mode: LoadConfig['mode'];
  sockets: number;
  senders: number;
  connectMs: number;
  windowMs: number;
  /** Messages sent inside the window, and over the whole run. */
  sentInWindow: number;
  sent: number;
  acked: number;
  ackedInWindow: number;
  deliveriesInWindow: number;
  deliveriesPerSecond: number;
  ackedPerSecond: number;
  sentPerSecond: number;
  /** Send to receive, at every receiver, for messages sent inside the window (milliseconds). */
  latency: Percentiles;
  /** Send to acknowledgement at the sender, same messages (milliseconds). */
  ackLatency: Percentiles;
  /** Deliveries a receiver should have had (its room acknowledged them) and had not got when the drain ended. */
  lost: number;
  /** Receivers that lost anything. */
  receiversLosing: number;
  /** Events whose seq was not greater than the previous one at the same receiver. */
  seqNotIncreasing: number;
  /** Events whose seq skipped over one or more seqs at the same receiver. */
  seqGaps: number;
  /** Sends never answered (neither ack nor error) by the end of the drain. */
  unanswered: number;
  /** Delivered but never acknowledged to their sender. */
  deliveredUnacked: number;
  errors: Record<string, number>;
  /** Sockets closed by the server (or the network) during the run, by close code. */
  closes: Record<string, number>;
  drainMs: number;
  /** Every send answered and every acknowledged message received before the drain's time ran out. */
  drained: boolean;
  /** CPU the load generator itself used during the window, in cores. */
  loadCpuCores: number;
  /** open loop: the largest delay between a message's scheduled and actual send (milliseconds). */
  sendLagMaxMs: number;
}

export type ParentMessage =
  | { type: 'config'; config: LoadConfig }
  /** idle mode: subscribe every socket now. */
  | { type: 'subscribe' }
  /** idle mode: close every socket and exit. */
  | { type: 'finish' };

export type ChildMessage =
  /** Listening for the config. */
  | { type: 'ready' }
  | { type: 'connected'; sockets: number; failures: number; connectMs: number }
  | { type: 'subscribed'; sockets: number; failures: number }
  /** Every socket is connected and subscribed; sending (the warm-up) starts now. */
  | { type: 'sending' }
  /** The measured window starts or ends now (the driver measures CPU over it). */
  | { type: 'window'; phase: 'start' | 'end' }
  | { type: 'result'; result: LoadResult }
  | { type: 'closed' }
  | { type: 'failed'; message: string };

// ---- the flood (flood.ts): one member replaying a room's history as fast as the server lets it --------------

export interface FloodConfig {
  target: LoadTarget;
  /** The flooding member's session cookie. */
  cookie: string;
  /** A room of the member's, filled up to `history` events before the flood (so since 0 replays all of it). */
  room: string;
  history: number;
  /** Sockets the member floods from (the most Kindred lets one member keep open). */
  sockets: number;
  connectTimeoutMs: number;
}

export interface FloodResult {
  /** Subscribe frames sent, accepted (`subscribed`) and refused (`rate_limited`), over the whole flood. */
  subscribes: number;
  accepted: number;
  refused: number;
  /** Errors other than rate_limited, by code; sockets closed by the server, by close code. */
  errors: Record<string, number>;
  closes: Record<string, number>;
  /** Events replayed to the flooder, and the bytes it received (WebSocket payloads) and sent. */
  events: number;
  bytesReceived: number;
  bytesSent: number;
  floodMs: number;
}

export type FloodParentMessage =
  | { type: 'config'; config: FloodConfig }
  /** Start flooding now (the load generator started sending). */
  | { type: 'go' }
  /** Stop, and answer with the result. */
  | { type: 'stop' };

export type FloodChildMessage =
  | { type: 'ready' }
  /** Connected, and the room holds its history. */
  | { type: 'armed' }
  | { type: 'result'; result: FloodResult }
  | { type: 'failed'; message: string };
