// The room screen on a phone and on a wide screen, in real Chromium: a member opens a room from /rooms and
// lands at the first message she has not read, under "New since you left", with the message box in sight
// without scrolling; she writes with the on-screen keyboard up (a shorter visual viewport); she reaches
// the box from the top of the room in at most three Tab presses; she uses a message's More menu by
// keyboard (a reaction, a report whose "Send report" is on screen); one person's messages close together
// sit under one name, under a separator for the day. Light, dark, 390×844 and 1280×800 are checked on the
// same page load, each with axe.
import type { Locator, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { expectNoAxeViolations, expectNoSidewaysScroll, screenshot, useBrowserPlatform } from '../support/browser.ts';
import { ChatSocket, joinRoom, registerMember, runTag, type Frame, type Member } from '../support/chat.ts';

const room = 'mothers';
const password = 'quiet harbour lantern morning';
const phone = { width: 390, height: 844 };
const desktop = { width: 1280, height: 800 };

const { platform, openPage, visit, send, newUsername } = useBrowserPlatform({
  env: { REGISTER_LIMIT_PER_HOUR: '1000', MESSAGE_LIMIT_PER_MINUTE: '1000' },
  usernamePrefix: 'roomscreen',
});

const sockets: ChatSocket[] = [];
afterAll(() => sockets.forEach((socket) => socket.close()));

const composer = (page: Page) => page.getByLabel('Write to the room', { exact: true });
const message = (page: Page, text: string) => page.locator('article.message').filter({ hasText: text });

/** Writes through the chat socket, as another member's app would, and waits for each to be stored. */
async function write(socket: ChatSocket, bodies: string[]): Promise<number> {
  let seq = 0;
  for (const body of bodies) {
    const clientId = `rs-${runTag()}`;
    const from = socket.frames.length;
    socket.send({ type: 'send', room, clientId, body });
    const ack = await socket.next((f: Frame) => f.type === 'ack' && f.clientId === clientId, 10_000, from);
    seq = (ack.message as { seq: number }).seq;
  }
  return seq;
}

/** Whether the whole of an element is inside the window, as the member sees it now. */
function inView(locator: Locator): Promise<boolean> {
  return locator.evaluate((element) => {
    const rect = element.getBoundingClientRect();
    const height = window.visualViewport?.height ?? window.innerHeight;
    return rect.top >= 0 && rect.bottom <= height + 1 && rect.height > 0;
  });
}

/** Whether a person sees the words (not only a screen reader: visually hidden text is 1 px). */
const seen = (locator: Locator) => locator.evaluate((element) => element.getBoundingClientRect().height > 2);

const focusedName = (page: Page) =>
  page.evaluate(() => {
    const element = document.activeElement as HTMLElement | null;
    return `${element?.getAttribute('role') ?? element?.tagName.toLowerCase()}: ${element?.innerText?.trim() ?? ''}`;
  });

async function checkLook(page: Page, name: string): Promise<void> {
  await screenshot(page, name, false);
  await expectNoSidewaysScroll(page);
  expect(await inView(composer(page)), `${name}: the message box is on screen`).toBe(true);
  await expectNoAxeViolations(page);
}

describe('the room screen', () => {
  it('opens at the first unread message, keeps the box in sight, and works by keyboard', async () => {
    const url = platform().url;
    const wren: Member = await registerMember(url, newUsername());
    await joinRoom(url, wren, room);
    const wrenName = (
      (await (await fetch(`${url}/api/me`, { headers: { cookie: wren.cookie } })).json()) as {
        user: { displayName: string };
      }
    ).user.displayName;
    const socket = await ChatSocket.connect(url, wren);
    sockets.push(socket);
    await socket.subscribe(room);

    const { page, errors } = await openPage({ viewport: phone, colorScheme: 'light' });
    const registered = await page.request.post(`${url}/api/auth/register`, {
      data: { username: newUsername(), password, displayName: 'Robin' },
      headers: { origin: url },
    });
    expect(registered.status(), await registered.text()).toBe(201);
    await send(page, 'POST', `/api/rooms/${room}/join`, { acceptRules: true });

    // Three messages close together: one name over them. Robin has read up to here.
    const read = await write(socket, ['Early one', 'Early two', 'Early three']);
    await send(page, 'PUT', `/api/rooms/${room}/read`, { seq: read });
    // Then a long stretch while she is away.
    await write(
      socket,
      Array.from({ length: 24 }, (_, i) => `While you were away ${i + 1}`),
    );

    // She opens the room from the list of rooms.
    await visit(page, '/rooms', errors);
    await page.getByRole('link', { name: 'Mothers', exact: true }).click();
    await composer(page).waitFor();
    const divider = page.getByText('New since you left', { exact: true });
    await divider.waitFor();
    await expect.poll(() => inView(message(page, 'While you were away 1').first())).toBe(true);
    expect(await inView(divider)).toBe(true);
    expect(await inView(composer(page))).toBe(true);
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Mothers');
    // The head says who is here now (Wren's socket and Robin's own).
    await page.getByText(/^\d+ here now$/).waitFor();

    // One person's messages close together: the name once, under a separator for the day.
    const early = ['Early one', 'Early two', 'Early three'].map((text) => message(page, text));
    expect(await seen(early[0]!.locator('header'))).toBe(true);
    expect(await seen(early[1]!.locator('header'))).toBe(false);
    expect(await seen(early[2]!.locator('header'))).toBe(false);
    expect(await early[1]!.getAttribute('aria-labelledby')).toContain('author-');
    expect(await page.locator('.day').first().innerText()).toBe('Today');
    await checkLook(page, 'room-screen-phone-light');

    // From the top of the room, the message box is at most three Tab presses away.
    await page.getByRole('heading', { level: 1 }).focus();
    const presses: string[] = [];
    for (let i = 0; i < 3 && !(await composer(page).evaluate((box) => box === document.activeElement)); i += 1) {
      await page.keyboard.press('Tab');
      presses.push(await focusedName(page));
    }
    expect(await composer(page).evaluate((box) => box === document.activeElement), presses.join(' | ')).toBe(true);

    // She writes with the on-screen keyboard up: the box stays above it, and what she sends appears.
    await composer(page).fill('Thank you for being here tonight.');
    await page.setViewportSize({ width: phone.width, height: 420 });
    await expect.poll(() => inView(composer(page))).toBe(true);
    await page.keyboard.press('Enter');
    await message(page, 'Thank you for being here tonight.').waitFor();
    expect(await inView(composer(page))).toBe(true);
    expect(await inView(message(page, 'Thank you for being here tonight.'))).toBe(true);
    await screenshot(page, 'room-screen-phone-keyboard', false);
    // Read to the end: her place on the server moves there, so her other screens show nothing unread.
    await expect
      .poll(async () => (await send<{ room: { unread: number } }>(page, 'GET', `/api/rooms/${room}`)).room.unread)
      .toBe(0);
    await page.setViewportSize(phone);

    // A message's More menu, by keyboard: back into the list, to one of Wren's messages, into its buttons.
    await page.keyboard.press('Shift+Tab');
    expect(await focusedName(page)).toContain('article');
    await page.keyboard.press('Home');
    await expect.poll(() => focusedName(page)).toContain('Early one');
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => focusedName(page)).toContain('Early two');
    const target = message(page, 'Early two');
    await page.keyboard.press('Enter');
    expect(await focusedName(page)).toBe('button: Love');
    for (let i = 0; i < 4; i += 1) await page.keyboard.press('Tab');
    const more = target.getByRole('button', { name: `More for ${wrenName}’s message` });
    expect(await more.evaluate((button) => button === document.activeElement)).toBe(true);
    expect(await more.getAttribute('aria-haspopup')).toBe('menu');

    // Open, move, choose a reaction: the menu closes and focus comes back to More.
    await page.keyboard.press('Enter');
    const menu = target.getByRole('menu');
    await menu.waitFor();
    expect(await more.getAttribute('aria-expanded')).toBe('true');
    expect(await focusedName(page)).toBe('menuitemcheckbox: Love');
    await page.keyboard.press('ArrowDown');
    expect(await focusedName(page)).toBe('menuitemcheckbox: Hug');
    await page.keyboard.press('Enter');
    await menu.waitFor({ state: 'detached' });
    expect(await more.evaluate((button) => button === document.activeElement)).toBe(true);
    const hug = target.getByRole('button', { name: 'Hug' });
    await expect.poll(() => hug.getAttribute('aria-pressed')).toBe('true');
    await expect.poll(() => hug.innerText()).toMatch(/^Hug\s*1$/);

    // Escape closes the menu and gives focus back; Up opens it at its last item.
    await page.keyboard.press('ArrowUp');
    await menu.waitFor();
    expect(await focusedName(page)).toBe(`menuitem: Block ${wrenName}`);
    await page.keyboard.press('Escape');
    await menu.waitFor({ state: 'detached' });
    expect(await more.evaluate((button) => button === document.activeElement)).toBe(true);

    // Report, from the menu: the dialog's "Send report" is on a phone's screen, not cut off below it.
    await page.keyboard.press('Enter');
    await menu.waitFor();
    while (!(await focusedName(page)).startsWith('menuitem: Report message')) await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: `Report ${wrenName}’s message` });
    await dialog.waitFor();
    await dialog.getByLabel('Something else').check();
    const sendReport = dialog.getByRole('button', { name: 'Send report' });
    await sendReport.scrollIntoViewIfNeeded();
    expect(await inView(sendReport)).toBe(true);
    await screenshot(page, 'room-screen-phone-report', false);
    await sendReport.press('Enter');
    await dialog.getByText('Thank you — a moderator will look at it.').waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await more.evaluate((button) => button === document.activeElement)).toBe(true);

    // Dark, on the same page.
    await page.emulateMedia({ colorScheme: 'dark' });
    await checkLook(page, 'room-screen-phone-dark');

    // A wide screen: the conversation fills the window's height, the box at its foot.
    await page.setViewportSize(desktop);
    await expect.poll(() => inView(composer(page))).toBe(true);
    const foot = await page.locator('form.composer').evaluate((form) => form.getBoundingClientRect().bottom);
    expect(foot).toBeGreaterThan(desktop.height - 24);
    const history = await page.getByRole('region', { name: 'Messages in Mothers' }).boundingBox();
    expect(history?.height ?? 0).toBeGreaterThan(desktop.height / 2);
    await checkLook(page, 'room-screen-desktop-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await checkLook(page, 'room-screen-desktop-light');

    expect(errors).toEqual([]);
  });
});
