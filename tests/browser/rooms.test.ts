// Room journeys through the started platform in real Chromium: a new member says who they are here as and
// finds the rooms that fit them first, reads a room's rules and joins it; an admin creates a room and
// appoints one of its members as volunteer moderator, and closes it; the pages for people who aren't
// admins. Every page passes axe, in light, dark and on a small phone, with no console errors.
import type { BrowserContextOptions, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  expectNoAxeViolations,
  expectNoSidewaysScroll,
  httpError,
  screenshot,
  useBrowserPlatform,
} from '../support/browser.ts';

const password = 'quiet harbour lantern morning';
const adminUsername = `admin_${Date.now().toString(36)}`;
const rulesRefused = 'Please read and accept the room’s rules to join.';

const { platform, openPage, visit, checkPage, newUsername } = useBrowserPlatform({
  env: { REGISTER_LIMIT_PER_HOUR: '1000' },
  admins: [{ username: adminUsername, password }],
});

/**
 * Signs a browser context in through the API (its cookie jar is the context's), for a journey that starts
 * with an existing account; answers the member as /api/session tells it.
 */
async function signInContext(
  page: Page,
  how: 'register' | 'login',
  username: string,
  displayName?: string,
): Promise<{ id: string; displayName: string }> {
  const path = how === 'register' ? '/api/auth/register' : '/api/auth/login';
  const answer = await page.context().request.post(`${platform().url}${path}`, {
    headers: { origin: platform().url },
    data: { username, password, ...(displayName ? { displayName } : {}) },
  });
  expect(answer.status(), await answer.text()).toBe(how === 'register' ? 201 : 200);
  const session = await page.context().request.get(`${platform().url}/api/session`);
  const { user } = (await session.json()) as { user: { id: string; displayName: string } };
  return user;
}

const main = (page: Page) => page.locator('main');
const nav = (page: Page) => page.getByRole('navigation', { name: 'Main' });
const focused = (page: Page) =>
  page.evaluate(() => ({ tag: document.activeElement?.tagName.toLowerCase(), id: document.activeElement?.id }));

/** The error message shown beside an input or group, once it is there: the control is described by it. */
async function errorBeside(page: Page, selector: string): Promise<string> {
  const control = page.locator(`${selector}[aria-describedby*="-error"]`);
  await control.waitFor();
  const describedBy = (await control.getAttribute('aria-describedby')) ?? '';
  const errorId = describedBy.split(' ').find((id) => id.endsWith('-error'));
  return (await page.locator(`#${errorId}`).textContent())?.trim() ?? '';
}

