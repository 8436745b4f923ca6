// Slow requests over a real socket: a client that sends half a request is answered 408 and let go once the
// request timeout passes, instead of holding a connection (and its memory) for minutes. A WebSocket, once
// upgraded, is no longer a request and stays open however long it lives.
import { connect as connectTcp, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, ORIGIN, registerMember, type TestApp } from './helpers.ts';
import { connect } from './sockets.ts';

const REQUEST_TIMEOUT_MS = 600;
const HEADERS_TIMEOUT_MS = 400;

let t: TestApp;
let port: number;
beforeAll(async () => {
  t = await createTestApp({ requestTimeoutMs: REQUEST_TIMEOUT_MS, headersTimeoutMs: HEADERS_TIMEOUT_MS });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  port = (t.app.server.address() as { port: number }).port;
});
afterAll(() => t.close());

/** Sends `text` and waits for the server to close the connection, or `giveUpMs`. */
function sendAndWait(text: string, giveUpMs: number): Promise<{ answer: string; closedAfterMs: number | null }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket: Socket = connectTcp(port, '127.0.0.1', () => socket.write(text));
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
    socket.on('error', () => undefined); // a reset is a close too
    const giveUp = setTimeout(() => {
      socket.destroy();
      resolve({ answer, closedAfterMs: null });
    }, giveUpMs);
    socket.on('close', () => {
      clearTimeout(giveUp);
      resolve({ answer, closedAfterMs: Date.now() - started });
    });
  });
}

describe('slow requests', () => {
  it('answers a request whose body stops halfway with 408 and closes it once the request timeout passes', async () => {
    const head = [
      'POST /api/auth/login HTTP/1.1',
      'Host: 127.0.0.1',
      `Origin: ${ORIGIN}`,
      'Content-Type: application/json',
      'Content-Length: 200',
      '',
      '',
    ].join('\r\n');
    const { answer, closedAfterMs } = await sendAndWait(`${head}{"username":"half`, 5_000);
    expect(closedAfterMs, 'the connection was still open after 5 s').not.toBeNull();
    expect(closedAfterMs!).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 50);
    expect(closedAfterMs!).toBeLessThan(REQUEST_TIMEOUT_MS + 2_000);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('answers headers that stop halfway with 408 once the headers timeout passes', async () => {
    const { answer, closedAfterMs } = await sendAndWait('GET /api/session HTTP/1.1\r\nHost: 127.0.0.1\r\n', 5_000);
    expect(closedAfterMs, 'the connection was still open after 5 s').not.toBeNull();
    expect(closedAfterMs!).toBeLessThan(HEADERS_TIMEOUT_MS + 2_000);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('answers a whole request as usual', async () => {
    const { answer } = await sendAndWait(
      'GET /api/session HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n',
      5_000,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
  });

  it('keeps a WebSocket open well past the request timeout', async () => {
    const member = await registerMember(t.app);
    const socket = await connect(`ws://127.0.0.1:${port}`, member);
    await new Promise((resolve) => setTimeout(resolve, 3 * REQUEST_TIMEOUT_MS));
    socket.send({ type: 'ping' });
    expect(await socket.next((frame) => frame.type === 'pong')).toMatchObject({ type: 'pong' });
    socket.close();
  });
});
