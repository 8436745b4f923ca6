// The chat journey through the started platform in real Chromium: two members in one room talk, reply,
// react, edit and delete; one of them loses the network mid-conversation, writes anyway, and comes back;
// both end up seeing the same conversation — every message once, in the same order. The room page with
// messages passes axe in light, dark and on a small phone, and a screen reader hears the other member.
import type { BrowserContext, BrowserContextOptions, Locator, Page, WebSocketRoute } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { expectNoAxeViolations, expectNoSidewaysScroll, screenshot, useBrowserPlatform } from '../support/browser.ts';

const password = 'quiet harbour lantern morning';
const room = 'mothers';
/** Rooms of their own for the other tests, so their messages don't mix with the first test's. */
const longRoom = 'delayed-grief';
const quietRoom = 'partners';

const { platform, openPage, visit, newUsername } = useBrowserPlatform({
  env: { REGISTER_LIMIT_PER_HOUR: '1000', MESSAGE_LIMIT_PER_MINUTE: '1000' },
  usernamePrefix: 'chat',
});

interface Member {
  context: BrowserContext;
  page: Page;
  errors: string[];
  displayName: string;
}

/**
 * A new member in their own browser, signed in and in the room: registered through the API from inside
 * the browser context (so the session cookie is the context's), then joined through the room page.
 */
async function memberInRoom(displayName: string, options: BrowserContextOptions = {}, slug = room): Promise<Member> {
  const { page, errors } = await openPage(options);
  const registered = await page.request.post(`${platform().url}/api/auth/register`, {
    data: { username: newUsername(), password, displayName },
    headers: { origin: platform().url },
  });
  expect(registered.status(), await registered.text()).toBe(201);

  await visit(page, `/rooms/${slug}`, errors);
  await page.getByLabel('I have read these rules and will keep them').check();
  await page.getByRole('button', { name: 'Join this room' }).click();
  await composer(page).waitFor();
  return { context: page.context(), page, errors, displayName };
}

/** Opens (or reloads) a room page for a member and waits for its h1. */
async function openRoom(who: Member, slug = room): Promise<void> {
  await visit(who.page, `/rooms/${slug}`, who.errors);
}

const composer = (page: Page) => page.getByLabel('Write to the room', { exact: true });
const messages = (page: Page) => page.locator('article.message');
const unsent = (page: Page) => page.locator('article.unsent');
const message = (page: Page, text: string) => messages(page).filter({ hasText: text });
const liveRegion = (page: Page) => page.locator('section.chat [aria-live="polite"]');

async function write(page: Page, text: string): Promise<void> {
  await composer(page).fill(text);
  await composer(page).press('Enter');
}

/** The conversation as a member sees it: each message's seq and words (or its placeholder), in page order. */
function conversation(page: Page): Promise<string[]> {
  return messages(page).evaluateAll((elements) =>
    elements.map((element) => {
      const words = element.querySelector('.card-body, .placeholder')?.textContent?.trim() ?? '';
      return `${(element as HTMLElement).dataset.seq}: ${words}`;
    }),
  );
}

const focused = (page: Page) =>
  page.evaluate(() => {
    const element = document.activeElement;
    return { tag: element?.tagName.toLowerCase(), id: element?.id, text: element?.textContent?.trim() };
  });

/** A reaction's words and count as shown on its button ("Hug 1"). */
async function reactionLabel(item: Locator, label: string): Promise<string> {
  return (await item.getByRole('button', { name: new RegExp(`^${label}\\b`) }).innerText()).replace(/\s+/g, ' ');
}

/** Chooses an action from a message's More menu. */
async function fromMore(item: Locator, action: string): Promise<void> {
  // The first of the messages found: a later one may quote the same words.
  await item
    .getByRole('button', { name: /^More for / })
    .first()
    .click();
  await item.getByRole('menuitem', { name: action, exact: true }).first().click();
}

