// A real WebSocket client for integration tests: the app listens on a loopback port and members connect
// as a browser would, with their cookie and our Origin. Every wait is bounded.
import type { FastifyInstance } from 'fastify';
import WebSocket from 'ws';
import { ORIGIN, type Member } from './helpers.ts';

export type Frame = Record<string, unknown> & { type: string };

export class TestSocket {
  readonly frames: Frame[] = [];
  /** Every byte of every message received: what the server sent this socket. */
  bytes = 0;
  closed: { code: number; reason: string } | undefined;
  #waiters: { predicate: (frame: Frame) => boolean; resolve: (frame: Frame) => void }[] = [];
  #closeWaiters: ((code: number) => void)[] = [];

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      this.bytes += data.length;
      const frame = JSON.parse(data.toString()) as Frame;
      this.frames.push(frame);
      this.#waiters = this.#waiters.filter((w) => {
        if (!w.predicate(frame)) return true;
        w.resolve(frame);
        return false;
      });
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      for (const resolve of this.#closeWaiters) resolve(code);
    });
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /**
   * Frames in one write to the network, so the server reads them together: they reach its writer in the
   * same turn of its event loop.
   */
  sendTogether(frames: unknown[]): void {
    const raw = (this.ws as WebSocket & { _socket: { cork(): void; uncork(): void } })._socket;
    raw.cork();
    for (const frame of frames) this.send(frame);
    raw.uncork();
  }

  /** The first frame (already received or still to come) that matches. */
  next(predicate: (frame: Frame) => boolean, timeoutMs = 5_000, from = 0): Promise<Frame> {
    const seen = this.frames.slice(from).find(predicate);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(new Error(`no matching frame within ${timeoutMs} ms; got ${JSON.stringify(this.frames.slice(-5))}`)),
        timeoutMs,
      );
      this.#waiters.push({
        predicate,
        resolve: (frame) => {
          clearTimeout(timer);
          resolve(frame);
        },
      });
    });
  }

  /** Waits until `count` frames match, and returns them. */
  async collect(predicate: (frame: Frame) => boolean, count: number, timeoutMs = 10_000): Promise<Frame[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.frames.filter(predicate).length < count) {
      if (Date.now() > deadline) {
        throw new Error(`only ${this.frames.filter(predicate).length} of ${count} frames within ${timeoutMs} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return this.frames.filter(predicate);
  }

  waitClosed(timeoutMs = 5_000): Promise<number> {
    if (this.closed) return Promise.resolve(this.closed.code);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('socket did not close')), timeoutMs);
      this.#closeWaiters.push((code) => {
        clearTimeout(timer);
        resolve(code);
      });
    });
  }

  async subscribe(room: string, since?: number): Promise<Frame> {
    const from = this.frames.length;
    this.send({ type: 'subscribe', room, ...(since === undefined ? {} : { since }) });
    return this.next((f) => (f.type === 'subscribed' || f.type === 'error') && f.room === room, 5_000, from);
  }

  close(): void {
    this.ws.close();
  }
}

export async function listen(app: FastifyInstance): Promise<string> {
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return address.replace(/^http/, 'ws');
}

/** Opens a socket, or rejects with the HTTP status the upgrade was refused with. */
export function connect(
  base: string,
  member: Member | undefined,
  headers: Record<string, string> = { origin: ORIGIN },
): Promise<TestSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${base}/api/ws`, {
      headers: { ...headers, ...(member ? { cookie: member.cookie } : {}) },
    });
    const socket = new TestSocket(ws);
    ws.once('open', () => resolve(socket));
    ws.once('unexpected-response', (_request, response) =>
      reject(Object.assign(new Error('refused'), { status: response.statusCode })),
    );
    ws.once('error', reject);
  });
}
