// Unread across devices, in real Chromium: a member with Kindred open on a phone (390×844, light) and a
// laptop (1280×800, dark) sees on /rooms how many messages wait in each room she joined, and the total in
// the page title; reading the room on the phone clears both on the laptop, live, with no reload. Every page
// passes axe in both variants, with no console errors and nothing to scroll sideways.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { expectNoAxeViolations, expectNoSidewaysScroll, screenshot, useBrowserPlatform } from '../support/browser.ts';
import { ChatSocket, joinRoom, registerMember, runTag } from '../support/chat.ts';

const password = 'quiet harbour lantern morning';
const { platform, openPage, visit, send, newUsername } = useBrowserPlatform({
  env: { REGISTER_LIMIT_PER_HOUR: '1000' },
});

async function signIn(page: Page, how: 'register' | 'login', username: string): Promise<void> {
  const path = how === 'register' ? '/api/auth/register' : '/api/auth/login';
  const answer = await page.context().request.post(`${platform().url}${path}`, {
    headers: { origin: platform().url },
    data: { username, password },
  });
  expect(answer.status(), await answer.text()).toBe(how === 'register' ? 201 : 200);
}

/** The room's card on /rooms, found by its heading. */
const card = (page: Page, name: string) => page.getByRole('article', { name });

describe('unread across devices', () => {
  it('shows what waits on /rooms and in the title, and reading on the phone clears the laptop', async () => {
    const slug = 'partners';
    const phone = await openPage({ colorScheme: 'light', viewport: { width: 390, height: 844 }, isMobile: true });
    const laptop = await openPage({ colorScheme: 'dark', viewport: { width: 1280, height: 800 } });
    const username = newUsername();
    await signIn(phone.page, 'register', username);
    await signIn(laptop.page, 'login', username);
    await send(phone.page, 'POST', `/api/rooms/${slug}/join`, { acceptRules: true });
    const { room } = await send<{ room: { name: string } }>(phone.page, 'GET', `/api/rooms/${slug}`);

    // Someone else writes three messages while she is away.
    const writer = await registerMember(platform().url, `writer_${runTag()}`);
    await joinRoom(platform().url, writer, slug);
    const socket = await ChatSocket.connect(platform().url, writer);
    try {
      await socket.subscribe(slug);
      for (let i = 0; i < 3; i += 1) {
        const clientId = `unread-${runTag()}-${i}`;
        socket.send({ type: 'send', room: slug, clientId, body: `Thinking of you all tonight (${i + 1}).` });
        await socket.next((f) => f.type === 'ack' && f.clientId === clientId, 15_000);
      }
    } finally {
      socket.close();
    }

    // The laptop's rooms list says how many wait, and the title carries the total.
    await visit(laptop.page, '/rooms', laptop.errors);
    const laptopCard = card(laptop.page, room.name);
    await laptopCard.getByText('3 new messages').waitFor();
    expect(await laptop.page.title()).toBe('(3) Rooms — Kindred');
    await expectNoAxeViolations(laptop.page);
    await expectNoSidewaysScroll(laptop.page);
    await screenshot(laptop.page, 'unread-rooms-1280-dark');

    // The same on the phone, before she opens the room.
    await visit(phone.page, '/rooms', phone.errors);
    await card(phone.page, room.name).getByText('3 new messages').waitFor();
    expect(await phone.page.title()).toBe('(3) Rooms — Kindred');
    await expectNoAxeViolations(phone.page);
    await expectNoSidewaysScroll(phone.page);
    await screenshot(phone.page, 'unread-rooms-390-light');

    // She opens the room on the phone and reads: the laptop clears, live.
    await card(phone.page, room.name).getByRole('link', { name: room.name }).click();
    await phone.page.waitForURL(`${platform().url}/rooms/${slug}`);
    await phone.page.getByText('Thinking of you all tonight (3).').waitFor();
    await laptopCard.getByText('3 new messages').waitFor({ state: 'detached', timeout: 15_000 });
    await laptop.page.waitForFunction(() => document.title === 'Rooms — Kindred', undefined, { timeout: 15_000 });
    await expectNoAxeViolations(phone.page);
    await expectNoAxeViolations(laptop.page);
    await screenshot(laptop.page, 'unread-rooms-cleared-1280-dark');

    // Being seen is hers to choose, off until she does.
    await visit(laptop.page, '/settings', laptop.errors);
    const seen = laptop.page.getByRole('checkbox', { name: 'Show my name to members of a room while I have it open' });
    expect(await seen.isChecked()).toBe(false);
    await seen.check();
    await laptop.page
      .getByRole('region', { name: 'Being seen in rooms' })
      .getByRole('button', { name: 'Save' })
      .click();
    await laptop.page.getByText('Saved. While you have a room open, its members can see your name').waitFor();
    const { user } = await send<{ user: { showPresence: boolean } }>(laptop.page, 'GET', '/api/me');
    expect(user.showPresence).toBe(true);
    await expectNoAxeViolations(laptop.page);
    await screenshot(laptop.page, 'unread-settings-presence-1280-dark');

    expect(phone.errors).toEqual([]);
    expect(laptop.errors).toEqual([]);
  });
});
