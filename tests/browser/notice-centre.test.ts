// The notice centre, as two members live it in real Chromium. Hazel turns on notifications for her device
// in /settings (the browser's permission is granted to her context; a wrapped window.Notification records
// what is shown) and waits in the room. Rowan, in his own browser, mentions her with the composer's picker,
// by keyboard alone, and replies to her story. Hazel's "Notices" count rises live, her device shows two
// notifications that name Rowan and quote nothing, and both notices are in her notice centre. Each page is
// checked with axe in the variant's colour scheme and then in the other one, on a 1280 px desktop and a
// 390 px phone.
import type { BrowserContextOptions, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { expectNoAxeViolations, expectNoSidewaysScroll, screenshot, useBrowserPlatform } from '../support/browser.ts';

const password = 'quiet harbour lantern morning';
const noticesAdmin = { username: 'notices_admin', password };

const variants: { name: string; options: BrowserContextOptions; other: 'light' | 'dark' }[] = [
  { name: 'desktop-light', options: { colorScheme: 'light', viewport: { width: 1280, height: 800 } }, other: 'dark' },
  { name: 'phone-dark', options: { colorScheme: 'dark', viewport: { width: 390, height: 844 } }, other: 'light' },
];

const { openPage, visit, send, newUsername } = useBrowserPlatform({
  env: { REGISTER_LIMIT_PER_HOUR: '1000', NEW_MEMBER_LINK_WAIT_HOURS: '0' },
  usernamePrefix: 'notices',
  admins: [noticesAdmin],
});

/** Records every notification the page shows, in `window.shown`, then shows it as the browser would. */
const recordNotifications = () => {
  const Real = window.Notification;
  const shown: { title: string; body?: string }[] = [];
  (window as unknown as { shown: typeof shown }).shown = shown;
  class Recorded extends Real {
    constructor(title: string, options?: NotificationOptions) {
      shown.push({ title, body: options?.body });
      super(title, options);
    }
  }
  window.Notification = Recorded as typeof Notification;
};

interface Person {
  page: Page;
  errors: string[];
  username: string;
}

async function person(displayName: string, options: BrowserContextOptions, room: string): Promise<Person> {
  const { page, errors } = await openPage(options);
  const username = newUsername();
  await send(page, 'POST', '/api/auth/register', { username, password, displayName });
  await send(page, 'POST', `/api/rooms/${room}/join`, { acceptRules: true });
  return { page, errors, username };
}

/** axe and sideways scroll in the variant's scheme, then in the other, and back. */
async function checked(page: Page, scheme: 'light' | 'dark', other: 'light' | 'dark'): Promise<void> {
  await expectNoSidewaysScroll(page);
  await expectNoAxeViolations(page);
  await page.emulateMedia({ colorScheme: other });
  await expectNoAxeViolations(page);
  await page.emulateMedia({ colorScheme: scheme });
}

const shownOn = (page: Page) =>
  page.evaluate(() => (window as unknown as { shown: { title: string; body?: string }[] }).shown);

describe('the notice centre', () => {
  it.each(variants)(
    'a mention picked by keyboard and a reply to her story reach Hazel live, on her device too ($name)',
    async ({ name, options, other }) => {
      const scheme = options.colorScheme as 'light' | 'dark';
      const shot = (page: Page, what: string) => screenshot(page, `notice-centre-${what}-${name}`);
      const { page: adminPage } = await openPage(options);
      await send(adminPage, 'POST', '/api/auth/login', noticesAdmin);
      const room = `notices-${name}-${Date.now().toString(36)}`;
      await send(adminPage, 'POST', '/api/rooms', {
        slug: room,
        name: 'Evening circle',
        description: 'A quiet room for the evening.',
        audience: 'everyone',
        rules: 'Be kind.',
      });
      const hazel = await person('Hazel', options, room);
      const rowan = await person('Rowan', options, room);
      const { story } = await send<{ story: { id: string } }>(hazel.page, 'POST', '/api/stories', {
        title: 'The spring we lost Bea',
        body: 'We waited for the scan.',
        tags: [],
        contentWarnings: [],
        anonymous: false,
      });

      // Hazel allows notifications on her device, from a click in her settings.
      await hazel.page.context().grantPermissions(['notifications']);
      await hazel.page.addInitScript(recordNotifications);
      await visit(hazel.page, '/settings', hazel.errors);
      const device = hazel.page.getByRole('button', { name: 'Notifications on this device' });
      await expect.poll(() => device.getAttribute('aria-pressed')).toBe('false');
      await device.click();
      await expect.poll(() => device.getAttribute('aria-pressed')).toBe('true');
      await hazel.page.getByRole('status').filter({ hasText: 'Notifications are on for this device' }).waitFor();
      await hazel.page.getByRole('group', { name: 'Tell me about:' }).getByLabel('When someone mentions me').waitFor();
      await shot(hazel.page, 'settings');
      await checked(hazel.page, scheme, other);

      // She waits in the room, her nav saying nothing is new.
      await visit(hazel.page, `/rooms/${room}`, hazel.errors);
      // On a phone the navigation is folded behind its menu: she opens it to see the Notices link.
      const menu = hazel.page.getByRole('button', { name: /^Menu/ });
      if (await menu.isVisible()) await menu.click();
      const noticesLink = hazel.page
        .getByRole('link', { name: /^Notices/ })
        .filter({ visible: true })
        .first();
      expect(await noticesLink.textContent()).not.toContain('new');

      // Rowan mentions her, choosing her from the picker with the keyboard alone.
      await visit(rowan.page, `/rooms/${room}`, rowan.errors);
      const box = rowan.page.getByLabel('Write to the room');
      await box.click();
      await box.pressSequentially('Thinking of you tonight, @Haz');
      const list = rowan.page.getByRole('listbox', { name: 'Members to mention' });
      await list.waitFor();
      const option = list.getByRole('option', { name: `Hazel @${hazel.username}` });
      await option.waitFor();
      expect(await box.getAttribute('aria-activedescendant')).toBe(await option.getAttribute('id'));
      expect(await box.getAttribute('aria-controls')).toBe(await list.getAttribute('id'));
      await shot(rowan.page, 'picker');
      await checked(rowan.page, scheme, other);
      await box.press('ArrowDown'); // one option: Down comes back to it
      expect(await option.getAttribute('aria-selected')).toBe('true');
      await box.press('Enter'); // picks, and does not send
      await expect.poll(() => box.inputValue()).toBe(`Thinking of you tonight, @${hazel.username} `);
      expect(await list.count()).toBe(0);
      await box.pressSequentially('💜');
      await box.press('Enter');
      const messages = rowan.page.getByRole('region', { name: /^Messages in / });
      const mention = messages.locator('.mention', { hasText: `@${hazel.username}` });
      await expect.poll(() => mention.count()).toBe(1);
      await expect.poll(() => box.inputValue()).toBe('');

      // And he replies to her story.
      await send(rowan.page, 'POST', `/api/stories/${story.id}/replies`, { body: 'I remember Bea with you.' });

      // Hazel's count rises live; her device shows both, naming Rowan and quoting nothing.
      await expect.poll(() => noticesLink.textContent(), { timeout: 15_000 }).toContain('2 new');
      await expect.poll(async () => (await shownOn(hazel.page)).length).toBe(2);
      const bodies = (await shownOn(hazel.page)).map((shown) => shown.body).sort();
      expect(bodies).toEqual([
        'Rowan mentioned you in Evening circle.',
        'Rowan replied to your story “The spring we lost Bea”.',
      ]);
      expect(JSON.stringify(await shownOn(hazel.page))).not.toContain('I remember Bea');
      await shot(hazel.page, 'room-count');

      // Both are in her notice centre.
      await noticesLink.click();
      await hazel.page.getByRole('heading', { name: 'Notices', level: 1 }).waitFor();
      const mentioned = hazel.page.getByRole('article', { name: /You were mentioned/ });
      await mentioned.getByText('Rowan mentioned you in Evening circle.').waitFor();
      await mentioned.getByText(`Thinking of you tonight, @${hazel.username} 💜`).waitFor();
      const replied = hazel.page.getByRole('article', { name: /A reply to your story/ });
      await replied.getByText('I remember Bea with you.').waitFor();
      await replied.getByRole('link', { name: 'Open your story' }).waitFor();
      await shot(hazel.page, 'centre');
      await checked(hazel.page, scheme, other);
      expect(hazel.errors).toEqual([]);
      expect(rowan.errors).toEqual([]);
    },
  );
});
