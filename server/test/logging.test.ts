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
