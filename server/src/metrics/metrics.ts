// What an operator's Prometheus reads at /api/metrics (routes.ts): one registry per app (tests build many
// apps in one process, so nothing goes in prom-client's global one). Figures only: no member, room name,
// address or text ever becomes a label; HTTP routes are labelled by their pattern (`/api/rooms/:slug`),
// never the address asked for.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { WriteOp, WriteResult } from '../chat/writer.ts';

/** What the chat writer reports after each batch it stored (chat/writer.ts). */
export interface WriterMetrics {
  committed(ops: readonly WriteOp[], results: readonly (WriteResult | undefined)[], seconds: number): void;
}

export interface LiveFigures {
  openSockets(): number;
  roomsOnline(): number;
  queuedWrites(): number;
}

export type RateLimitedWhere = 'http' | 'chat_message' | 'chat_subscribe';

export class Metrics implements WriterMetrics {
  readonly registry = new Registry();
  readonly #messages: Counter;
  readonly #batchOps: Histogram;
  readonly #commitSeconds: Histogram;
  readonly #http: Histogram<'method' | 'route' | 'status'>;
  readonly #refusals: Counter<'where'>;
  readonly #loop = monitorEventLoopDelay({ resolution: 10 });

  constructor(live: LiveFigures) {
    const registers = [this.registry];
    this.#loop.enable();
    new Gauge({
      name: 'kindred_open_sockets',
      help: 'Chat WebSockets open on this instance.',
      registers,
      collect() {
        this.set(live.openSockets());
      },
    });
    new Gauge({
      name: 'kindred_rooms_online',
      help: 'Rooms with at least one member subscribed on this instance.',
      registers,
      collect() {
        this.set(live.roomsOnline());
      },
    });
    new Gauge({
      name: 'kindred_chat_queued_writes',
      help: 'Chat writes (sends, edits, deletes, reactions) waiting for the next group commit.',
      registers,
      collect() {
        this.set(live.queuedWrites());
      },
    });
    this.#messages = new Counter({
      name: 'kindred_chat_messages_stored_total',
      help: 'Chat messages stored by this instance (rate() of it: messages per second).',
      registers,
    });
    this.#batchOps = new Histogram({
      name: 'kindred_chat_batch_size',
      help: 'Writes in each group commit of the chat writer.',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
      registers,
    });
    this.#commitSeconds = new Histogram({
      name: 'kindred_chat_commit_seconds',
      help: 'Time to store one chat batch, from its statement to its commit.',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.#http = new Histogram({
      name: 'kindred_http_request_duration_seconds',
      help: 'HTTP answers by method, route pattern and status.',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.#refusals = new Counter({
      name: 'kindred_rate_limit_refusals_total',
      help: 'Requests and chat frames refused by a rate limit, by where (http, chat_message, chat_subscribe).',
      labelNames: ['where'],
      registers,
    });
    const loop = this.#loop;
    new Gauge({
      name: 'kindred_event_loop_delay_seconds',
      help: 'Event-loop delay since the last scrape, by quantile (0.5, 0.99, 1 for the longest).',
      labelNames: ['quantile'],
      registers,
      collect() {
        this.set({ quantile: '0.5' }, loop.percentile(50) / 1e9);
        this.set({ quantile: '0.99' }, loop.percentile(99) / 1e9);
        this.set({ quantile: '1' }, loop.max / 1e9);
        loop.reset();
      },
    });
    new Gauge({
      name: 'kindred_process_resident_memory_bytes',
      help: 'Resident memory of this process.',
      registers,
      collect() {
        this.set(process.memoryUsage.rss());
      },
    });
  }

  committed(ops: readonly WriteOp[], results: readonly (WriteResult | undefined)[], seconds: number): void {
    this.#batchOps.observe(ops.length);
    this.#commitSeconds.observe(seconds);
    let stored = 0;
    ops.forEach((op, i) => {
      const result = results[i];
      if (op.kind === 'send' && result?.ok && !result.duplicate) stored += 1;
    });
    if (stored > 0) this.#messages.inc(stored);
  }

  httpAnswered(method: string, route: string, status: number, seconds: number): void {
    this.#http.observe({ method, route, status: String(status) }, seconds);
  }

  rateLimited(where: RateLimitedWhere): void {
    this.#refusals.inc({ where });
  }

  close(): void {
    this.#loop.disable();
  }
}
