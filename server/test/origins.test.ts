// First start: with PUBLIC_ORIGIN unset, every loopback spelling of Kindred's own port is its address (the
// server says it listens at 127.0.0.1, a person types localhost); any other address is told where to go
// instead of only being refused. With PUBLIC_ORIGIN set, only that origin is accepted, as before.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { createTestApp, nextAddress, type TestApp } from './helpers.ts';
import { connect, listen } from './sockets.ts';

const account = { username: 'first_start', password: 'a lantern by the window' };

function post(t: TestApp, url: string, origin: string | undefined, body: unknown = account) {
  return t.app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json', ...(origin ? { origin } : {}) },
    remoteAddress: nextAddress(),
    payload: JSON.stringify(body),
  });
}

describe('PUBLIC_ORIGIN unset', () => {
  let t: TestApp;
  const port = 4321;
  beforeAll(async () => {
    const config = loadConfig({ PORT: String(port) });
    t = await createTestApp({ ...config, logLevel: 'silent', webDir: undefined });
    const res = await post(t, '/api/auth/register', `http://localhost:${port}`);
    expect(res.statusCode).toBe(201);
  });
  afterAll(() => t.close());

  it.each([`http://127.0.0.1:${port}`, `http://localhost:${port}`, `http://[::1]:${port}`])(
    'signs in from %s',
    async (origin) => {
      const res = await post(t, '/api/auth/login', origin);
      expect(res.statusCode).toBe(200);
      expect(res.headers['set-cookie']).toMatch(/^kindred_session=/);
    },
  );

  it.each([
    [`another port`, `http://127.0.0.1:${port + 1}`],
    ['https on the same port', `https://localhost:${port}`],
    ['another host', 'https://evil.example'],
    ['a look-alike', `http://localhost:${port}.evil.example`],
    ['no Origin at all', undefined],
  ])('refuses %s with 403 csrf and the address to open instead', async (_case, origin) => {
    const res = await post(t, '/api/auth/login', origin);
    expect(res.statusCode).toBe(403);
    const { error } = res.json();
    expect(error.code).toBe('csrf');
    expect(error.message).toContain(`http://localhost:${port}`);
    expect(res.headers['set-cookie']).toBeUndefined();
  });
});

describe('PUBLIC_ORIGIN set', () => {
  let t: TestApp;
  const port = 4322;
  const origin = 'https://kindred.example';
  beforeAll(async () => {
    const config = loadConfig({ PORT: String(port), PUBLIC_ORIGIN: origin });
    t = await createTestApp({ ...config, logLevel: 'silent', webDir: undefined });
    const res = await post(t, '/api/auth/register', origin);
    expect(res.statusCode).toBe(201);
  });
  afterAll(() => t.close());

  it('signs in from PUBLIC_ORIGIN', async () => {
    const res = await post(t, '/api/auth/login', origin);
    expect(res.statusCode).toBe(200);
  });

  it.each([`http://127.0.0.1:${port}`, `http://localhost:${port}`, `http://[::1]:${port}`])(
    'stays strict: %s is refused with the address to open',
    async (other) => {
      const res = await post(t, '/api/auth/login', other);
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe('csrf');
      expect(res.json().error.message).toContain(origin);
    },
  );
});

describe('the chat socket, PUBLIC_ORIGIN unset, on the port the system chose (PORT=0)', () => {
  let t: TestApp;
  let base: string;
  let cookie: string;
  beforeAll(async () => {
    t = await createTestApp({ ...loadConfig({ PORT: '0' }), logLevel: 'silent', webDir: undefined });
    base = await listen(t.app);
    const port = new URL(base).port;
    const res = await post(t, '/api/auth/register', `http://127.0.0.1:${port}`);
    expect(res.statusCode).toBe(201);
    cookie = `kindred_session=${/kindred_session=([^;]+)/.exec(String(res.headers['set-cookie']))![1]}`;
  });
  afterAll(() => t.close());

  it('opens from 127.0.0.1 and localhost on the bound port, and refuses another port', async () => {
    const port = Number(new URL(base).port);
    const member = { cookie } as Parameters<typeof connect>[1];
    for (const origin of [`http://127.0.0.1:${port}`, `http://localhost:${port}`]) {
      const socket = await connect(base, member, { origin });
      socket.close();
    }
    await expect(connect(base, member, { origin: `http://127.0.0.1:${port + 1}` })).rejects.toMatchObject({
      status: 403,
    });
  });
});
