// Logs are for operators: they carry request ids, never a password, a token or what someone wrote.
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createTestApp, login, registerMember, type TestApp } from './helpers.ts';

let t: TestApp;
let logs = '';
beforeAll(async () => {
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => (logs += chunk.toString()));
  t = await createTestApp({ logLevel: 'trace' }, stream);
});
afterAll(() => t.close());

describe('logs', () => {
  it('hold request ids but no password, token or display name', async () => {
    const member = await registerMember(t.app, { password: 'a secret phrase of mine', displayName: 'Private Name' });
    await login(t.app, member.username, member.password);
    await call(t.app, 'PUT', '/api/me/password', {
      cookie: member.cookie,
      body: { currentPassword: member.password, newPassword: 'another secret phrase here' },
    });
    await call(t.app, 'GET', '/api/me', { cookie: member.cookie });
    const [id, secret] = member.token.split('.');
    expect(logs).toContain('"reqId"');
    expect(logs.length).toBeGreaterThan(1000);
    for (const forbidden of ['a secret phrase of mine', 'another secret phrase here', 'Private Name', secret!, id!]) {
      expect(logs).not.toContain(forbidden);
    }
  });

  it('hold the address of a search but never the words searched for, nor any other query value', async () => {
    const member = await registerMember(t.app);
    const res = await call(t.app, 'GET', '/api/stories?q=lonelyafterectopic%20waiting&tag=delayed_grief', {
      cookie: member.cookie,
    });
    expect(res.statusCode).toBe(200);
    await call(t.app, 'GET', '/api/nothing-here?note=whisperedsecretword');
    expect(logs).toContain('/api/stories?q=');
    for (const forbidden of ['lonelyafterectopic', 'waiting', '=delayed_grief', 'whisperedsecretword']) {
      expect(logs).not.toContain(forbidden);
    }
  });
});

describe('readable logs (LOG_FORMAT=pretty, as in a terminal)', () => {
  let pretty: TestApp;
  let lines = '';
  beforeAll(async () => {
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => (lines += chunk.toString()));
    pretty = await createTestApp({ logLevel: 'info', logFormat: 'pretty' }, stream);
  });
  afterAll(() => pretty.close());

  it('are lines a person reads, not JSON, and keep the same secrets out', async () => {
    const member = await registerMember(pretty.app, { password: 'a pretty secret phrase', displayName: 'Hidden Name' });
    await call(pretty.app, 'GET', '/api/me', { cookie: member.cookie });
    await call(pretty.app, 'GET', '/api/stories?q=murmuredsearchword', { cookie: member.cookie });
    const [id, secret] = member.token.split('.');
    const written = lines.split('\n').filter(Boolean);
    expect(written.length).toBeGreaterThan(2);
    for (const line of written) expect(() => JSON.parse(line)).toThrow();
    expect(lines).toMatch(/INFO.*request completed/);
    expect(lines).toContain('/api/stories?q=…');
    for (const forbidden of ['a pretty secret phrase', 'Hidden Name', 'murmuredsearchword', secret!, id!]) {
      expect(lines).not.toContain(forbidden);
    }
  });
});
