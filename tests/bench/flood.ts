// The flood of the chat benchmark's `flood` scenario, run as its own process (forked by chat.ts with
// `node --import tsx`), so reading what the flood brings back costs the load generator nothing. One member
// opens FloodConfig.sockets sockets and, from `go` until `stop`, asks each to replay its room from the
// start (`subscribe` with `since: 0`) as fast as the server lets it: each socket keeps two subscribes
// waiting, sends the next as soon as one is accepted, and after a refusal (`rate_limited`) waits the
// seconds the server names. The room is first filled to `history` events, so every replay is a full one.
// It counts frames and bytes only; every wait is bounded.
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import type { FloodChildMessage, FloodConfig, FloodParentMessage, FloodResult } from './protocol.ts';

/** Subscribes each socket keeps waiting at the server: one being replayed, the next queued behind it. */
const IN_FLIGHT = 2;

let config: FloodConfig;
const sockets: WebSocket[] = [];
const result: FloodResult = {
  subscribes: 0,
  accepted: 0,
  refused: 0,
  errors: {},
  closes: {},
  events: 0,
  bytesReceived: 0,
  bytesSent: 0,
  floodMs: 0,
};
let flooding = false;
let stopping = false;

function send(message: FloodChildMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) return resolve();
    process.send(message, undefined, {}, () => resolve());
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

function count(map: Record<string, number>, key: string): void {
  map[key] = (map[key] ?? 0) + 1;
}

const frameOf = (text: string) => JSON.parse(text) as Record<string, unknown> & { type: string };

function open(): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(config.target.wsUrl, {
      headers: { origin: config.target.origin, cookie: config.cookie },
      perMessageDeflate: false,
      skipUTF8Validation: true,
      handshakeTimeout: config.connectTimeoutMs,
    });
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
    socket.on('close', (code: number) => {
      if (!stopping) count(result.closes, String(code));
    });
  });
}

/** Fills the room to `history` events (once: later runs find it full), from the first socket. */
async function fillRoom(socket: WebSocket): Promise<void> {
  const lastSeq = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no answer to the flood room subscribe')), 30_000);
    const onMessage = (data: Buffer) => {
      const frame = frameOf(data.toString());
      if (frame.type !== 'subscribed' && frame.type !== 'error') return;
      clearTimeout(timer);
      socket.off('message', onMessage);
      if (frame.type === 'subscribed') resolve(frame.lastSeq as number);
      else reject(new Error(`the flood room refused its member: ${String(frame.code)}`));
    };
    socket.on('message', onMessage);
    socket.send(JSON.stringify({ type: 'subscribe', room: config.room }));
  });
  const missing = Math.max(0, config.history - lastSeq);
  if (missing === 0) return;
  await new Promise<void>((resolve, reject) => {
    let acked = 0;
    const timer = setTimeout(() => reject(new Error(`only ${acked} of ${missing} history messages acked`)), 120_000);
    const onMessage = (data: Buffer) => {
      if (frameOf(data.toString()).type !== 'ack') return;
      acked += 1;
      if (acked < missing) return;
      clearTimeout(timer);
      socket.off('message', onMessage);
      resolve();
    };
    socket.on('message', onMessage);
    const body = 'Older words in a room someone keeps coming back to, read again from the start. '.repeat(2);
    for (let i = 0; i < missing; i += 1) {
      socket.send(JSON.stringify({ type: 'send', room: config.room, clientId: `fill-${lastSeq}-${i}`, body }));
    }
  });
  socket.send(JSON.stringify({ type: 'unsubscribe', room: config.room }));
}

function subscribe(socket: WebSocket): void {
  if (!flooding || socket.readyState !== WebSocket.OPEN) return;
  const frame = JSON.stringify({ type: 'subscribe', room: config.room, since: 0 });
  result.subscribes += 1;
  result.bytesSent += Buffer.byteLength(frame);
  socket.send(frame);
}

const EVENT_PREFIX = '{"type":"event"';

function flood(socket: WebSocket): void {
  socket.on('message', (data: Buffer) => {
    if (!flooding) return;
    result.bytesReceived += data.length;
    const text = data.toString();
    if (text.startsWith(EVENT_PREFIX)) {
      result.events += 1;
      return;
    }
    const frame = frameOf(text);
    if (frame.type === 'subscribed') {
      result.accepted += 1;
      subscribe(socket);
    } else if (frame.type === 'error' && frame.code === 'rate_limited') {
      result.refused += 1;
      setTimeout(() => subscribe(socket), Number(frame.retryAfter ?? 1) * 1000).unref();
    } else if (frame.type === 'error') {
      count(result.errors, String(frame.code));
    }
  });
}

const waiting = new Map<FloodParentMessage['type'], () => void>();
const next = (type: FloodParentMessage['type']) => new Promise<void>((resolve) => waiting.set(type, resolve));

async function main(): Promise<void> {
  if (!process.send) throw new Error('flood.ts is started by chat.ts (forked, with an IPC channel)');
  process.on('message', (message: FloodParentMessage) => {
    if (message.type === 'config') config = message.config;
    waiting.get(message.type)?.();
  });
  process.on('disconnect', () => process.exit(3));
  const configured = next('config');
  await send({ type: 'ready' });
  await configured;
  // A hard ceiling on the whole flood, whatever happens.
  setTimeout(() => {
    void send({ type: 'failed', message: 'the flood ran past its 10-minute ceiling' });
    setTimeout(() => process.exit(2), 100);
  }, 10 * 60_000).unref();

  for (let i = 0; i < config.sockets; i += 1) sockets.push(await open());
  await fillRoom(sockets[0]!);
  for (const socket of sockets) flood(socket);
  const go = next('go');
  const stop = next('stop');
  await send({ type: 'armed' });
  await go;
  flooding = true;
  const started = performance.now();
  for (const socket of sockets) for (let i = 0; i < IN_FLIGHT; i += 1) subscribe(socket);
  await stop;
  flooding = false;
  result.floodMs = Math.round(performance.now() - started);
  stopping = true;
  for (const socket of sockets) socket.terminate();
  await send({ type: 'result', result });
  await sleep(100);
}

main().then(
  () => process.exit(0),
  async (error: unknown) => {
    await send({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
    process.exit(1);
  },
);