describe('a conversation between two members', () => {
  it('stays the same for both through replies, reactions, edits, deletes and a dropped connection', async () => {
    const ash = await memberInRoom('Ash', { colorScheme: 'light' });
    const robin = await memberInRoom('Robin', { colorScheme: 'dark' });
    // Robin joined after Ash opened the room: both start from a fresh page of the room.
    await openRoom(ash);
    await composer(ash.page).waitFor();

    // Ash writes, by keyboard: Enter sends, and the cursor stays in the box for the next line.
    await composer(ash.page).focus();
    await ash.page.keyboard.type('It has been three weeks.');
    await ash.page.keyboard.press('Shift+Enter');
    await ash.page.keyboard.type('Some days are quieter than others.');
    await ash.page.keyboard.press('Enter');
    await message(ash.page, 'three weeks').waitFor();
    expect(await composer(ash.page).inputValue()).toBe('');
    expect(await focused(ash.page)).toMatchObject({ id: `message-box-${room}` });

    // Robin sees it with its line break, and a screen reader hears it; Ash's own message is not announced to Ash.
    const first = message(robin.page, 'three weeks');
    await first.waitFor();
    expect(await first.locator('.card-body').innerText()).toBe(
      'It has been three weeks.\nSome days are quieter than others.',
    );
    expect(await first.locator('.card-author').textContent()).toBe('Ash');
    expect(await first.locator('time').getAttribute('datetime')).toMatch(/^\d{4}-\d\d-\d\dT/);
    await expect
      .poll(() => liveRegion(robin.page).textContent())
      .toContain('New message from Ash: It has been three weeks. Some days are quieter than others.');
    expect(await liveRegion(ash.page).textContent()).toBe('');

    // Robin replies to it.
    await fromMore(first, 'Reply');
    expect(await focused(robin.page)).toMatchObject({ id: `message-box-${room}` });
    const cancelReply = robin.page.getByRole('button', { name: 'Cancel reply to Ash' });
    await cancelReply.waitFor();
    await write(robin.page, 'I am here. Three weeks is no time at all.');
    const reply = message(ash.page, 'no time at all');
    await reply.waitFor();
    await reply.getByRole('link', { name: /^Replying to you: It has been three weeks/ }).waitFor();
    expect(await cancelReply.count()).toBe(0);

    // Ash answers with a hug; Robin sees the count, and Ash's button says it is pressed.
    const hug = reply.getByRole('button', { name: /^Hug/ });
    expect(await hug.getAttribute('aria-pressed')).toBe('false');
    await hug.click();
    await expect.poll(() => reactionLabel(reply, 'Hug')).toBe('Hug 1');
    expect(await hug.getAttribute('aria-pressed')).toBe('true');
    await expect.poll(() => reactionLabel(message(robin.page, 'no time at all'), 'Hug')).toBe('Hug 1');

    // Robin's network goes. Robin writes twice anyway: both wait, kept, and say so.
    await robin.context.setOffline(true);
    await robin.page.getByRole('status').filter({ hasText: "You're offline" }).waitFor();
    await write(robin.page, 'Writing this from the train, no signal.');
    await write(robin.page, 'I will send it when I can.');
    await expect.poll(() => unsent(robin.page).count()).toBe(2);
    expect(await unsent(robin.page).first().textContent()).toContain('Not sent yet — we kept it here');
    await unsent(robin.page).first().getByRole('button', { name: 'Retry sending' }).waitFor();
    await unsent(robin.page).first().getByRole('button', { name: 'Remove this message' }).waitFor();
    await screenshot(robin.page, 'chat-offline-dark');

    // Meanwhile Ash writes.
    await write(ash.page, 'Thinking of you both tonight.');
    await message(ash.page, 'tonight').waitFor();

    // The network comes back: what waited is sent once, and Robin catches up with what was missed.
    await robin.context.setOffline(false);
    await expect.poll(() => unsent(robin.page).count(), { timeout: 15_000 }).toBe(0);
    await message(robin.page, 'tonight').waitFor();
    await message(ash.page, 'I will send it when I can.').waitFor();
    const missed = robin.page.locator('li', { has: message(robin.page, 'tonight') }).locator('.divider');
    expect(await missed.textContent()).toBe('New since you left');
    await screenshot(robin.page, 'chat-caught-up-dark');

    const expected = [
      'It has been three weeks.',
      'I am here. Three weeks is no time at all.',
      'Writing this from the train, no signal.',
      'I will send it when I can.',
      'Thinking of you both tonight.',
    ];
    await expect.poll(() => messages(ash.page).count()).toBe(expected.length);
    await expect.poll(() => messages(robin.page).count()).toBe(expected.length);
    const seen = await conversation(ash.page);
    expect(await conversation(robin.page)).toEqual(seen);
    expect(new Set(seen).size).toBe(expected.length);
    // Robin's two come in the order written; Ash's, written while Robin was away, may come before or after.
    const order = seen.map((line) => expected.findIndex((text) => line.includes(text.split('\n')[0]!)));
    expect(order.filter((index) => index !== 4)).toEqual([0, 1, 2, 3]);

    // Ash edits the first message, from the keyboard: Enter saves, focus returns to its More button.
    const mine = message(ash.page, 'three weeks');
    await fromMore(mine, 'Edit');
    const editBox = ash.page.getByLabel('Edit your message', { exact: true });
    expect(await focused(ash.page)).toMatchObject({ tag: 'textarea' });
    await editBox.fill('It has been three weeks today.');
    await editBox.press('Enter');
    await message(ash.page, 'three weeks today').locator('.edited').waitFor();
    // The edit shows when its event arrives; focus returns when the server has answered, a moment later.
    await expect.poll(() => focused(ash.page)).toMatchObject({ tag: 'button', text: 'More for your message' });
    const edited = message(robin.page, 'three weeks today');
    await edited.locator('.edited').waitFor();
    expect(await edited.locator('.edited').textContent()).toBe('(edited)');

    // Ash deletes the last message, after saying yes; the placeholder keeps its place and takes focus.
    const last = message(ash.page, 'tonight');
    await fromMore(last, 'Delete');
    await last.getByText('Delete this message?').waitFor();
    await last.getByRole('button', { name: 'Delete message' }).click();
    await message(ash.page, 'This message was deleted.').waitFor();
    await expect.poll(() => focused(ash.page)).toMatchObject({ tag: 'article' });
    await message(robin.page, 'This message was deleted.').waitFor();
    expect(await message(robin.page, 'tonight').count()).toBe(0);
    await expect.poll(() => messages(robin.page).count()).toBe(expected.length);
    expect(await conversation(robin.page)).toEqual(await conversation(ash.page));

    // The reply quote leads to the original.
    await message(ash.page, 'no time at all')
      .getByRole('link', { name: /^Replying to you/ })
      .click();
    await expect
      .poll(() => focused(ash.page))
      .toMatchObject({ tag: 'article', id: expect.stringMatching(/^message-/) });

    // Everything also survives a reload: same conversation, nothing left waiting.
    await openRoom(robin);
    await expect.poll(() => messages(robin.page).count()).toBe(expected.length);
    expect(await conversation(robin.page)).toEqual(await conversation(ash.page));
    expect(await unsent(robin.page).count()).toBe(0);

    // The room with a conversation in it reads well and passes axe: light, dark, and on a small phone.
    await screenshot(ash.page, 'chat-light');
    await expectNoAxeViolations(ash.page);
    await screenshot(robin.page, 'chat-dark');
    await expectNoAxeViolations(robin.page);
    await ash.page.setViewportSize({ width: 360, height: 740 });
    await expectNoSidewaysScroll(ash.page);
    await screenshot(ash.page, 'chat-360px');
    await expectNoAxeViolations(ash.page);

    expect(ash.errors).toEqual([]);
    expect(robin.errors).toEqual([]);
  });
});

