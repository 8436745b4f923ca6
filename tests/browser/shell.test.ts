// The shell of the app in real Chromium: the design system's look in light and dark, the navigation that
// folds into a menu on a phone (by keyboard: Enter opens, Escape closes and gives focus back), the admin's
// header on one row at 1280 px, the rooms sidebar on a wide screen, a signed-in member's home (their rooms,
// today's thought), and person marks (hidden from screen readers beside a name that is read; a colour the
// member chooses in settings shows on the next page). Every state is checked by axe, light and dark, on the
// same page loads.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { expectNoAxeViolations, expectNoSidewaysScroll, screenshot, useBrowserPlatform } from '../support/browser.ts';
import { ChatSocket, joinRoom, registerMember } from '../support/chat.ts';

const admin = { username: 'shell_admin', password: 'quiet lantern evening shell' };
const { platform, openPage, visit, send, newUsername } = useBrowserPlatform({
  usernamePrefix: 'shell',
  admins: [admin],
});

const phone = { width: 390, height: 844 };
const desktop = { width: 1280, height: 800 };

async function signedInAdmin(viewport: { width: number; height: number }) {
  const opened = await openPage({ colorScheme: 'light', viewport });
  await send(opened.page, 'POST', '/api/auth/login', admin);
  for (const room of ['mothers', 'partners']) {
    await send(opened.page, 'POST', `/api/rooms/${room}/join`, { acceptRules: true });
  }
  return opened;
}

/** axe and no sideways scroll, then the same in dark on the same page, with a screenshot of each. */
async function checkBothSchemes(page: Page, name: string): Promise<void> {
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    await expectNoSidewaysScroll(page);
    await screenshot(page, `shell-${name}-${colorScheme}`);
    await expectNoAxeViolations(page);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

const nav = (page: Page) => page.getByRole('navigation', { name: 'Main' });

describe('on a phone (390 × 844)', () => {
  it('folds the navigation into a menu that works by keyboard, and the home is the member’s own', async () => {
    const { page, errors } = await signedInAdmin(phone);
    await visit(page, '/', errors);

    // Home: my rooms and today's thought, under a greeting by name; the mark beside it is not read twice.
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Welcome back, shell_admin');
    const rooms = page.getByRole('region', { name: 'Your rooms' });
    await rooms.getByRole('link', { name: 'Mothers', exact: true }).waitFor();
    await rooms.getByRole('link', { name: 'Partners', exact: true }).waitFor();
    expect(await page.getByText('A thought for today').isVisible()).toBe(true);
    const marks = page.locator('.person-mark');
    expect(await marks.count()).toBeGreaterThan(0);
    for (const mark of await marks.all()) expect(await mark.getAttribute('aria-hidden')).toBe('true');
    expect(errors).toEqual([]);

    // The navigation is folded behind the menu button.
    const menu = page.getByRole('button', { name: 'Menu', exact: true });
    expect(await menu.getAttribute('aria-expanded')).toBe('false');
    expect(await nav(page).isVisible()).toBe(false);
    const headerHeight = await page.locator('header.site-header').evaluate((el) => el.getBoundingClientRect().height);
    expect(headerHeight).toBeLessThan(80);
    await checkBothSchemes(page, 'home-phone');

    // Enter opens it; Tab walks into its links; Escape closes it and focus is back on the button.
    await menu.focus();
    await page.keyboard.press('Enter');
    expect(await menu.getAttribute('aria-expanded')).toBe('true');
    await nav(page).getByRole('link', { name: 'Rooms', exact: true }).waitFor();
    await checkBothSchemes(page, 'menu-open-phone');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.closest('nav')?.getAttribute('aria-label'))).toBe('Main');
    await page.keyboard.press('Escape');
    expect(await menu.getAttribute('aria-expanded')).toBe('false');
    expect(await nav(page).isVisible()).toBe(false);
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Menu');

    // A link chosen in the open menu goes there and folds the menu again.
    await page.keyboard.press('Enter');
    await nav(page).getByRole('link', { name: 'Stories', exact: true }).click();
    await page.waitForURL('**/stories');
    await page.getByRole('heading', { level: 1 }).waitFor();
    expect(await menu.getAttribute('aria-expanded')).toBe('false');
    // No rooms sidebar on a phone.
    expect(await page.getByRole('navigation', { name: 'Your rooms' }).isVisible()).toBe(false);
    expect(errors).toEqual([]);
  });
});