describe('a new member', () => {
  it('says they are a partner, finds the partners’ room first, reads its rules and joins it', async () => {
    const { page, errors } = await openPage({ colorScheme: 'light' });

    await visit(page, '/join', errors);
    await page.getByLabel('Username', { exact: true }).fill(newUsername());
    await page.getByLabel('Display name (optional)').fill('Wren');
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Join Kindred' }).click();
    await page.getByRole('link', { name: 'I’ve kept my codes safe — continue' }).click();

    // The welcome asks gently, once; nothing has to be chosen.
    await page.waitForURL(`${platform().url}/welcome`);
    await page.getByRole('heading', { level: 1, name: 'Welcome to Kindred' }).waitFor();
    const question = page.getByRole('group', { name: 'Who are you here as?' });
    expect(await question.getByRole('radio').count()).toBe(4);
    expect(await page.getByRole('link', { name: 'Skip for now' }).getAttribute('href')).toBe('/rooms');
    await question.getByLabel('A partner').check();
    await page.getByRole('button', { name: 'Continue' }).click();

    // The partners' rooms come first, and the page says why without closing any door.
    await page.waitForURL(`${platform().url}/rooms`);
    await page.getByRole('heading', { level: 1, name: 'Rooms' }).waitFor();
    const groups = await main(page).getByRole('heading', { level: 2 }).allTextContents();
    expect(groups).toEqual(['For partners', 'For mothers', 'For family and friends', 'For everyone']);
    await page
      .getByText("Shown first because you told us you're here as a partner — every room is open to you.", {
        exact: false,
      })
      .waitFor();

    // Each card: what the room is for and a count, never names; a content note where a room has one.
    const partners = page.getByRole('article', { name: 'Partners' });
    expect(await partners.textContent()).toContain('For partners who are grieving too');
    expect(await partners.textContent()).toContain('No members yet');
    const afterLoss = page.getByRole('article', { name: 'Pregnancy after loss' });
    expect(await afterLoss.textContent()).toContain('Content note: This room talks about current pregnancies');
    await screenshot(page, 'rooms-partner-first');

    // The room: its rules before anything else that asks something of you.
    await partners.getByRole('link', { name: 'Partners' }).click();
    await page.waitForURL(`${platform().url}/rooms/partners`);
    await page.getByRole('heading', { level: 1, name: 'Partners' }).waitFor();
    const rules = page.getByRole('region', { name: 'The rules of this room' });
    const items = await rules.getByRole('listitem').allTextContents();
    expect(items).toHaveLength(7);
    expect(items[0]).toMatch(/^Be gentle\. Everyone here is hurting/);
    expect(await rules.locator('strong').first().textContent()).toBe('Be gentle.');
    expect(await rules.getByRole('link', { name: 'Help now' }).getAttribute('href')).toBe('/help');

    // Joining without ticking the box is answered beside the box, and nothing else changes.
    await page.getByRole('button', { name: 'Join this room' }).click();
    expect(await errorBeside(page, '#accept-rules')).toBe(rulesRefused);
    expect(await page.locator('#accept-rules').getAttribute('aria-invalid')).toBe('true');
    expect(await focused(page)).toMatchObject({ id: 'accept-rules' });
    await screenshot(page, 'room-rules-not-accepted');
    await expectNoAxeViolations(page);

    await page.getByLabel('I have read these rules and will keep them').check();
    await page.getByRole('button', { name: 'Join this room' }).click();
    // Joined: focus goes to the message box; the rest of the room waits behind "About this room".
    await expect.poll(() => focused(page)).toMatchObject({ tag: 'textarea', id: 'message-box-partners' });
    await page.getByRole('button', { name: 'About this room' }).click();
    await page.getByText("You're a member of this room.").waitFor();
    expect(await page.getByRole('button', { name: 'Join this room' }).count()).toBe(0);
    expect(await page.getByText('1 member', { exact: true }).count()).toBe(1);

    // The rooms list says so too.
    await visit(page, '/rooms', errors);
    expect(await page.getByRole('article', { name: 'Partners' }).textContent()).toContain("You're a member");

    // Leaving asks first; "Stay" changes nothing and hands focus back.
    await visit(page, '/rooms/partners', errors);
    await page.getByRole('button', { name: 'About this room' }).click();
    await page.getByRole('button', { name: 'Leave this room…' }).click();
    await page.getByRole('heading', { name: 'Leave Partners?' }).waitFor();
    expect(await focused(page)).toMatchObject({ tag: 'h2' });
    await page.getByRole('button', { name: 'Stay' }).click();
    expect(await focused(page)).toMatchObject({ tag: 'button' });
    await page.getByRole('button', { name: 'Leave this room…' }).click();
    await page.getByRole('button', { name: 'Leave the room' }).click();
    await page.getByRole('status').filter({ hasText: 'You have left Partners.' }).waitFor();
    await page.getByLabel('I have read these rules and will keep them').waitFor();
    expect(await page.getByText('No members yet', { exact: true }).count()).toBe(1);

    expect(errors).toEqual([httpError(400)]);
  });

  it('may skip the welcome question, and then sees the rooms in their usual order', async () => {
    const { page, errors } = await openPage();
    await visit(page, `/join?next=${encodeURIComponent('/rooms/delayed-grief')}`, errors);
    await page.getByLabel('Username', { exact: true }).fill(newUsername());
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Join Kindred' }).click();
    await page.getByRole('link', { name: 'I’ve kept my codes safe — continue' }).click();

    // The room they came from waits for them after the welcome.
    await page.waitForURL(`${platform().url}/welcome?next=%2Frooms%2Fdelayed-grief`);
    await page.getByRole('link', { name: 'Skip for now' }).click();
    await page.waitForURL(`${platform().url}/rooms/delayed-grief`);
    await page.getByRole('heading', { level: 1, name: 'Delayed grief and hard dates' }).waitFor();

    await visit(page, '/rooms', errors);
    const groups = await main(page).getByRole('heading', { level: 2 }).allTextContents();
    expect(groups).toEqual(['For mothers', 'For partners', 'For family and friends', 'For everyone']);
    expect(await page.getByText('Shown first because').count()).toBe(0);
    expect(errors).toEqual([]);
  });
});