describe('a long conversation', () => {
  it('opens at the newest messages and loads older ones above without moving what is being read', async () => {
    const sol = await memberInRoom('Sol', { colorScheme: 'light' }, longRoom);
    // Seventy messages, sent over a socket of the test's own from inside Sol's browser (cookie and Origin included).
    const acks = await sol.page.evaluate(
      async ({ slug, count }) => {
        const socket = new WebSocket(`${location.origin.replace('http', 'ws')}/api/ws`);
        await new Promise((resolve) => socket.addEventListener('open', resolve, { once: true }));
        const acked = new Promise<number>((resolve) => {
          let n = 0;
          socket.addEventListener('message', (event) => {
            if ((JSON.parse(String(event.data)) as { type: string }).type === 'ack' && ++n === count) resolve(n);
          });
        });
        for (let i = 1; i <= count; i += 1) {
          socket.send(JSON.stringify({ type: 'send', room: slug, clientId: `note-${i}`, body: `Note ${i}` }));
        }
        const n = await acked;
        socket.close();
        return n;
      },
      { slug: longRoom, count: 70 },
    );
    expect(acks).toBe(70);

    await openRoom(sol, longRoom);
    await message(sol.page, 'Note 70').waitFor();
    // The newest page of 50; on a slow machine the list may reach its top before the room is fitted to the
    // window, and then it fetches the page before at once (all 70).
    const shownFirst = await messages(sol.page).count();
    expect([50, 70]).toContain(shownFirst);
    const history = sol.page.getByRole('region', { name: /^Messages in / });
    // It opens at the end: the newest message is in view.
    await expect
      .poll(() => history.evaluate((element) => element.scrollHeight - element.scrollTop - element.clientHeight))
      .toBeLessThan(2);

    // Scrolling to the top brings the older twenty; the words that were at the top stay where they were
    // (the message itself may lose its name line, joining its writer's group above).
    if (shownFirst === 50) {
      const reading = message(sol.page, 'Note 21').locator('.card-body');
      await history.evaluate((element) => (element.scrollTop = 0));
      const before = await reading.evaluate((element) => element.getBoundingClientRect().top);
      await expect.poll(() => messages(sol.page).count()).toBe(70);
      await sol.page.getByText('This is the beginning of the conversation.').waitFor();
      const after = await reading.evaluate((element) => element.getBoundingClientRect().top);
      // Within 8 px: up to ~6 px was seen when "This is the beginning of the conversation" takes the place of
      // the control for earlier messages in a later frame than the anchor's correction (a known jitter).
      expect(Math.abs(after - before)).toBeLessThan(8);
    } else {
      await sol.page.getByText('This is the beginning of the conversation.').waitFor();
    }

    const notes = await messages(sol.page).locator('.card-body').allTextContents();
    expect(notes).toEqual(Array.from({ length: 70 }, (_, i) => `Note ${i + 1}`));
    expect(sol.errors).toEqual([]);
  });
});

