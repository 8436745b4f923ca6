// Telling staff apart, in real Chromium on the started platform: a volunteer moderator's message carries a
// "Moderator" mark that another member sees (and a member's own does not); a name that claims a role is
// refused kindly beside the field; and the room's header names the moderator only when, on duty, she chose
// "Let members see my name" — for a signed-out visitor, a member and the moderator herself. Each page passes
// axe; the member's pages are seen dark on a 390 px phone, the others light on a desktop.
import type { BrowserContextOptions, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  expectNoAxeViolations,
  expectNoSidewaysScroll,
  httpError,
  screenshot,
  useBrowserPlatform,
} from '../support/browser.ts';
import { runTag } from '../support/chat.ts';

const password = 'quiet harbour lantern morning';
const adminUsername = `keeper_${Date.now().toString(36)}`;
const slug = 'delayed-grief';

const { platform, openPage, visit, newUsername } = useBrowserPlatform({
  env: { REGISTER_LIMIT_PER_HOUR: '1000', LOGIN_LIMIT_PER_15MIN: '1000' },
  usernamePrefix: 'kin',
  admins: [{ username: adminUsername, password }],
});

const phoneDark: BrowserContextOptions = { colorScheme: 'dark', viewport: { width: 390, height: 844 } };

interface Person {
  page: Page;
  errors: string[];
  id: string;
}

async function person(options: BrowserContextOptions, displayName?: string, username = newUsername()): Promise<Person> {
  const { page, errors } = await openPage(options);
  const register = displayName !== undefined || username !== adminUsername;
  const answer = await page.request.post(`${platform().url}/api/auth/${register ? 'register' : 'login'}`, {
    headers: { origin: platform().url },
    data: { username, password, ...(displayName ? { displayName } : {}) },
  });
  expect(answer.status(), await answer.text()).toBeLessThan(300);
  const { user } = (await answer.json()) as { user: { id: string } };
  return { page, errors, id: user.id };
}

async function send(who: Person, method: 'POST' | 'PUT', path: string, data?: unknown): Promise<void> {
  const answer = await who.page.request.fetch(`${platform().url}${path}`, {
    method,
    headers: { origin: platform().url },
    ...(data === undefined ? {} : { data }),
  });
  expect(answer.status(), `${method} ${path}: ${await answer.text()}`).toBeLessThan(300);
}

const composer = (page: Page) => page.getByLabel('Write to the room', { exact: true });
const chatMessage = (page: Page, text: string) => page.locator('article.message').filter({ hasText: text });
const header = (page: Page) => page.locator('p.meta');
/**
 * Who looks after the room: shown in full before joining, and under "About this room" once joined (the
 * compact room head folds it away).
 */
async function openAbout(page: Page): Promise<void> {
  const about = page.getByRole('button', { name: 'About this room' });
  await about
    .or(header(page).filter({ visible: true }))
    .first()
    .waitFor();
  if ((await about.count()) > 0 && (await about.getAttribute('aria-expanded')) !== 'true') await about.click();
  await header(page).filter({ visible: true }).waitFor();
}

async function write(page: Page, text: string): Promise<void> {
  await composer(page).fill(text);
  await composer(page).press('Enter');
  await chatMessage(page, text).waitFor();
}

async function check(page: Page, name: string): Promise<void> {
  await screenshot(page, name);
  await expectNoAxeViolations(page);
  await expectNoSidewaysScroll(page);
}

describe('staff', () => {
  it('carry a mark no member can fake, and are named in the room only as they chose', async () => {
    const tag = runTag();
    const moderator = await person({ colorScheme: 'light' }, 'Mina');
    await send(moderator, 'POST', `/api/rooms/${slug}/join`, { acceptRules: true });
    const admin = await person({}, undefined, adminUsername);
    await send(admin, 'PUT', `/api/rooms/${slug}/moderators/${moderator.id}`);
    const member = await person(phoneDark, 'Wren');
    await send(member, 'POST', `/api/rooms/${slug}/join`, { acceptRules: true });

    // The moderator writes; the member sees the mark beside her name, and none beside their own words.
    const fromModerator = `Welcome, all of you. Take your time here ${tag}`;
    const fromMember = `Thank you for this room ${tag}`;
    await visit(moderator.page, `/rooms/${slug}`, moderator.errors);
    await write(moderator.page, fromModerator);
    await visit(member.page, `/rooms/${slug}`, member.errors);
    await write(member.page, fromMember);
    const marked = chatMessage(member.page, fromModerator);
    await marked.getByText('Moderator', { exact: true }).waitFor();
    await member.page.getByRole('article', { name: /^Mina\W*Moderator/ }).waitFor();
    expect(await chatMessage(member.page, fromMember).getByText('Moderator', { exact: true }).count()).toBe(0);

    // Off duty: the member reads that volunteers look after the room, not who.
    await openAbout(member.page);
    await member.page.getByText('Looked after by a volunteer moderator', { exact: true }).waitFor();
    expect(await header(member.page).textContent()).not.toContain('Mina');
    await check(member.page, 'staff-badge-member-dark-390');

    // On duty without "Let members see my name": everyone is told a moderator is here, and not who.
    await send(moderator, 'PUT', `/api/rooms/${slug}/duty`, { showName: false });
    const visitor = await openPage({ colorScheme: 'light' });
    for (const [who, errors] of [
      [member.page, member.errors],
      [visitor.page, visitor.errors],
    ] as const) {
      await visit(who, `/rooms/${slug}`, errors);
      await openAbout(who);
      await who.getByText('A moderator is on duty here now', { exact: true }).waitFor();
      expect(await header(who).textContent()).not.toContain('Mina');
    }
    await check(visitor.page, 'staff-header-unnamed-visitor');
    // The moderator herself reads who looks after her room, and what members are told.
    await visit(moderator.page, `/rooms/${slug}`, moderator.errors);
    await openAbout(moderator.page);
    await moderator.page.getByText('Looked after by Mina', { exact: true }).waitFor();
    await moderator.page.getByText('A moderator is on duty here now', { exact: true }).waitFor();
    await check(moderator.page, 'staff-header-moderator');

    // She chooses to be seen: now the header names her, to the member and the visitor alike.
    await send(moderator, 'PUT', `/api/rooms/${slug}/duty`, { showName: true });
    for (const [who, errors] of [
      [member.page, member.errors],
      [visitor.page, visitor.errors],
    ] as const) {
      await visit(who, `/rooms/${slug}`, errors);
      await openAbout(who);
      await who.getByText('Mina is on duty here now', { exact: true }).waitFor();
    }
    await check(member.page, 'staff-header-named-member-dark-390');

    // A member cannot take a name that claims a role: told kindly, beside the field.
    await visit(member.page, '/account', member.errors);
    const field = member.page.getByLabel('Display name', { exact: true });
    await field.fill('Wren (moderator)');
    await member.page.getByRole('button', { name: 'Save display name' }).click();
    await member.page
      .getByText(/are kept for them, so members always know who is who/)
      .first()
      .waitFor();
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    await check(member.page, 'staff-name-refused-dark-390');

    expect(moderator.errors).toEqual([]);
    expect(visitor.errors).toEqual([]);
    expect(member.errors).toEqual([httpError(400)]);
  });
});
