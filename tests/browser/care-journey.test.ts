// Blocking and the personal filter, as two members live them in real Chromium: Hazel asks not to see
// pregnancy news unasked; Rowan writes one with that content note in a room they share, and Hazel finds it
// folded behind its label, opens it by keyboard and reads it, then blocks Rowan from the message's menu.
// Rowan's words fold for her; Rowan, in his own browser, sees nothing of it. Hazel then writes in her
// journal, turns the entry into a draft story, and lights a candle with a content note; Rowan's candle
// comes folded. Every page on the way passes axe, in light, in dark and on a 360 px phone: the journey runs
// once, in light at desktop size, and each look is taken on the same page load (one journey per look made
// this file three times as long). And a block made in one tab folds the blocked member's words in the
// blocker's other open tab at once, as unblocking unfolds them.
import type { BrowserContextOptions, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  collectConsoleErrors,
  expectNoAxeViolations,
  expectNoSidewaysScroll,
  screenshot,
  useBrowserPlatform,
} from '../support/browser.ts';

const password = 'quiet harbour lantern morning';
/** The admin who opens each test's room (each its own, so what one wrote never meets another's filter). */
const journeyAdmin = { username: 'journey_admin', password };
const pregnancy = 'Pregnancy announcement or update';

const light: BrowserContextOptions = { colorScheme: 'light' };
const phone = { width: 360, height: 780 };

const {
  openPage,
  visit: visitPage,
  send,
  newUsername,
} = useBrowserPlatform({
  env: { REGISTER_LIMIT_PER_HOUR: '1000' },
  usernamePrefix: 'journey',
  admins: [journeyAdmin],
});

interface Person {
  page: Page;
  errors: string[];
  id: string;
}

/** A new member in their own browser, signed in, a member of `room` unless none is named. */
async function person(displayName: string, options: BrowserContextOptions, room: string | null): Promise<Person> {
  const { page, errors } = await openPage(options);
  const { user } = await send<{ user: { id: string } }>(page, 'POST', '/api/auth/register', {
    username: newUsername(),
    password,
    displayName,
  });
  if (room) await send(page, 'POST', `/api/rooms/${room}/join`, { acceptRules: true });
  return { page, errors, id: user.id };
}

/** A room of their own for this test (its admin opens it), with Hazel and Rowan as members. */
async function hazelAndRowan(variant: string): Promise<{ hazel: Person; rowan: Person; room: string }> {
  const options = light;
  const { page: adminPage } = await openPage(options);
  await send(adminPage, 'POST', '/api/auth/login', journeyAdmin);
  const room = `journey-${variant.replace(/\W/g, '')}-${Date.now().toString(36)}`;
  await send(adminPage, 'POST', '/api/rooms', {
    slug: room,
    name: 'Evening circle',
    description: 'A quiet room for the evening.',
    audience: 'everyone',
    rules: 'Be kind.',
  });
  return { hazel: await person('Hazel', options, room), rowan: await person('Rowan', options, room), room };
}

/** Opens a page, waits for its h1, and checks it with axe and for sideways scrolling. */
async function visit(who: Person, path: string): Promise<void> {
  await visitPage(who.page, path, who.errors);
  await checked(who.page);
}

/**
 * Axe and the layout as the page is now (light, desktop size), then in dark, then on a 360 px phone: one page
 * load, three looks; with `shot`, a screenshot of each. Then put back as it was, for the journey to go on.
 */
async function checked(page: Page, shot?: string): Promise<void> {
  const size = page.viewportSize() ?? { width: 1280, height: 720 };
  const look = async (name: string) => {
    await expectNoAxeViolations(page);
    await expectNoSidewaysScroll(page);
    if (shot) await screenshot(page, `journey-${shot}-${name}`);
  };
  await look('light');
  await page.emulateMedia({ colorScheme: 'dark' });
  await look('dark');
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize(phone);
  await look('360px');
  await page.setViewportSize(size);
}

/** Axe and the layout as the page is now, one look: for the second test, on pages the first saw in all three. */
async function checkedOnce(page: Page): Promise<void> {
  await expectNoAxeViolations(page);
  await expectNoSidewaysScroll(page);
}

const messages = (page: Page) => page.getByRole('region', { name: /^Messages in / });
/** The small "Add a content note" disclosure under a message box or a candle's words. */
const notePicker = (page: Page) => page.locator('main summary', { hasText: 'Add a content note' });
const status = (page: Page, text: string) => page.getByRole('status').filter({ hasText: text });

