// The live queue through the started platform in real Chromium: a moderator with the queue open sees the
// count beside "Moderation" rise and new items appear as they arrive, without reloading, each announced
// politely; with notifications allowed (their own press on the queue page), an urgent item that arrives
// while Kindred is in a hidden tab shows a notification that names no one and quotes nothing. A member's
// unread notices count rises live too. Each page load passes axe, in light, dark and at 390 px.
import type { Message } from '@kindred/shared';
import type { BrowserContextOptions, Locator, Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { expectNoAxeViolations, expectNoSidewaysScroll, screenshot, useBrowserPlatform } from '../support/browser.ts';
import { ChatSocket, joinRoom, registerMember, runTag, api as nodeApi, type Member } from '../support/chat.ts';

const password = 'quiet harbour lantern morning';
const adminUsername = `admin_${Date.now().toString(36)}`;

const { platform, openPage, visit, newUsername } = useBrowserPlatform({
  env: { REGISTER_LIMIT_PER_HOUR: '1000', LOGIN_LIMIT_PER_15MIN: '1000' },
  usernamePrefix: 'live',
  admins: [{ username: adminUsername, password }],
});
const openSockets: ChatSocket[] = [];

afterEach(() => {
  for (const socket of openSockets.splice(0)) socket.close();
});

interface Person {
  page: Page;
  errors: string[];
  id: string;
  username: string;
}

async function person(how: 'register' | 'login', options: BrowserContextOptions = {}, username = newUsername()) {
  const { page, errors } = await openPage(options);
  const path = how === 'register' ? '/api/auth/register' : '/api/auth/login';
  const answer = await page.request.post(`${platform().url}${path}`, {
    headers: { origin: platform().url },
    data: { username, password },
  });
  expect(answer.status(), await answer.text()).toBe(how === 'register' ? 201 : 200);
  const { user } = (await answer.json()) as { user: { id: string } };
  return { page, errors, id: user.id, username } satisfies Person;
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
 * A moderator of `slug` in a browser whose notifications are recorded as the page makes them, and whose
 * tab can be made hidden, as it is when Kindred sits in a tab behind another.
 */
async function moderatorOf(slug: string, options: BrowserContextOptions): Promise<Person> {
  const moderator = await person('register', options);
  await moderator.page.context().grantPermissions(['notifications'], { origin: platform().url });
  await moderator.page.addInitScript(() => {
    const shown: { title: string; body: string }[] = [];
    const Original = window.Notification;
    class Recorded extends Original {
      constructor(title: string, options?: NotificationOptions) {
        shown.push({ title, body: options?.body ?? '' });
        super(title, options);
      }
    }
    let hidden = false;
    Object.defineProperty(Document.prototype, 'visibilityState', { get: () => (hidden ? 'hidden' : 'visible') });
    Object.defineProperty(Document.prototype, 'hidden', { get: () => hidden });
    Object.assign(window, {
      Notification: Recorded,
      shownNotifications: shown,
      setTabHidden: (value: boolean) => {
        hidden = value;
        document.dispatchEvent(new Event('visibilitychange'));
      },
    });
  });
  await send(moderator, 'POST', `/api/rooms/${slug}/join`, { acceptRules: true });
  const admin = await person('login', {}, adminUsername);
  await send(admin, 'PUT', `/api/rooms/${slug}/moderators/${moderator.id}`);
  return moderator;
}

/** A member outside any browser who writes in the room over the chat socket, as a tab would. */
async function writer(
  slug: string,
  displayName: string,
): Promise<{ member: Member; say(body: string): Promise<Message> }> {
  const member = await registerMember(platform().url, `node_${runTag()}_${newUsername()}`.slice(0, 32));
  const renamed = await nodeApi(platform().url, '/api/me', { method: 'PATCH', member, body: { displayName } });
  expect(renamed.status, await renamed.text()).toBe(200);
  await joinRoom(platform().url, member, slug);
  const socket = await ChatSocket.connect(platform().url, member);
  openSockets.push(socket);
  return {
    member,
    async say(body) {
      const clientId = `c-${runTag()}`;
      socket.send({ type: 'send', room: slug, clientId, body });
      const ack = await socket.next((frame) => frame.clientId === clientId, 10_000);
      expect(ack.type, JSON.stringify(ack)).toBe('ack');
      return ack.message as Message;
    },
  };
}

async function reportFromNode(slug: string, messageId: string): Promise<void> {
  const reporter = await registerMember(platform().url, `rep_${runTag()}_${newUsername()}`.slice(0, 32));
  await joinRoom(platform().url, reporter, slug);
  const answer = await nodeApi(platform().url, '/api/reports', {
    member: reporter,
    body: { target: { type: 'message', id: messageId }, reason: 'spam' },
  });
  expect(answer.status, await answer.text()).toBe(201);
}

const moderationLink = (page: Page) =>
  page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /^Moderation/ });
/** A link's words as read out: the count sits after a no-break space. */
const words = async (locator: Locator) => ((await locator.textContent()) ?? '').replace(/\s+/g, ' ').trim();
const queueItem = (page: Page, title: string) => page.getByRole('article', { name: title });
const announcement = (page: Page, text: string) => page.getByRole('status').filter({ hasText: text });