describe('a connection that drops', () => {
  it('says so quietly, keeps what is written through a reload, and sends it once when the server is back', async () => {
    const carol = await memberInRoom('Carol', { colorScheme: 'light' }, quietRoom);
    // From here on the tab's socket goes through a route the test can cut, and refuse while "blocked".
    let blocked = false;
    const live: WebSocketRoute[] = [];
    await carol.context.routeWebSocket(/\/api\/ws$/, (ws) => {
      if (blocked) {
        void ws.close({ code: 1011, reason: 'unavailable' });
        return;
      }
      ws.connectToServer();
      live.push(ws);
    });
    await openRoom(carol, quietRoom);
    await write(carol.page, 'Before the line went quiet.');
    await message(carol.page, 'Before the line went quiet.').waitFor();

    blocked = true;
    await Promise.all(live.splice(0).map((ws) => ws.close({ code: 1001, reason: 'going away' })));
    await carol.page.getByRole('status').filter({ hasText: 'Reconnecting…' }).waitFor();
    await write(carol.page, 'Written while the server was out of reach.');
    await unsent(carol.page).filter({ hasText: 'Not sent yet — we kept it here' }).waitFor();
    await screenshot(carol.page, 'chat-reconnecting');

    // A reload, like a closed tab, loses nothing: the words wait in this browser.
    await openRoom(carol, quietRoom);
    await unsent(carol.page).filter({ hasText: 'Written while the server was out of reach.' }).waitFor();
    await message(carol.page, 'Before the line went quiet.').waitFor();
    expect(await messages(carol.page).count()).toBe(1);

    blocked = false;
    await expect.poll(() => unsent(carol.page).count(), { timeout: 20_000 }).toBe(0);
    await message(carol.page, 'Written while the server was out of reach.').waitFor();
    expect(await messages(carol.page).count()).toBe(2);
    expect(await carol.page.getByText('Reconnecting…').count()).toBe(0);

    // The server has it exactly once.
    const history = await carol.page.request.get(`${platform().url}/api/rooms/${quietRoom}/messages`);
    const { messages: stored } = (await history.json()) as { messages: { body: string }[] };
    expect(stored.map((entry) => entry.body)).toEqual([
      'Before the line went quiet.',
      'Written while the server was out of reach.',
    ]);
    expect(carol.errors).toEqual([]);
  });
});

describe('words that suggest risk', () => {
  it('show the writer crisis lines at once and privately, while the message is sent as written', async () => {
    const writer = await memberInRoom('Ash', {}, 'faith-and-meaning');
    const chosen = await writer.page.request.patch(`${platform().url}/api/me`, {
      data: { country: 'GB' },
      headers: { origin: platform().url },
    });
    expect(chosen.status()).toBe(200);
    await openRoom(writer, 'faith-and-meaning');
    await composer(writer.page).waitFor();
    const other = await memberInRoom('Bea', {}, 'faith-and-meaning');
    await write(writer.page, 'since the scan I just want to die, I cant keep going');
    const panel = writer.page.getByRole('complementary', { name: 'You don’t have to carry this alone' });
    await panel.waitFor({ timeout: 10_000 });
    await expect.poll(() => panel.locator('a[href="tel:116123"]').count()).toBe(1);
    await expect.poll(() => panel.locator('a[href="tel:999"]').count()).toBe(1);
    await message(other.page, 'I just want to die').waitFor({ timeout: 10_000 });
    expect(await other.page.getByRole('complementary', { name: 'You don’t have to carry this alone' }).count()).toBe(0);
    await expectNoAxeViolations(writer.page);
    await screenshot(writer.page, 'chat-crisis-lines');
    await panel.getByRole('button', { name: 'Close this' }).click();
    await expect.poll(() => panel.count()).toBe(0);
    expect(writer.errors).toEqual([]);
  });
});
