// The moderation journey through the started platform in real Chromium: an admin appoints a volunteer
// moderator; one member writes in the room and another reports it; the moderator finds it in the queue,
// reads it in its conversation and hides it with a reason; the writer is told privately, on the notices
// page, and the reporter no longer sees the words. The moderator's room tools (duty, slow mode, pausing)
// and the log; the page for members who don't moderate. The queue (opened), the log, the room tools and
// the notices pass axe in light, dark and on a small phone, with no console errors.
import type { Message } from '@kindred/shared';
import type { BrowserContextOptions, Locator, Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  expectNoAxeViolations,
  expectNoSidewaysScroll,
  httpError,
  screenshot,
  useBrowserPlatform,
} from '../support/browser.ts';
import { ChatSocket, joinRoom, registerMember, runTag, api as nodeApi, type Member } from '../support/chat.ts';

const password = 'quiet harbour lantern morning';
const adminUsername = `admin_${Date.now().toString(36)}`;

const { platform, openPage, visit, newUsername } = useBrowserPlatform({
  env: { REGISTER_LIMIT_PER_HOUR: '1000', LOGIN_LIMIT_PER_15MIN: '1000' },
  usernamePrefix: 'mod',
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
  displayName: string;
}

/** Someone in their own browser, signed in through the API from inside it (so the cookie is the context's). */
async function person(
  how: 'register' | 'login',
  options: BrowserContextOptions = {},
  displayName?: string,
  username = newUsername(),
): Promise<Person> {
  const { page, errors } = await openPage(options);
  const path = how === 'register' ? '/api/auth/register' : '/api/auth/login';
  const answer = await page.request.post(`${platform().url}${path}`, {
    headers: { origin: platform().url },
    data: { username, password, ...(displayName ? { displayName } : {}) },
  });
  expect(answer.status(), await answer.text()).toBe(how === 'register' ? 201 : 200);
  const { user } = (await answer.json()) as { user: { id: string; displayName: string } };
  return { page, errors, id: user.id, displayName: user.displayName };
}

/** A state-changing API call from inside a person's browser, with their cookie and Kindred's Origin. */
async function send(who: Person, method: 'POST' | 'PUT', path: string, data?: unknown): Promise<void> {
  const answer = await who.page.request.fetch(`${platform().url}${path}`, {
    method,
    headers: { origin: platform().url },
    ...(data === undefined ? {} : { data }),
  });
  expect(answer.status(), `${method} ${path}: ${await answer.text()}`).toBeLessThan(300);
}

/** A member of `slug` whom the admin appoints as its volunteer moderator. */
async function moderatorOf(slug: string, options: BrowserContextOptions = {}, displayName = 'Mina'): Promise<Person> {
  const moderator = await person('register', options, displayName);
  await send(moderator, 'POST', `/api/rooms/${slug}/join`, { acceptRules: true });
  const admin = await person('login', {}, undefined, adminUsername);
  await send(admin, 'PUT', `/api/rooms/${slug}/moderators/${moderator.id}`);
  return moderator;
}

/** A member outside any browser who writes `body` in the room over the chat socket, as a tab would. */
async function messageFromNode(
  slug: string,
  body: string,
  displayName: string,
): Promise<{ author: Member; message: Message }> {
  const author = await registerMember(platform().url, `node_${runTag()}_${newUsername()}`.slice(0, 32));
  const renamed = await nodeApi(platform().url, '/api/me', { method: 'PATCH', member: author, body: { displayName } });
  expect(renamed.status, await renamed.text()).toBe(200);
  await joinRoom(platform().url, author, slug);
  const socket = await ChatSocket.connect(platform().url, author);
  openSockets.push(socket);
  const clientId = `c-${runTag()}`;
  socket.send({ type: 'send', room: slug, clientId, body });
  const ack = await socket.next((frame) => frame.clientId === clientId, 10_000);
  expect(ack.type, JSON.stringify(ack)).toBe('ack');
  return { author, message: ack.message as Message };
}

/** Reports a message as spam, as a member in the room would, over HTTP. */
async function reportFromNode(slug: string, messageId: string, note?: string): Promise<void> {
  const reporter = await registerMember(platform().url, `rep_${runTag()}_${newUsername()}`.slice(0, 32));
  await joinRoom(platform().url, reporter, slug);
  const answer = await nodeApi(platform().url, '/api/reports', {
    member: reporter,
    body: { target: { type: 'message', id: messageId }, reason: 'spam', ...(note ? { note } : {}) },
  });
  expect(answer.status, await answer.text()).toBe(201);
}

const nav = (page: Page) => page.getByRole('navigation', { name: 'Main' });
const composer = (page: Page) => page.getByLabel('Write to the room', { exact: true });
const chatMessage = (page: Page, text: string) => page.locator('article.message').filter({ hasText: text });
const queueItem = (page: Page, title: string | RegExp) => page.getByRole('article', { name: title });

/** The error message shown beside an input, once it is there: the control is described by it. */
async function errorBeside(control: Locator): Promise<string> {
  const page = control.page();
  await control.and(page.locator('[aria-describedby*="-error"]')).waitFor();
  const describedBy = (await control.getAttribute('aria-describedby')) ?? '';
  const errorId = describedBy.split(' ').find((id) => id.endsWith('-error'));
  return (await page.locator(`[id="${errorId}"]`).textContent())?.trim() ?? '';
}

describe('a reported message', () => {
  it('is found by the room’s moderator, hidden with a reason, and its writer is told privately', async () => {
    const slug = 'family-and-friends';
    const words = `My sister keeps posting bump photos at me ${runTag()}`;
    const moderator = await moderatorOf(slug, { colorScheme: 'light' });
    const writer = await person('register', { colorScheme: 'light' }, 'Wren');
    const reporter = await person('register', { colorScheme: 'light' }, 'Sol');

    // Wren joins and writes through the room page.
    await visit(writer.page, `/rooms/${slug}`, writer.errors);
    await writer.page.getByLabel('I have read these rules and will keep them').check();
    await writer.page.getByRole('button', { name: 'Join this room' }).click();
    await composer(writer.page).fill(words);
    await composer(writer.page).press('Enter');
    await chatMessage(writer.page, words).waitFor();

    // Sol, in the room too, reports it: from the message's More menu.
    await send(reporter, 'POST', `/api/rooms/${slug}/join`, { acceptRules: true });
    await visit(reporter.page, `/rooms/${slug}`, reporter.errors);
    await chatMessage(reporter.page, words).waitFor();
    const more = chatMessage(reporter.page, words).getByRole('button', { name: /^More for .*’s message$/ });
    if ((await more.count()) > 0) {
      await more.click();
      await chatMessage(reporter.page, words).getByRole('menuitem', { name: 'Report message' }).click();
      const dialog = reporter.page.getByRole('dialog');
      await dialog.getByRole('group', { name: 'What is the matter?' }).getByLabel('Unkind or harassing').check();
      await dialog.getByLabel('Anything the moderators should know? (optional)').fill('It felt aimed at me.');
      await dialog.getByRole('button', { name: 'Send report' }).click();
      await dialog
        .getByText("Thank you — a moderator will look at it. The person you reported won't know it was you.")
        .waitFor();
      await dialog.getByRole('button', { name: 'Close' }).click();
    } else {
      const history = await reporter.page.request.get(`${platform().url}/api/rooms/${slug}/messages`);
      const { messages } = (await history.json()) as { messages: Message[] };
      const reported = messages.find((message) => message.body === words);
      expect(reported, 'the message Sol reports').toBeDefined();
      await send(reporter, 'POST', '/api/reports', {
        target: { type: 'message', id: reported!.id },
        reason: 'harassment',
        note: 'It felt aimed at me.',
      });
    }

    // The moderator finds it in the queue, with what the report says and never who sent it.
    await visit(moderator.page, '/moderation', moderator.errors);
    await moderator.page.getByRole('heading', { level: 2, name: 'Waiting for a look' }).waitFor();
    const item = queueItem(moderator.page, 'A message from Wren in Family and friends');
    expect(await item.textContent()).toContain('Reported once: Unkind or harassing');
    expect(await item.textContent()).toContain(words);
    await item.getByRole('button', { name: 'Look closer and act' }).click();
    expect(await item.getByRole('button', { name: 'Show less' }).getAttribute('aria-expanded')).toBe('true');
    await item.getByText('It felt aimed at me.').waitFor();
    await item.getByRole('heading', { name: 'The conversation around it' }).waitFor();
    await item.getByRole('heading', { name: 'Earlier actions about Wren' }).waitFor();
    expect(await item.textContent()).not.toContain('Sol');

    // A hide needs a reason, which Wren will read; asking without one is answered beside the box.
    await item.getByRole('group', { name: 'What will you do?' }).getByLabel('Hide the message').check();
    const reason = item.getByRole('textbox', { name: 'Your reason' });
    expect(await reason.getAttribute('aria-describedby')).toBeTruthy();
    await item.getByRole('button', { name: 'Hide the message' }).click();
    expect(await errorBeside(reason)).toBe('Please give a reason. It is kept in the log.');
    const why = 'It may hurt others here who are grieving. Please add a content note next time.';
    await reason.fill(why);
    await item.getByRole('button', { name: 'Hide the message' }).click();
    await item
      .getByRole('status')
      .filter({ hasText: 'The message is hidden. Wren has been told privately, with your reason.' })
      .waitFor();
    // The item shows what changed: hidden now, so it can be restored, and the hide is in its history.
    await item.getByLabel('Restore the message').waitFor();
    expect(await item.getByLabel('Hide the message').count()).toBe(0);
    await item.getByText('Mina hid a message').waitFor();

    // Wren is told privately: a quiet mark in the nav, and the notice with the moderator's reason.
    await writer.page.reload();
    await writer.page.locator('h1').waitFor();
    const notices = nav(writer.page).getByRole('link', { name: 'Notices 1 new' });
    await notices.waitFor();
    await chatMessage(writer.page, words)
      .getByText("A moderator has hidden this message. Only you and the room's moderators can see it.")
      .waitFor();
    await notices.click();
    await writer.page.getByRole('heading', { level: 1, name: 'Notices' }).waitFor();
    const notice = writer.page.getByRole('article', { name: /About one of your messages/ });
    expect(await notice.textContent()).toContain(`A moderator hid one of your messages. Their reason: ${why}`);
    expect(await notice.getByText('New', { exact: true }).count()).toBe(1);
    // Seen, so read: the mark goes, and the notice is no longer new next time.
    await nav(writer.page).getByRole('link', { name: 'Notices', exact: true }).waitFor();
    await writer.page.reload();
    await writer.page.getByRole('heading', { level: 1, name: 'Notices' }).waitFor();
    await writer.page.getByRole('article', { name: /About one of your messages/ }).waitFor();
    expect(await writer.page.getByText('New', { exact: true }).count()).toBe(0);

    // Sol no longer sees the words, only that a message was hidden.
    await reporter.page.reload();
    await reporter.page.locator('article.message').first().waitFor();
    await reporter.page.getByText('A moderator has hidden this message.', { exact: true }).waitFor();
    expect(await reporter.page.getByText(words).count()).toBe(0);
    const history = await reporter.page.request.get(`${platform().url}/api/rooms/${slug}/messages`);
    const { messages } = (await history.json()) as { messages: Message[] };
    const hidden = messages.find((message) => message.author?.id === writer.id);
    expect(hidden).toMatchObject({ hidden: true, body: '' });

    // Done with it: resolving closes the item, and the page says so.
    await item.getByLabel('Resolve: close this item').check();
    await item.getByRole('textbox', { name: 'Your reason' }).fill('Hidden, and Wren has been told.');
    await item.getByRole('button', { name: 'Resolve: close this item' }).click();
    await moderator.page
      .getByRole('status')
      .filter({ hasText: 'Resolved: the item is closed. Nothing else is waiting.' })
      .waitFor();
    expect(await queueItem(moderator.page, /Wren/).count()).toBe(0);
    expect(await moderator.page.evaluate(() => document.activeElement?.tagName)).toBe('H2');

    // The log keeps both, with who, what and why.
    await moderator.page.getByRole('navigation', { name: 'Moderation' }).getByRole('link', { name: 'Log' }).click();
    await moderator.page.getByRole('heading', { level: 2, name: 'Log' }).waitFor();
    const log = moderator.page.getByRole('listitem');
    await log.filter({ hasText: 'Mina hid a message in Family and friends' }).getByText(`Reason: ${why}`).waitFor();
    await log.filter({ hasText: 'Mina closed an item in the queue' }).waitFor();
    await moderator.page.getByLabel('Room', { exact: true }).selectOption(slug);
    await moderator.page.getByRole('button', { name: 'Show' }).click();
    await moderator.page.waitForURL(`${platform().url}/moderation/log?room=${slug}`);
    // Her appointment is kept in the room's log too (appointments are audited).
    await log.filter({ hasText: 'appointed a member as a moderator of the room' }).waitFor();
    await moderator.page.getByText('3 actions in Family and friends, newest first.').waitFor();

    expect(moderator.errors).toEqual([]);
    expect(writer.errors).toEqual([]);
    expect(reporter.errors).toEqual([]);
  });
});

describe('a moderator’s rooms', () => {
  it('go on duty with their name shown, slow the room down, pause it and lift a mute or a removal, each with a reason', async () => {
    const slug = 'delayed-grief';
    const moderator = await moderatorOf(slug, { colorScheme: 'dark' }, 'Ines');
    const member = await person('register', { colorScheme: 'dark' }, 'Ash');
    await send(member, 'POST', `/api/rooms/${slug}/join`, { acceptRules: true });

    await visit(moderator.page, '/moderation/rooms', moderator.errors);
    const room = moderator.page.getByRole('region', { name: 'Delayed grief and hard dates' });
    await room.getByText('No moderator is on duty here now.', { exact: false }).waitFor();
    await room.getByLabel('Let members see my name').check();
    await room.getByRole('button', { name: 'Go on duty in Delayed grief and hard dates' }).click();
    await room.getByRole('status').filter({ hasText: "You're on duty, and members can see your name." }).waitFor();
    await room.getByText("You're on duty here.", { exact: false }).waitFor();
    const seen = await member.page.request.get(`${platform().url}/api/rooms/${slug}`);
    expect(((await seen.json()) as { room: { onDuty: unknown } }).room.onDuty).toEqual({ count: 1, names: ['Ines'] });

    // Slow mode, with a reason.
    await room.getByLabel('How often may each member write?').selectOption('30');
    const slowReason = room.getByRole('textbox', { name: 'Your reason' }).first();
    await slowReason.fill('A lot is being said very fast tonight.');
    await room.getByRole('button', { name: 'Save slow mode' }).click();
    await room.getByRole('status').filter({ hasText: 'Slow mode is on: one message every 30 seconds.' }).waitFor();
    await room.getByText('Slow mode: one message every 30 seconds').waitFor();

    // Pausing without a reason is answered beside the box; with one, the room is paused for members.
    await room.getByRole('button', { name: 'Pause the room' }).click();
    expect(await errorBeside(room.getByRole('textbox', { name: 'Your reason' }).last())).toBe(
      'Please give a reason. It is kept in the log.',
    );
    await room.getByRole('textbox', { name: 'Your reason' }).last().fill('Letting things settle for an hour.');
    await room.getByRole('button', { name: 'Pause the room' }).click();
    await room.getByRole('status').filter({ hasText: 'The room is paused.' }).waitFor();
    await room.getByRole('button', { name: 'Open the room again' }).waitFor();

    await visit(member.page, `/rooms/${slug}`, member.errors);
    await member.page.getByText('This room is paused by its moderators for now. You can still read it.').waitFor();

    await room.getByRole('button', { name: 'Go off duty in Delayed grief and hard dates' }).click();
    await room.getByRole('status').filter({ hasText: "You're off duty. Thank you for your time here." }).waitFor();

    // A mute and a removal are listed where they can be lifted, each asking first and keeping a reason.
    const about = { target: { type: 'user', id: member.id }, room: slug };
    await send(moderator, 'POST', '/api/moderation/actions', {
      ...about,
      action: 'mute',
      durationMinutes: 60,
      reason: 'A pause.',
    });
    await send(moderator, 'POST', '/api/moderation/actions', { ...about, action: 'remove_from_room', reason: 'Spam.' });
    await visit(moderator.page, '/moderation/rooms', moderator.errors);
    await room.getByText('Ash is muted until', { exact: false }).waitFor();
    await room.getByRole('button', { name: 'Lift Ash’s mute…' }).click();
    await room.getByRole('heading', { name: 'Lift Ash’s mute?' }).waitFor();
    await room.getByRole('textbox', { name: 'Your reason' }).last().fill('We talked, and it was a misunderstanding.');
    await room.getByRole('button', { name: 'Lift the mute' }).click();
    await room
      .getByRole('status')
      .filter({ hasText: 'Ash can write in Delayed grief and hard dates again.' })
      .waitFor();
    await room.getByRole('button', { name: 'Let Ash back…' }).click();
    await room.getByRole('textbox', { name: 'Your reason' }).last().fill('Not spam after all.');
    await room.getByRole('button', { name: 'Let them back' }).click();
    await room.getByText('Nobody is muted in or removed from Delayed grief and hard dates now.').waitFor();
    await send(member, 'POST', `/api/rooms/${slug}/join`, { acceptRules: true });
    expect(moderator.errors).toEqual([]);
    expect(member.errors).toEqual([]);
  });
});

describe('the moderation pages', () => {
  it('tell a member who doesn’t moderate what they are, kindly, and send a visitor to sign in', async () => {
    const { page: visitorPage } = await openPage();
    await visitorPage.goto(`${platform().url}/moderation`);
    await visitorPage.waitForURL(`${platform().url}/signin?next=%2Fmoderation`);

    const member = await person('register');
    await visit(member.page, '/moderation', member.errors);
    expect(await member.page.locator('h1').textContent()).toBe("This page is for Kindred's moderators");
    expect(await nav(member.page).getByRole('link', { name: 'Moderation' }).count()).toBe(0);
    await expectNoAxeViolations(member.page);
    expect(member.errors).toEqual([httpError(403)]);

    // An admin finds the pages from the nav.
    const admin = await person('login', {}, undefined, adminUsername);
    await visit(admin.page, '/', admin.errors);
    await nav(admin.page).getByRole('link', { name: 'Moderation' }).click();
    await admin.page.getByRole('heading', { level: 2, name: 'Waiting for a look' }).waitFor();
    expect(admin.errors).toEqual([]);
  });
});

describe('how the moderation pages read', () => {
  const variants: { name: string; options: BrowserContextOptions }[] = [
    { name: 'light', options: { colorScheme: 'light' } },
    { name: 'dark', options: { colorScheme: 'dark' } },
    { name: '360px', options: { colorScheme: 'light', viewport: { width: 360, height: 780 } } },
  ];

  async function check(page: Page, name: string): Promise<void> {
    expect(await page.locator('h1').count()).toBe(1);
    await expectNoSidewaysScroll(page);
    await screenshot(page, name);
    await expectNoAxeViolations(page);
  }

  it.each(variants)('pass axe and fit the screen ($name)', async ({ name, options }) => {
    const slug = 'partners';
    // A name of her own in each variant: a member may not take a name that passes for a moderator's.
    const moderatorName = ({ light: 'Noor', dark: 'Nell', '360px': 'Pia' } as Record<string, string>)[name]!;
    const moderator = await moderatorOf(slug, options, moderatorName);
    // An urgent item (words that may mean someone is at risk) and a reported one, each with its context.
    await messageFromNode(slug, 'Some days I feel so alone since the loss.', 'Robin');
    await messageFromNode(slug, `I don't want to be here anymore ${runTag()}`, 'Kit');
    const { message } = await messageFromNode(slug, `Buy my healing crystals at a discount ${runTag()}`, 'Dale');
    await reportFromNode(slug, message.id, 'Selling things in a grief room.');
    // The crisis matcher's flag is raised just after the message is stored, not with it.
    await until(async () => {
      const answer = await moderator.page.request.get(`${platform().url}/api/moderation/queue`);
      const { items } = (await answer.json()) as { items: { urgent: boolean; automaticReason: string | null }[] };
      return items.some((entry) => entry.automaticReason === 'crisis_language');
    });

    await visit(moderator.page, '/moderation', moderator.errors);
    const urgent = moderator.page.getByRole('article').filter({ hasText: 'Words that may mean someone is at risk' });
    await urgent.first().getByText('Urgent', { exact: true }).waitFor();
    const reported = moderator.page.getByRole('article').filter({ hasText: message.body });
    await reported.getByRole('button', { name: 'Look closer and act' }).click();
    await reported.getByRole('radio', { name: 'Mute Dale' }).check();
    await reported.getByLabel('For how long?').selectOption('1440');
    await check(moderator.page, `moderation-queue-${name}`);
    await reported.getByRole('textbox', { name: 'Your reason' }).fill('Selling in a grief room, after a warning.');
    await reported.getByRole('button', { name: 'Mute Dale' }).click();
    await reported.getByRole('status').filter({ hasText: 'Dale is muted in this room for 24 hours.' }).waitFor();
    await reported.getByRole('radio', { name: 'Unmute Dale' }).waitFor();

    await moderator.page.getByRole('navigation', { name: 'Moderation' }).getByRole('link', { name: 'Log' }).click();
    await moderator.page.getByRole('heading', { level: 2, name: 'Log' }).waitFor();
    await moderator.page.getByText(`${moderatorName} muted a member for 24 hours in Partners`).first().waitFor();
    await check(moderator.page, `moderation-log-${name}`);

    await moderator.page
      .getByRole('navigation', { name: 'Moderation' })
      .getByRole('link', { name: 'Your rooms' })
      .click();
    await moderator.page.getByRole('button', { name: 'Save slow mode' }).waitFor();
    await check(moderator.page, `moderation-rooms-${name}`);

    // The writer of the reported message reads the notice after a hide.
    const writer = await person('register', options, 'Bea');
    await send(writer, 'POST', `/api/rooms/${slug}/join`, { acceptRules: true });
    const socketWriter = await socketFor(writer);
    const clientId = `c-${runTag()}`;
    socketWriter.send({ type: 'send', room: slug, clientId, body: `Such a long day ${runTag()}` });
    const ack = await socketWriter.next((frame) => frame.clientId === clientId, 10_000);
    await send(moderator, 'POST', '/api/moderation/actions', {
      action: 'hide',
      target: { type: 'message', id: (ack.message as Message).id },
      reason: 'Hidden while we check something with you — nothing you did wrong.',
    });
    await visit(writer.page, '/notices', writer.errors);
    await writer.page.getByRole('article', { name: /About one of your messages/ }).waitFor();
    await check(writer.page, `notices-${name}`);

    expect(moderator.errors).toEqual([]);
    expect(writer.errors).toEqual([]);
  });
});

/** Asks `condition` every 100 ms, for at most 10 s. */
async function until(condition: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('the condition did not hold within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A chat socket for someone signed in in a browser context, carrying that context's session cookie. */
async function socketFor(who: Person): Promise<ChatSocket> {
  const cookies = await who.page.context().cookies(platform().url);
  const cookie = cookies.map((entry) => `${entry.name}=${entry.value}`).join('; ');
  const socket = await ChatSocket.connect(platform().url, { username: '', id: who.id, cookie });
  openSockets.push(socket);
  return socket;
}