describe('an admin', () => {
  it('creates a room, appoints a member of it as moderator, and closes it', async () => {
    const admin = await openPage({ colorScheme: 'dark' });
    await signInContext(admin.page, 'login', adminUsername);
    const slug = `walking-${Date.now().toString(36)}`;

    await visit(admin.page, '/admin', admin.errors);
    await nav(admin.page).getByRole('link', { name: 'Admin' }).waitFor();
    await admin.page.getByRole('link', { name: 'Create a room' }).click();
    await admin.page.getByRole('heading', { level: 1, name: 'Create a room' }).waitFor();

    // An empty form is answered beside every field that needs something, without a trip to the server.
    await admin.page.getByRole('button', { name: 'Create the room' }).click();
    expect(await errorBeside(admin.page, '#room-name')).toBe('Please give the room a name.');
    expect(await errorBeside(admin.page, '#room-slug')).toBe('Please choose an address for the room.');
    expect(await errorBeside(admin.page, '#room-description')).toBe(
      'Please say who the room is for and what it is for.',
    );
    expect(await errorBeside(admin.page, 'fieldset')).toBe('Please choose who the room is for.');
    expect(await errorBeside(admin.page, '#room-rules')).toMatch(/^Please write the room’s rules/);
    expect(await focused(admin.page)).toMatchObject({ id: 'room-name' });
    await admin.page.getByLabel('Slow mode, in seconds').fill('soon');
    await admin.page.getByRole('button', { name: 'Create the room' }).click();
    expect(await errorBeside(admin.page, '#room-slow-mode')).toMatch(/^Slow mode is a whole number of seconds/);
    await screenshot(admin.page, 'admin-new-room-errors');
    await expectNoAxeViolations(admin.page);

    // A taken address is the server's to find, and its answer goes beside the address.
    await admin.page.getByLabel('Name', { exact: true }).fill('Walking together');
    await admin.page.getByLabel('Address', { exact: true }).fill('partners');
    await admin.page
      .getByLabel('Description', { exact: true })
      .fill('For anyone who finds it easier to talk while walking, or about walking through grief.');
    await admin.page.getByRole('group', { name: 'Who is it for?' }).getByLabel('For everyone').check();
    await admin.page
      .getByLabel('Rules', { exact: true })
      .fill('1. **Walk gently.** Go at your own pace.\n2. If you might be in danger, go to [Help now](/help).');
    await admin.page.getByLabel('Slow mode, in seconds').fill('0');
    await admin.page.getByText('Preview the rules as members will see them').click();
    expect(await admin.page.locator('.preview strong').textContent()).toBe('Walk gently.');
    await admin.page.getByRole('button', { name: 'Create the room' }).click();
    expect(await errorBeside(admin.page, '#room-slug')).toBe(
      'Another room already has that address. Please choose another.',
    );

    await admin.page.getByLabel('Address', { exact: true }).fill(slug);
    await admin.page.getByRole('button', { name: 'Create the room' }).click();
    await admin.page.waitForURL(`${platform().url}/admin/rooms/${slug}`);
    await admin.page.getByRole('status').filter({ hasText: 'Walking together is open.' }).waitFor();
    await admin.page.getByText('No one looks after this room yet.').waitFor();

    // A member joins the new room.
    const member = await openPage({ colorScheme: 'light' });
    await signInContext(member.page, 'register', newUsername(), 'Juniper');
    await visit(member.page, '/rooms', member.errors);
    await member.page.getByRole('article', { name: 'Walking together' }).getByRole('link').click();
    await member.page.getByRole('heading', { level: 1, name: 'Walking together' }).waitFor();
    await member.page.getByLabel('I have read these rules and will keep them').check();
    await member.page.getByRole('button', { name: 'Join this room' }).click();
    await member.page.getByLabel('Write to the room', { exact: true }).waitFor();

    // Appointing by name: the search lists the room's members only, so the admin (not a member) is not offered.
    const search = admin.page.getByRole('searchbox', { name: 'Find a member of this room' });
    await search.fill(adminUsername);
    await search.press('Enter');
    await admin.page.getByText(`No member matches “${adminUsername}”.`).waitFor();
    await search.fill('juniper');
    await search.press('Enter');
    await admin.page.getByRole('button', { name: 'Appoint Juniper as a moderator' }).click();
    await admin.page.getByRole('status').filter({ hasText: 'Juniper now looks after Walking together.' }).waitFor();
    await admin.page.getByRole('button', { name: 'Remove Juniper as a moderator' }).waitFor();
    await screenshot(admin.page, 'admin-room-moderator-appointed');
    await expectNoAxeViolations(admin.page);

    // The room now says who looks after it.
    await member.page.reload();
    await member.page.getByRole('button', { name: 'About this room' }).click();
    await member.page.getByText('Looked after by Juniper', { exact: true }).waitFor();
    await member.page.getByText("You're a member, and you look after this room.").waitFor();

    // Closing asks first; afterwards the member can still read, and can't be joined by anyone new.
    await admin.page.getByRole('button', { name: 'Close this room…' }).click();
    await admin.page.getByRole('heading', { name: 'Close Walking together?' }).waitFor();
    await admin.page.getByRole('button', { name: 'Close the room' }).click();
    await admin.page.getByRole('status').filter({ hasText: 'Walking together is closed.' }).waitFor();
    await admin.page.getByRole('button', { name: 'Reopen this room…' }).waitFor();
    expect(await focused(admin.page)).toMatchObject({ tag: 'button' });

    await member.page.reload();
    // Where the message box was, the conversation says the room is closed and can still be read.
    await member.page
      .getByText('This room is closed now, so nothing new can be added. You can still read what was said.')
      .waitFor();
    await screenshot(member.page, 'room-closed-member');
    await expectNoAxeViolations(member.page);
    await visit(member.page, '/rooms', member.errors);
    const closed = member.page.getByRole('region', { name: 'Closed rooms' });
    await closed.getByRole('article', { name: 'Walking together' }).waitFor();

    // The admin's list shows it closed, with its moderator.
    await visit(admin.page, '/admin', admin.errors);
    const listed = admin.page.getByRole('listitem').filter({ hasText: 'Walking together' });
    expect(await listed.textContent()).toContain('Closed');
    expect(await listed.textContent()).toContain('Looked after by Juniper');

    expect(admin.errors).toEqual([httpError(409)]);
    expect(member.errors).toEqual([]);
  });
});

