// The member directory through the started platform in real Chromium: an admin finds a member by name,
// opens their page and names them a story moderator (after a confirmation), then appoints them moderator of
// a room from the room's admin page by searching its members: no member id anywhere on screen. The new
// moderator finds the room's members in their own directory, and, as a story moderator, reads a held
// anonymous story's card: its content notes, its themes and "Shared anonymously", never its writer. Every
// page passes axe in light and dark and at 390 px wide, on the same page load.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { expectNoAxeViolations, expectNoSidewaysScroll, screenshot, useBrowserPlatform } from '../support/browser.ts';
import { runTag } from '../support/chat.ts';

const password = 'quiet harbour lantern morning';
const adminUsername = `diradmin_${Date.now().toString(36)}`;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

const { platform, openPage, visit, newUsername } = useBrowserPlatform({
  env: { REGISTER_LIMIT_PER_HOUR: '1000', LOGIN_LIMIT_PER_15MIN: '1000' },
  usernamePrefix: 'dir',
  admins: [{ username: adminUsername, password }],
});

interface Person {
  page: Page;
  errors: string[];
  username: string;
  displayName: string;
}

/** Someone in their own browser, signed in through the API from inside it (so the cookie is the context's). */
async function person(how: 'register' | 'login', username = newUsername(), displayName?: string): Promise<Person> {
  const { page, errors } = await openPage({ colorScheme: 'light', viewport: { width: 1200, height: 900 } });
  const path = how === 'register' ? '/api/auth/register' : '/api/auth/login';
  const answer = await page.request.post(`${platform().url}${path}`, {
    headers: { origin: platform().url },
    data: { username, password, ...(displayName ? { displayName } : {}) },
  });
  expect(answer.status(), await answer.text()).toBe(how === 'register' ? 201 : 200);
  const { user } = (await answer.json()) as { user: { displayName: string } };
  return { page, errors, username, displayName: user.displayName };
}

async function send(who: Person, method: 'POST' | 'PUT', path: string, data?: unknown): Promise<void> {
  const answer = await who.page.request.fetch(`${platform().url}${path}`, {
    method,
    headers: { origin: platform().url },
    ...(data === undefined ? {} : { data }),
  });
  expect(answer.status(), `${method} ${path}: ${await answer.text()}`).toBeLessThan(300);
}

/**
 * Checks the page as it is now, as a person and axe would, in light, then dark, then on a 390 px phone,
 * without loading it again; then puts the page back as it was.
 */
async function checkVariants(page: Page, name: string): Promise<void> {
  expect(await page.locator('h1').count(), `one h1 on ${page.url()}`).toBe(1);
  expect(await page.evaluate(() => document.body.innerText), `no member id on ${page.url()}`).not.toMatch(UUID);
  await screenshot(page, `${name}-light`);
  await expectNoAxeViolations(page);
  await page.emulateMedia({ colorScheme: 'dark' });
  await screenshot(page, `${name}-dark`);
  await expectNoAxeViolations(page);
  await page.setViewportSize({ width: 390, height: 844 });
  await expectNoSidewaysScroll(page);
  await screenshot(page, `${name}-390px`);
  await expectNoAxeViolations(page);
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize({ width: 1200, height: 900 });
}

