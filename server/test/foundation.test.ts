import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createTestApp, ORIGIN, type TestApp } from './helpers.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe('health and readiness', () => {
  it('answers /api/health while the process runs', async () => {
    const res = await call(t.app, 'GET', '/api/health');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('answers /api/ready with the engine and the applied migrations', async () => {
    const res = await call(t.app, 'GET', '/api/ready');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ready', database: t.database.kind });
    expect(res.json().migrations).toBeGreaterThan(0);
  });

  it('answers 503 unavailable on /api/ready once the database is gone', async () => {
    const other = await createTestApp();
    await other.database.close();
    const res = await call(other.app, 'GET', '/api/ready');
    expect(res.statusCode).toBe(503);
    expect(res.json().error.code).toBe('unavailable');
    await other.app.close();
  });
});

describe('errors', () => {
  it('answers an unknown /api path with the JSON 404 body', async () => {
    for (const method of ['GET', 'DELETE'] as const) {
      const res = await call(t.app, method, '/api/no/such/thing');
      expect(res.statusCode).toBe(404);
      expect(res.headers['content-type']).toMatch(/application\/json/);
      expect(res.json()).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
    }
  });

  it('refuses a state-changing request without our Origin with 403 csrf', async () => {
    for (const origin of [undefined, 'null', 'http://evil.example']) {
      const headers: Record<string, string> = origin ? { origin } : {};
      const res = await t.app.inject({ method: 'POST', url: '/api/health', headers });
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe('csrf');
    }
  });

  it('sets no-store on API answers and a request id on every answer', async () => {
    const res = await call(t.app, 'GET', '/api/health');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('sends the security headers the baseline asks for', async () => {
    const res = await call(t.app, 'GET', '/api/health');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("base-uri 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(csp).not.toMatch(/style-src[^;]*unsafe-inline/);
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    // Kindred uses no camera, microphone, location, payment or device APIs, and joins no ad cohort.
    const policy = String(res.headers['permissions-policy']);
    for (const feature of ['camera', 'microphone', 'geolocation', 'payment', 'usb', 'browsing-topics']) {
      expect(policy).toContain(`${feature}=()`);
    }
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('never answers a page path without a built web app with anything but JSON 404', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/rooms/anything', headers: { origin: ORIGIN } });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('not_found');
  });
});

// Requests Node's HTTP parser refuses before Fastify sees them: only a real socket shows what is sent back.
describe('requests too malformed to route', () => {
  let port: number;
  beforeAll(async () => {
    port = Number(new URL(await t.app.listen({ port: 0, host: '127.0.0.1' })).port);
  });

  function exchange(request: string): Promise<{ status: number; headers: string; body: string }> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => socket.end(request));
      let answer = '';
      socket.on('data', (chunk) => (answer += chunk.toString()));
      socket.on('error', reject);
      socket.on('close', () => {
        const [head = '', body = ''] = answer.split('\r\n\r\n');
        resolve({ status: Number(head.split(' ')[1]), headers: head.toLowerCase(), body });
      });
      socket.setTimeout(5_000, () => socket.destroy(new Error(`no answer to ${request.slice(0, 40)}`)));
    });
  }

  it.each<[string, string, number, string]>([
    ['an unknown method', 'FOO / HTTP/1.1\r\nHost: kindred.test\r\n\r\n', 405, 'method_not_allowed'],
    [
      'an unknown method on the API',
      'BREW /api/health HTTP/1.1\r\nHost: kindred.test\r\n\r\n',
      405,
      'method_not_allowed',
    ],
    [
      'headers too large to read',
      `GET /api/health HTTP/1.1\r\nHost: kindred.test\r\nX-Filler: ${'a'.repeat(20_000)}\r\n\r\n`,
      431,
      'headers_too_large',
    ],
    ['a malformed header', 'GET /api/health HTTP/1.1\r\nHost: kindred.test\r\nNot a header\r\n\r\n', 400, 'validation'],
  ])('answers %s with the documented error shape', async (_case, request, status, code) => {
    const answer = await exchange(request);
    expect(answer.status).toBe(status);
    expect(answer.headers).toContain('content-type: application/json; charset=utf-8');
    expect(JSON.parse(answer.body)).toEqual({ error: { code, message: expect.any(String) } });
  });

  it('answers a known method on a path without it with the JSON 404 body', async () => {
    const answer = await exchange(
      `PROPFIND /api/health HTTP/1.1\r\nHost: kindred.test\r\nOrigin: ${ORIGIN}\r\nConnection: close\r\n\r\n`,
    );
    expect(answer.status).toBe(404);
    expect(JSON.parse(answer.body)).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
  });
});

describe('OpenAPI', () => {
  it('serves the generated document at /api/docs', async () => {
    const res = await call(t.app, 'GET', '/api/docs');
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/health', '/api/ready', '/api/auth/register', '/api/me', '/api/me/sessions/{id}']),
    );
  });

  it('documents a body schema and the answers of every operation', async () => {
    const doc = (await call(t.app, 'GET', '/api/docs')).json();
    // Operations that take nothing but their address.
    const bodiless = new Set([
      'post /api/auth/logout',
      'post /api/rooms/{slug}/leave',
      'put /api/rooms/{slug}/moderators/{userId}',
      'post /api/me/notices/{id}/read',
      'post /api/stories/{id}/publish',
      'put /api/stories/moderators/{userId}',
      'post /api/journal/{id}/story',
      'put /api/me/blocks/{userId}',
      'post /api/admin/members/{id}/reset-link',
      'post /api/rooms/{slug}/duty/step-away',
    ]);
    for (const [path, operations] of Object.entries<Record<string, { responses?: object; requestBody?: object }>>(
      doc.paths,
    )) {
      for (const [method, operation] of Object.entries(operations)) {
        expect(Object.keys(operation.responses ?? {}), `${method} ${path}`).not.toEqual([]);
        if (['post', 'put', 'patch'].includes(method) && !bodiless.has(`${method} ${path}`)) {
          expect(operation.requestBody, `${method} ${path} has a body schema`).toBeDefined();
        }
      }
    }
  });
});
