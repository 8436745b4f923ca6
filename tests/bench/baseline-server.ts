// The baseline of the chat benchmark: a bare `ws` server speaking Kindred's chat frames with nothing behind
// them. `subscribe` answers `subscribed`; `send` gives the message the room's next seq (a counter in
// memory), writes one `event` frame — built and serialized once, shaped like Kindred's — to every socket
// of the room, and acknowledges the sender. No storage, no authentication, no authorization: what is
// left is the cost of the broadcast itself, which Kindred is measured against.
//
// With BATCHED=1 it is the "batched baseline": it fans out the way Kindred does, still with no storage. The
// sends of one turn of the event loop are one batch; after that turn (setImmediate) each room's events are
// serialized once and framed once into one buffer, written to each socket of the room in one write (ws's
// `sendFrame`, as Kindred's `sendEvents`), and each sender's acks of the batch go in one corked write.
//
// Run as its own process (`node --import tsx tests/bench/baseline-server.ts`), so its CPU and memory are
// measured like Kindred's. It listens on 127.0.0.1 on PORT (0: any free port), tells its parent the port
// over IPC when forked (and prints `listening <port>` either way), and exits on SIGTERM or when the parent
// goes away.
import { randomUUID } from 'node:crypto';
import * as ws from 'ws';
import { WebSocketServer, type WebSocket } from 'ws';

const BATCHED = process.env.BATCHED === '1';

/** Kindred's limit on one frame, so an oversized frame is refused the same way. */
const FRAME_MAX_BYTES = 16 * 1024;

interface Room {
  seq: number;
  sockets: Set<WebSocket>;
}

const rooms = new Map<string, Room>();
const author = { id: randomUUID(), displayName: 'Bench member' };

function roomOf(slug: string): Room {
  let room = rooms.get(slug);
  if (!room) {
    room = { seq: 0, sockets: new Set() };
    rooms.set(slug, room);
  }
  return room;
}

const server = new WebSocketServer({
  host: '127.0.0.1',
  port: Number(process.env.PORT ?? 0),
  path: '/api/ws',
  maxPayload: FRAME_MAX_BYTES,
  perMessageDeflate: false,
});

server.on('connection', (socket) => {
  const joined = new Set<Room>();
  socket.on('message', (data, isBinary) => {
    if (isBinary) return;
    let frame: { type?: unknown; room?: unknown; clientId?: unknown; body?: unknown };
    try {
      frame = JSON.parse(data.toString()) as typeof frame;
    } catch {
      socket.send(JSON.stringify({ type: 'error', code: 'validation', message: 'That frame is not valid JSON.' }));
      return;
    }
    if (frame.type === 'subscribe' && typeof frame.room === 'string') {
      const room = roomOf(frame.room);
      room.sockets.add(socket);
      joined.add(room);
      socket.send(JSON.stringify({ type: 'subscribed', room: frame.room, lastSeq: room.seq }));
    } else if (
      frame.type === 'send' &&
      typeof frame.room === 'string' &&
      typeof frame.clientId === 'string' &&
      typeof frame.body === 'string'
    ) {
      const room = roomOf(frame.room);
      room.seq += 1;
      const message = {
        id: randomUUID(),
        room: frame.room,
        seq: room.seq,
        author,
        body: frame.body,
        replyTo: null,
        reactions: {},
        createdAt: new Date().toISOString(),
        editedAt: null,
        deleted: false,
        hidden: false,
      };
      const event = JSON.stringify({ type: 'event', room: frame.room, seq: room.seq, kind: 'created', message });
      const ack = JSON.stringify({ type: 'ack', clientId: frame.clientId, message });
      if (BATCHED) {
        queue(room, event, socket, ack);
        return;
      }
      for (const member of room.sockets) {
        if (member.readyState === member.OPEN) member.send(event);
      }
      socket.send(ack);
    } else if (frame.type === 'ping') {
      socket.send('{"type":"pong"}');
    } else {
      socket.send(JSON.stringify({ type: 'error', code: 'validation', message: 'That frame has no known type.' }));
    }
  });
  const leave = () => {
    for (const room of joined) room.sockets.delete(socket);
    joined.clear();
  };
  socket.on('close', leave);
  socket.on('error', leave);
});

// ---- the batched fan-out (BATCHED=1) ----

// ws builds frames with `Sender.frame` (its static, not in its type definitions), as Kindred's wsFrames.
const { frame: wsFrame } = (
  ws as unknown as { Sender: { frame(data: Buffer, options: Record<string, boolean | number>): Buffer[] } }
).Sender;
const TEXT_FRAME = { fin: true, rsv1: false, opcode: 1, mask: false, readOnly: false };
type RawSender = { sendFrame(list: Buffer[]): void };

const pendingEvents = new Map<Room, string[]>();
const pendingAcks = new Map<WebSocket, string[]>();
let flushScheduled = false;

function queue(room: Room, event: string, sender: WebSocket, ack: string): void {
  let events = pendingEvents.get(room);
  if (!events) pendingEvents.set(room, (events = []));
  events.push(event);
  let acks = pendingAcks.get(sender);
  if (!acks) pendingAcks.set(sender, (acks = []));
  acks.push(ack);
  if (!flushScheduled) {
    flushScheduled = true;
    setImmediate(flush);
  }
}

function flush(): void {
  flushScheduled = false;
  for (const [room, events] of pendingEvents) {
    const wire = Buffer.concat(events.flatMap((event) => wsFrame(Buffer.from(event), TEXT_FRAME)));
    for (const member of room.sockets) {
      if (member.readyState !== member.OPEN) continue;
      const raw = (member as WebSocket & { _sender?: RawSender })._sender;
      if (raw) raw.sendFrame([wire]);
      else for (const event of events) member.send(event);
    }
  }
  pendingEvents.clear();
  for (const [socket, acks] of pendingAcks) {
    if (socket.readyState !== socket.OPEN) continue;
    const raw = (socket as WebSocket & { _socket?: { cork(): void; uncork(): void } })._socket;
    raw?.cork();
    for (const ack of acks) socket.send(ack);
    raw?.uncork();
  }
  pendingAcks.clear();
}

server.on('listening', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.stdout.write(`listening ${port}\n`);
  process.send?.({ type: 'listening', port });
});

const stop = () => {
  for (const client of server.clients) client.terminate();
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2_000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.on('disconnect', stop);