describe('on a wide screen (1280 × 800)', () => {
  it('keeps the admin’s header on one row, lists my rooms with unread counts, and shows a chosen mark colour', async () => {
    const { page, errors } = await signedInAdmin(desktop);
    // Someone else writes in Mothers before the admin looks: one unread there, none in Partners.
    const other = await registerMember(platform().url, newUsername());
    await joinRoom(platform().url, other, 'mothers');
    const socket = await ChatSocket.connect(platform().url, other);
    try {
      await socket.subscribe('mothers');
      socket.send({ type: 'send', room: 'mothers', clientId: 'shell-1', body: 'Thinking of everyone here tonight.' });
      const ack = await socket.next((frame) => frame.clientId === 'shell-1' || frame.ref === 'shell-1', 15_000);
      expect(ack.type).toBe('ack');
    } finally {
      socket.close();
    }

    await visit(page, '/', errors);
    const homeRooms = page.getByRole('region', { name: 'Your rooms' });
    await homeRooms.getByRole('link', { name: 'Mothers 1 unread', exact: true }).waitFor();
    expect(await homeRooms.getByRole('link', { name: 'Partners', exact: true }).isVisible()).toBe(true);

    // Every item of the admin's navigation is on one row, beside the brand.
    expect(await page.getByRole('button', { name: 'Menu' }).isVisible()).toBe(false);
    const tops = await nav(page)
      .locator('li')
      .evaluateAll((items) => items.map((item) => Math.round(item.getBoundingClientRect().top)));
    expect(tops.length).toBeGreaterThanOrEqual(9);
    expect(new Set(tops).size).toBe(1);
    await nav(page).getByRole('link', { name: 'Admin', exact: true }).waitFor();
    const brandTop = await page.getByRole('link', { name: 'Kindred', exact: true }).evaluate((el) => {
      const box = el.getBoundingClientRect();
      return box.top + box.height / 2;
    });
    const navMiddle = await nav(page).evaluate((el) => {
      const box = el.getBoundingClientRect();
      return box.top + box.height / 2;
    });
    expect(Math.abs(brandTop - navMiddle)).toBeLessThan(12);

    // The sidebar lists my rooms and the notices; main fills the window's height beside it.
    const sidebar = page.getByRole('navigation', { name: 'Your rooms' });
    await sidebar.getByRole('link', { name: 'Mothers 1 unread', exact: true }).waitFor();
    expect(await sidebar.getByRole('link', { name: 'Partners', exact: true }).isVisible()).toBe(true);
    expect(await sidebar.getByRole('link', { name: 'Notices', exact: false }).isVisible()).toBe(true);
    const mainBottom = await page.locator('main').evaluate((el) => el.getBoundingClientRect().bottom);
    expect(mainBottom).toBeGreaterThanOrEqual(desktop.height - 1);
    await checkBothSchemes(page, 'home-desktop');

    // The sidebar takes me to a room, marked as where I am.
    await sidebar.getByRole('link', { name: 'Partners', exact: true }).click();
    await page.waitForURL('**/rooms/partners');
    expect(await sidebar.getByRole('link', { name: 'Partners', exact: true }).getAttribute('aria-current')).toBe(
      'page',
    );

    // A mark colour chosen in settings shows on the next page.
    await visit(page, '/settings', errors);
    const before = await page
      .locator('.greeting .person-mark, .preview .person-mark')
      .first()
      .getAttribute('data-colour');
    const choice = before === 'plum' ? 'Sage' : 'Plum';
    await page.getByRole('radio', { name: choice, exact: true }).check();
    await page.getByRole('button', { name: 'Save my colour' }).click();
    await page.getByText('Saved. Your mark has its new colour').waitFor();
    await checkBothSchemes(page, 'settings-desktop');
    await visit(page, '/', errors);
    await expect
      .poll(() => page.locator('.greeting .person-mark').getAttribute('data-colour'))
      .toBe(choice.toLowerCase());
    expect(errors).toEqual([]);
  });
});