describe('the queue, live', () => {
  it('shows new items as they arrive, counts them in the nav, and notifies of an urgent one in a hidden tab', async () => {
    const slug = 'family-and-friends';
    const moderator = await moderatorOf(slug, { colorScheme: 'light' });
    const page = moderator.page;
    await visit(page, '/moderation', moderator.errors);
    await page.getByText('Nothing is waiting right now.').waitFor();
    expect(await words(moderationLink(page))).toBe('Moderation');

    // The moderator chooses notifications, on this page, with their own press.
    await page.getByRole('button', { name: 'Notify me of urgent items' }).click();
    await announcement(page, 'Notifications are on.').waitFor();
    await page.getByRole('button', { name: 'Turn off notifications' }).waitFor();

    // A report arrives: the count, the item and a polite announcement, with no reload.
    const rowan = await writer(slug, 'Rowan');
    await reportFromNode(slug, (await rowan.say(`That was not kind of you at all ${runTag()}`)).id);
    await queueItem(page, 'A message from Rowan in Family and friends').waitFor();
    await expect.poll(() => words(moderationLink(page)), { timeout: 15_000 }).toBe('Moderation 1 waiting');
    await announcement(page, 'A new item is waiting.').waitFor();
    expect(await page.getByRole('status').filter({ hasText: 'A new item is waiting.' }).getAttribute('aria-live')).toBe(
      'polite',
    );

    // Kindred goes behind another tab; words of risk arrive: an urgent item, and a notification that
    // says only that.
    await page.evaluate(() => (window as unknown as { setTabHidden(v: boolean): void }).setTabHidden(true));
    const danger = 'since the scan i just want to die, i cant do this';
    await rowan.say(danger);
    await expect.poll(() => words(moderationLink(page)), { timeout: 15_000 }).toBe('Moderation 2 waiting, 1 urgent');
    await announcement(page, 'An urgent item is waiting.').waitFor();
    const shown = await page.evaluate(
      () => (window as unknown as { shownNotifications: unknown[] }).shownNotifications,
    );
    expect(shown).toEqual([{ title: 'Kindred', body: 'An urgent item is waiting in the queue.' }]);
    expect(JSON.stringify(shown)).not.toMatch(/Rowan|scan|die/);

    await page.evaluate(() => (window as unknown as { setTabHidden(v: boolean): void }).setTabHidden(false));
    await page.locator('article.item.urgent').first().waitFor();
    await screenshot(page, 'live-queue-light');
    await expectNoAxeViolations(page);
    expect(moderator.errors).toEqual([]);
  });

  it.each([
    { name: 'dark', options: { colorScheme: 'dark' } as BrowserContextOptions },
    { name: 'phone', options: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true } },
  ])('counts live in the $name variant, and no notification comes unasked', async ({ name, options }) => {
    const slug = 'partners';
    const moderator = await moderatorOf(slug, options);
    const page = moderator.page;
    await visit(page, '/moderation', moderator.errors);
    await page.getByRole('button', { name: 'Notify me of urgent items' }).waitFor();
    // On a phone the navigation is folded: its button says what waits behind it, and opens it.
    const menu = page.getByRole('button', { name: /^Menu/ });
    if (name === 'phone') await menu.click();
    const before = Number((/(\d+) waiting/.exec(await words(moderationLink(page))) ?? [0, 0])[1]);

    await page.evaluate(() => (window as unknown as { setTabHidden(v: boolean): void }).setTabHidden(true));
    const sam = await writer(slug, `Sam ${name}`);
    await sam.say('since the scan i just want to die, i cant do this');
    await expect
      .poll(() => words(moderationLink(page)), { timeout: 15_000 })
      .toMatch(new RegExp(`^Moderation ${before + 1} waiting`));
    if (name === 'phone') {
      expect(await menu.getAttribute('aria-expanded')).toBe('true');
      expect(await words(menu)).toMatch(new RegExp(`moderation: ${before + 1} waiting, \\d+ urgent`));
    }
    await announcement(page, 'An urgent item is waiting.').waitFor();
    await queueItem(page, `A message from Sam ${name} in Partners`).waitFor();
    // Not allowed on this device: no notification.
    expect(
      await page.evaluate(() => (window as unknown as { shownNotifications: unknown[] }).shownNotifications),
    ).toEqual([]);
    await page.evaluate(() => (window as unknown as { setTabHidden(v: boolean): void }).setTabHidden(false));
    await expectNoSidewaysScroll(page);
    await screenshot(page, `live-queue-${name}`);
    await expectNoAxeViolations(page);
    expect(moderator.errors).toEqual([]);
  });
});

describe('a member’s notices', () => {
  it('are counted live in the nav when a moderator acts on their words', async () => {
    const slug = 'delayed-grief';
    const member = await person('register', { colorScheme: 'dark' });
    await send(member, 'POST', `/api/rooms/${slug}/join`, { acceptRules: true });
    const cookie = (await member.page.context().cookies()).find((c) => c.name.endsWith('kindred_session'))!;
    const socket = await ChatSocket.connect(platform().url, {
      username: member.username,
      id: member.id,
      cookie: `${cookie.name}=${cookie.value}`,
    });
    openSockets.push(socket);
    await visit(member.page, '/rooms', member.errors);
    const notices = member.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /^Notices/ });
    expect(await words(notices)).toBe('Notices');

    socket.send({ type: 'send', room: slug, clientId: `c-${runTag()}`, body: `Words to be hidden ${runTag()}` });
    const ack = await socket.next((frame) => frame.type === 'ack', 10_000);
    const moderator = await moderatorOf(slug, {});
    await send(moderator, 'POST', '/api/moderation/actions', {
      action: 'hide',
      target: { type: 'message', id: (ack.message as Message).id },
      reason: 'Hidden while we talk about it.',
    });
    await expect.poll(() => words(notices), { timeout: 15_000 }).toBe('Notices 1 new');
    await expectNoAxeViolations(member.page);
    expect(member.errors).toEqual([]);
  });
});