describe('blocking and the personal filter, end to end', () => {
  it('a filtered message folds, opens by keyboard; a block folds the rest, unseen by the blocked (light, dark, 360 px)', async () => {
    const { hazel, rowan, room } = await hazelAndRowan('journey');

    // Hazel chooses, in her settings, not to see pregnancy news unasked.
    await visit(hazel, '/settings');
    await hazel.page.getByText('in chat, stories and replies, on the remembrance wall and in your notices').waitFor();
    await hazel.page.getByText('You haven’t blocked anyone.').waitFor();
    await hazel.page.getByLabel(pregnancy).check();
    await hazel.page.getByRole('button', { name: 'Save my choices' }).click();
    await status(hazel.page, 'Saved.').waitFor();

    // Rowan writes with a content note, from the small disclosure under the message box.
    await visit(rowan, `/rooms/${room}`);
    const box = rowan.page.getByLabel('Write to the room');
    await box.waitFor();
    await notePicker(rowan.page).click();
    await rowan.page.getByLabel(pregnancy).check();
    await rowan.page.locator('main summary', { hasText: `Content note: ${pregnancy}` }).waitFor();
    await box.fill('We had our scan today, and we are expecting again.');
    await checked(rowan.page, 'composer-content-note');
    await box.press('Enter');
    // Sent once: the waiting copy gives way to the message the server confirmed.
    await expect.poll(() => messages(rowan.page).getByText('we are expecting again').count()).toBe(1);
    await box.fill('Thinking of everyone here tonight.');
    await box.press('Enter');
    await expect.poll(() => messages(rowan.page).getByText('Thinking of everyone here tonight.').count()).toBe(1);
    await notePicker(rowan.page).waitFor();

    // Hazel finds it folded behind its label, its words nowhere on the page, not even for a screen reader.
    await visit(hazel, `/rooms/${room}`);
    const foldedByName = messages(hazel.page).getByRole('article', { name: `Contains: ${pregnancy}` });
    await foldedByName.waitFor();
    // Its name changes as it opens: from here on it is found by its id.
    const folded = hazel.page.locator(`#${await foldedByName.getAttribute('id')}`);
    expect(await hazel.page.locator('body').textContent()).not.toContain('expecting again');
    await messages(hazel.page).getByText('Thinking of everyone here tonight.').waitFor();
    await checked(hazel.page, 'chat-folded');

    // She opens it with the keyboard, reads it, and folds it again and opens it once more.
    const show = folded.getByRole('button', { name: 'Show this message' });
    await show.focus();
    await hazel.page.keyboard.press('Enter');
    await folded.getByText('We had our scan today, and we are expecting again.').waitFor();
    const fold = folded.getByRole('button', { name: 'Fold away this message' });
    expect(await fold.getAttribute('aria-expanded')).toBe('true');
    expect(await hazel.page.evaluate(() => document.activeElement?.textContent)).toContain('Fold away');
    await checked(hazel.page, 'chat-revealed');

    // From that message's menu she blocks Rowan, after a kind word on what blocking does.
    await folded.getByRole('button', { name: /^More for Rowan/ }).focus();
    await hazel.page.keyboard.press('Enter');
    await folded.getByRole('menu').waitFor();
    await hazel.page.keyboard.press('End');
    expect(await hazel.page.evaluate(() => document.activeElement?.textContent)).toBe('Block Rowan');
    await hazel.page.keyboard.press('Enter');
    const dialog = hazel.page.getByRole('dialog', { name: 'Block Rowan?' });
    await dialog.waitFor();
    await dialog
      .getByText('You won’t see their messages and stories unless you choose to; they won’t be told.')
      .waitFor();
    await checked(hazel.page, 'block-confirm');
    await dialog.getByRole('button', { name: 'Block Rowan' }).click();
    await dialog.waitFor({ state: 'hidden' });

    // Both of Rowan's messages fold now, neither saying who wrote it.
    const blocked = messages(hazel.page).getByRole('article', { name: /^A message from someone you blocked/ });
    await expect.poll(() => blocked.count()).toBe(2);
    const text = (await messages(hazel.page).textContent()) ?? '';
    expect(text).not.toMatch(/expecting again|Thinking of everyone|Rowan/);
    expect(await hazel.page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toMatch(
      /^A message from someone you blocked/,
    );
    await checked(hazel.page, 'chat-blocked');

    // Rowan, in his own browser, sees his words as ever and nothing about being blocked.
    await visit(rowan, `/rooms/${room}`);
    await messages(rowan.page).getByText('Thinking of everyone here tonight.').waitFor();
    expect(await rowan.page.locator('body').textContent()).not.toMatch(/blocked|Hazel/i);

    // Rowan lights a candle; on Hazel's wall it comes folded.
    const bean = 'Little Bean';
    await send(rowan.page, 'POST', '/api/remembrance', { name: bean, words: 'Always with us.' });

    // Hazel writes in her journal from a prompt and makes it a draft story.
    const { today } = await send<{ today: string }>(hazel.page, 'GET', '/api/journal/prompts');
    await visit(hazel, '/journal');
    await hazel.page.getByRole('textbox', { name: today }).fill('That it was real, and that it still is.');
    await hazel.page.getByRole('button', { name: 'Save in my journal' }).click();
    await status(hazel.page, 'Saved in your journal.').waitFor();
    await checked(hazel.page);
    await hazel.page.getByRole('button', { name: 'Turn into a draft story' }).click();
    await hazel.page.waitForURL(/\/stories\/[0-9a-f-]{36}\/edit$/);
    await status(hazel.page, 'Your entry is now a draft story.').waitFor();
    expect(await hazel.page.getByLabel('Your story').inputValue()).toContain('That it was real');
    await checked(hazel.page);

    // She lights a candle with a content note; Rowan's candle is folded for her.
    await visit(hazel, '/remembrance');
    await hazel.page.getByRole('article', { name: 'A candle from someone you blocked' }).waitFor();
    // Its name changes as it opens: from here on it is found by its Show button.
    const rowansCandle = hazel.page
      .getByRole('article')
      .filter({ has: hazel.page.getByRole('button', { name: /^(Show|Fold away) this candle$/ }) });
    expect(await hazel.page.locator('main').textContent()).not.toContain(bean);
    const willowName = 'Willow';
    await hazel.page.getByLabel('A name (optional)').fill(willowName);
    await notePicker(hazel.page).click();
    await hazel.page.getByLabel('Later loss or stillbirth').check();
    await hazel.page.getByRole('button', { name: 'Light a candle' }).click();
    await status(hazel.page, `Your candle for ${willowName} is lit.`).waitFor();
    const willow = hazel.page.getByRole('article', { name: willowName });
    await willow.getByText('Content note: Later loss or stillbirth').waitFor();
    await checked(hazel.page, 'candle-folded');
    await rowansCandle.getByRole('button', { name: 'Show this candle' }).click();
    await rowansCandle.getByText(bean).waitFor();

    // Her settings list Rowan, with Unblock; unblocking is as quiet as blocking.
    await visit(hazel, '/settings');
    const list = hazel.page.getByRole('region', { name: 'People you’ve blocked' });
    await list.getByRole('listitem').filter({ hasText: 'Rowan' }).waitFor();
    await checked(hazel.page, 'settings-blocked');
    await list.getByRole('button', { name: 'Unblock Rowan' }).click();
    await status(hazel.page, 'You unblocked Rowan.').waitFor();
    await list.getByText('You haven’t blocked anyone.').waitFor();
    await checked(hazel.page);

    expect(hazel.errors).toEqual([]);
    expect(rowan.errors).toEqual([]);
  }, 300_000);

  it('a block made in one tab folds that person’s words in the member’s other tab at once; unblocking unfolds them', async () => {
    const { hazel, rowan, room } = await hazelAndRowan('tabs');

    // Rowan writes; Hazel has the room open in two tabs (say, a laptop left open and her phone).
    await visit(rowan, `/rooms/${room}`);
    const box = rowan.page.getByLabel('Write to the room');
    await box.fill('Does it ever get easier?');
    await box.press('Enter');
    await expect.poll(() => messages(rowan.page).getByText('Does it ever get easier?').count()).toBe(1);
    await visit(hazel, `/rooms/${room}`);
    const other = await hazel.page.context().newPage();
    const otherErrors = await collectConsoleErrors(other);
    await visitPage(other, `/rooms/${room}`, otherErrors);
    for (const tab of [hazel.page, other]) await messages(tab).getByText('Does it ever get easier?').waitFor();

    // She blocks Rowan in the second tab; the first folds his words without being reloaded.
    await messages(other)
      .getByRole('button', { name: /^More for Rowan/ })
      .first()
      .click();
    await messages(other).getByRole('menuitem', { name: 'Block Rowan' }).click();
    const dialog = other.getByRole('dialog', { name: 'Block Rowan?' });
    await dialog.getByRole('button', { name: 'Block Rowan' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const folded = messages(hazel.page).getByRole('article', { name: /^A message from someone you blocked/ });
    await folded.waitFor();
    expect(await messages(hazel.page).textContent()).not.toMatch(/ever get easier|Rowan/);
    await checkedOnce(hazel.page);

    // She unblocks him from her settings in the second tab; the first shows his words again.
    await visitPage(other, '/settings', otherErrors);
    const list = other.getByRole('region', { name: 'People you’ve blocked' });
    await list.getByRole('button', { name: 'Unblock Rowan' }).click();
    await status(other, 'You unblocked Rowan.').waitFor();
    await messages(hazel.page).getByText('Does it ever get easier?').waitFor();
    await expect.poll(() => folded.count()).toBe(0);
    await checkedOnce(hazel.page);

    expect(hazel.errors).toEqual([]);
    expect(otherErrors).toEqual([]);
    expect(rowan.errors).toEqual([]);
  }, 120_000);
});
