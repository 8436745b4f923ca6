// Admin rights come from the operator: the CLI's grant and revoke, or ADMIN_USERNAMES.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAdmins, setAdmin } from '../src/admin/service.ts';
import { call, createTestApp, registerMember, type TestApp } from './helpers.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe('admin grant and revoke', () => {
  it('grants and revokes by username, in any letter case, and shows it on /api/me', async () => {
    const member = await registerMember(t.app);
    expect(await setAdmin(t.database.db, member.username.toUpperCase(), true)).toBe(true);
    expect((await call(t.app, 'GET', '/api/me', { cookie: member.cookie })).json().user.isAdmin).toBe(true);
    expect(await listAdmins(t.database.db)).toContain(member.username);
    expect(await setAdmin(t.database.db, member.username, false)).toBe(true);
    expect((await call(t.app, 'GET', '/api/me', { cookie: member.cookie })).json().user.isAdmin).toBe(false);
  });

  it('says so when there is no such member', async () => {
    expect(await setAdmin(t.database.db, 'nobody_here_at_all', true)).toBe(false);
  });
});