describe('admin pages', () => {
  it('tell a member who is not an admin, kindly, and send a visitor to sign in', async () => {
    const { page, errors } = await openPage();
    await visit(page, '/admin', errors);
    await page.waitForURL(`${platform().url}/signin?next=%2Fadmin`);

    await signInContext(page, 'register', newUsername());
    for (const path of ['/admin', '/admin/rooms/new', '/admin/rooms/partners']) {
      await visit(page, path, errors);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe("This page is for Kindred's admins");
      expect(await page.getByLabel('Name').count()).toBe(0);
    }
    expect(await nav(page).getByRole('link', { name: 'Admin' }).count()).toBe(0);
    await expectNoAxeViolations(page);
    expect(errors).toEqual([]);
  });
});

describe('how the rooms pages read', () => {
  const options: BrowserContextOptions = { colorScheme: 'light' };
  const name = 'light';

  /**
   * The page as it is now (checked in light at desktop size by checkPage), seen again in dark and then on a
   * 360 px phone, on the same page load: one h1, nothing to scroll sideways, axe, a screenshot. Then put back.
   */
  async function darkAndPhone(page: Page, shot: string): Promise<void> {
    const size = page.viewportSize() ?? { width: 1280, height: 720 };
    expect(await page.locator('h1').count()).toBe(1);
    await page.emulateMedia({ colorScheme: 'dark' });
    await expectNoSidewaysScroll(page);
    await screenshot(page, `${shot}-dark`);
    await expectNoAxeViolations(page);
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 360, height: 780 });
    await expectNoSidewaysScroll(page);
    await screenshot(page, `${shot}-360px`);
    await expectNoAxeViolations(page);
    await page.setViewportSize(size);
  }

  it('pass axe and fit the screen (light, dark and 360 px, on the same page loads)', async () => {
    const { page, errors } = await openPage(options);
    const room = '/rooms/pregnancy-after-loss';

    await checkPage(page, errors, '/rooms', 'For everyone', `rooms-signed-out-${name}`);
    await darkAndPhone(page, 'rooms-signed-out');
    await checkPage(page, errors, room, 'Sign in to join', `room-signed-out-${name}`);
    await darkAndPhone(page, 'room-signed-out');
    // The content note comes straight after the room's name, before anything else.
    const first = await page.locator('h1 + div > p').first().textContent();
    expect(first).toMatch(/^Content note: This room talks about current pregnancies/);

    await signInContext(page, 'register', newUsername(), 'Rowan');
    await checkPage(page, errors, '/welcome', 'Who are you here as?', `welcome-${name}`);
    await darkAndPhone(page, 'welcome');
    await checkPage(page, errors, '/rooms', 'For everyone', `rooms-signed-in-${name}`);
    await darkAndPhone(page, 'rooms-signed-in');
    await checkPage(page, errors, room, 'I have read these rules', `room-signed-in-${name}`);
    await darkAndPhone(page, 'room-signed-in');
    await page.getByLabel('I have read these rules and will keep them').check();
    await page.getByRole('button', { name: 'Join this room' }).click();
    await page.getByLabel('Write to the room', { exact: true }).waitFor();
    await checkPage(page, errors, room, 'Write to the room', `room-joined-${name}`);
    await darkAndPhone(page, 'room-joined');
    expect(errors).toEqual([]);

    const admin = await openPage(options);
    await signInContext(admin.page, 'login', adminUsername);
    await checkPage(admin.page, admin.errors, '/admin', 'Create a room', `admin-${name}`);
    await darkAndPhone(admin.page, 'admin');
    await checkPage(admin.page, admin.errors, '/admin/rooms/new', 'Preview the rules', `admin-new-room-${name}`);
    await darkAndPhone(admin.page, 'admin-new-room');
    await checkPage(admin.page, admin.errors, '/admin/rooms/mothers', 'Appoint a moderator', `admin-room-${name}`);
    await darkAndPhone(admin.page, 'admin-room');
    expect(admin.errors).toEqual([]);
  });
});