describe('the member directory', () => {
  it('lets an admin find a member by name, name them a story moderator, and appoint them to a room', async () => {
    const slug = 'partners';
    const tag = runTag()
      .replace(/[^a-z0-9]/gi, '')
      .slice(-6);
    const rowan = await person('register', newUsername(), `Rowan Alder ${tag}`);
    await send(rowan, 'POST', `/api/rooms/${slug}/join`, { acceptRules: true });
    const fellow = await person('register', newUsername(), `Sol Fenwick ${tag}`);
    await send(fellow, 'POST', `/api/rooms/${slug}/join`, { acceptRules: true });
    const admin = await person('login', adminUsername);

    // The admin finds the directory from the admin page and searches by part of the display name.
    await visit(admin.page, '/admin', admin.errors);
    await admin.page.getByRole('link', { name: 'Find a member' }).click();
    await admin.page.getByRole('heading', { level: 1, name: 'Members' }).waitFor();
    const search = admin.page.getByRole('searchbox', { name: 'Find a member' });
    await search.fill(`alder ${tag}`);
    await admin.page
      .getByRole('status')
      .filter({ hasText: `1 member matches “alder ${tag}”.` })
      .waitFor();
    const found = admin.page.getByRole('list', { name: 'Members found' }).getByRole('listitem');
    expect(await found.count()).toBe(1);
    await found.getByText(new RegExp(`^@${rowan.username} · Joined`)).waitFor();
    await checkVariants(admin.page, 'directory-search');

    // Their page: roles, rooms, sanctions; then a story moderator, after a confirmation.
    await found.getByRole('link', { name: `See ${rowan.displayName}` }).click();
    await admin.page.getByRole('heading', { level: 1, name: rowan.displayName }).waitFor();
    await admin.page.getByRole('link', { name: 'Partners', exact: true }).waitFor();
    await admin.page.getByText('A member, with no role of looking after others.').waitFor();
    await checkVariants(admin.page, 'directory-member');
    await admin.page.getByRole('button', { name: 'Make them a story moderator…' }).click();
    await admin.page.getByRole('heading', { name: `Make ${rowan.displayName} a story moderator?` }).waitFor();
    await admin.page.getByRole('button', { name: 'Make a story moderator', exact: true }).click();
    await admin.page
      .getByRole('status')
      .filter({ hasText: `${rowan.displayName} is a story moderator now` })
      .waitFor();
    await admin.page
      .getByRole('listitem')
      .filter({ hasText: /^Story moderator$/ })
      .waitFor();
    await admin.page.getByRole('button', { name: 'Stop them moderating stories…' }).waitFor();

    // The room's admin page: find a member of the room by name and appoint them.
    await visit(admin.page, `/admin/rooms/${slug}`, admin.errors);
    const roomSearch = admin.page.getByRole('searchbox', { name: 'Find a member of this room' });
    await roomSearch.fill('rowan');
    await roomSearch.press('Enter');
    const appoint = admin.page.getByRole('button', { name: `Appoint ${rowan.displayName} as a moderator` });
    await appoint.waitFor();
    await checkVariants(admin.page, 'directory-room-appoint');
    await appoint.click();
    await admin.page
      .getByRole('status')
      .filter({ hasText: `${rowan.displayName} now looks after Partners.` })
      .waitFor();
    const moderators = admin.page.getByRole('region', { name: 'Volunteer moderators' });
    await moderators.getByRole('button', { name: `Remove ${rowan.displayName} as a moderator` }).waitFor();
    await admin.page.getByText('Already looks after this room').waitFor();
    expect(admin.errors).toEqual([]);

    // The new moderator finds the members of the room they look after.
    await visit(rowan.page, '/moderation/members', rowan.errors);
    await rowan.page.getByRole('searchbox', { name: 'Find a member' }).fill(`fenwick ${tag}`);
    await rowan.page.getByRole('link', { name: `See ${fellow.displayName}` }).click();
    await rowan.page.getByRole('heading', { level: 2, name: fellow.displayName }).waitFor();
    await rowan.page.getByRole('heading', { name: 'In your rooms' }).waitFor();
    await checkVariants(rowan.page, 'directory-moderator-member');
    expect(rowan.errors).toEqual([]);
  });

  it('shows a story moderator a held story’s notes, themes and that it is anonymous, never its writer', async () => {
    const admin = await person('login', adminUsername);
    const keeper = await person('register', newUsername(), 'Keeper Wren');
    const writer = await person('register', newUsername(), `Willow Quietly ${runTag().slice(-4)}`);
    const keeperId = (
      (await (await keeper.page.request.get(`${platform().url}/api/me`)).json()) as { user: { id: string } }
    ).user.id;
    await send(admin, 'PUT', `/api/stories/moderators/${keeperId}`);
    // A new member's first story waits for a moderator.
    const title = `The spring we waited ${runTag()}`;
    await send(writer, 'POST', '/api/stories', {
      title,
      body: 'We planted a magnolia for her in the spring.',
      tags: ['partners_story', 'rituals_and_remembrance'],
      contentWarnings: ['birth', 'medical_detail'],
      anonymous: true,
    });

    await visit(keeper.page, '/moderation', keeper.errors);
    const card = keeper.page.getByRole('article').filter({ hasText: title });
    await card.getByRole('heading', { name: 'A story waiting for approval' }).waitFor();
    await card.getByText('Shared anonymously').waitFor();
    await card.getByText('Birth, Medical detail').waitFor();
    await card.getByText('A partner’s story, Rituals and remembrance').waitFor();
    expect(await card.innerText()).not.toContain(writer.displayName);
    await checkVariants(keeper.page, 'directory-story-card');
    expect(keeper.errors).toEqual([]);
  });
});
