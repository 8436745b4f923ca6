// Issue 18's "Done when" journey in one file, on one started platform and one Chromium, each person in a
// browser context of their own: an admin finds a member by name in the directory and appoints her moderator
// of Partners from the room's admin page; her messages carry the "Moderator" mark a member sees; a member
// writes words of risk in a room with no one on duty, is told honestly who will see them and, after choosing
// a country in the panel, sees tap-to-call numbers; a second moderator, on duty, sees the urgent count rise
// in the navigation and the item appear without reloading, while the moderator whose own words they are
// never sees the item (her count moves only for another member's words); a member who lost their password
// signs in with a recovery code; a moderator goes on duty, reads the handover note, is nudged after the
// operator's DUTY_NUDGE_MINUTES (the page's clock moved forward) and steps away. Every page visited passes
// axe; each is seen in light at desktop size, then dark, then dark at 390 px, on the same page load. Setup
// that is not under test (joining rooms, the second appointment, going on duty) is API calls from inside
// the person's own browser context. No console errors anywhere.
import type { BrowserContextOptions, Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  collectConsoleErrors,
  expectNoAxeViolations,
  expectNoSidewaysScroll,
  screenshot,
  useBrowserPlatform,
} from '../support/browser.ts';
import { runTag } from '../support/chat.ts';

const password = 'quiet harbour lantern morning';
const adminUsername = `steward_${Date.now().toString(36)}`;
/** Two moderators and a member meet here; no moderator ever looks after `quietRoom`. */
const room = { slug: 'partners', name: 'Partners' };
const quietRoom = 'mothers';
const nudgeMinutes = 5;
const desktop = { width: 1280, height: 900 };

const { platform, openPage, visit, newUsername } = useBrowserPlatform({
  env: {
    REGISTER_LIMIT_PER_HOUR: '1000',
    LOGIN_LIMIT_PER_15MIN: '1000',
    DUTY_NUDGE_MINUTES: String(nudgeMinutes),
  },
  usernamePrefix: 'steward',
  admins: [{ username: adminUsername, password }],
});

interface Person {
  page: Page;
  errors: string[];
  id: string;
  username: string;
  displayName: string;
  recoveryCodes: string[];
}

/** Someone in their own browser, joined (or signed in) through the API from inside it. */
async function person(
  how: 'register' | 'login',
  username: string,
  displayName?: string,
  options: BrowserContextOptions = {},
): Promise<Person> {
  const { page, errors } = await openPage({ colorScheme: 'light', viewport: desktop, ...options });
  const answer = await page.request.post(`${platform().url}/api/auth/${how}`, {
    headers: { origin: platform().url },
    data: { username, password, ...(displayName ? { displayName } : {}) },
  });
  expect(answer.status(), await answer.text()).toBe(how === 'register' ? 201 : 200);
  const body = (await answer.json()) as { user: { id: string; displayName: string }; recoveryCodes?: string[] };
  return {
    page,
    errors,
    id: body.user.id,
    username,
    displayName: body.user.displayName,
    recoveryCodes: body.recoveryCodes ?? [],
  };
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

/**
 * The page as it is now, as a person and axe would see it: light at desktop size, then dark, then dark on a
 * 390 px phone, without loading it again; then put back as it was.
 */
async function checkVariants(page: Page, name: string): Promise<void> {
  expect(await page.locator('h1').count(), `one h1 on ${page.url()}`).toBe(1);
  await expectNoSidewaysScroll(page);
  await expectNoAxeViolations(page);
  await screenshot(page, `${name}-light`);
  await page.emulateMedia({ colorScheme: 'dark' });
  await expectNoAxeViolations(page);
  await page.setViewportSize({ width: 390, height: 844 });
  await expectNoSidewaysScroll(page);
  await expectNoAxeViolations(page);
  await screenshot(page, `${name}-dark-390`);
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize(desktop);
}

const composer = (page: Page) => page.getByLabel('Write to the room', { exact: true });
const chatMessage = (page: Page, text: string) => page.locator('article.message').filter({ hasText: text });
const crisisPanel = (page: Page) => page.getByRole('complementary', { name: 'You don’t have to carry this alone' });
const moderationLink = (page: Page) =>
  page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /^Moderation/ });
const queueItem = (page: Page, title: string) => page.getByRole('article', { name: title });
/** What an element reads as, spaces (the count's no-break space included) made plain. */
const words = async (locator: Locator) => ((await locator.textContent()) ?? '').replace(/\s+/g, ' ').trim();

async function write(page: Page, text: string): Promise<void> {
  await composer(page).fill(text);
  await composer(page).press('Enter');
  await chatMessage(page, text).waitFor();
}

describe('stewardship', () => {
  it('appoints by name, marks staff, keeps the crisis promises, counts live, recovers, and cares for carers', async () => {
    const tag = runTag()
      .replace(/[^a-z0-9]/gi, '')
      .slice(-4);
    const [admin, mina, noor, wren, ash] = await Promise.all([
      person('login', adminUsername),
      person('register', newUsername(), `Mina Alder ${tag}`),
      person('register', newUsername(), `Noor Hale ${tag}`),
      person('register', newUsername(), `Wren ${tag}`),
      person('register', newUsername(), `Ash ${tag}`),
    ]);
    await Promise.all([
      ...[mina, noor, wren].map((member) =>
        send(member, 'POST', `/api/rooms/${room.slug}/join`, { acceptRules: true }),
      ),
      send(ash, 'POST', `/api/rooms/${quietRoom}/join`, { acceptRules: true }),
    ]);

    // 1. The admin finds Mina by part of her display name in the directory…
    await visit(admin.page, '/admin/members', admin.errors);
    await admin.page.getByRole('heading', { level: 1, name: 'Members' }).waitFor();
    await admin.page.getByRole('searchbox', { name: 'Find a member' }).fill(`alder ${tag}`);
    await admin.page
      .getByRole('status')
      .filter({ hasText: `1 member matches “alder ${tag}”.` })
      .waitFor();
    const found = admin.page.getByRole('list', { name: 'Members found' }).getByRole('listitem');
    expect(await found.count()).toBe(1);
    await found.getByRole('link', { name: `See ${mina.displayName}` }).waitFor();
    await found.getByText(new RegExp(`^@${mina.username} · Joined`)).waitFor();
    await checkVariants(admin.page, 'stewardship-directory');

    // …and appoints her from the room's admin page, by name.
    await visit(admin.page, `/admin/rooms/${room.slug}`, admin.errors);
    const roomSearch = admin.page.getByRole('searchbox', { name: 'Find a member of this room' });
    await roomSearch.fill('mina');
    await roomSearch.press('Enter');
    const appoint = admin.page.getByRole('button', { name: `Appoint ${mina.displayName} as a moderator` });
    await appoint.waitFor();
    await checkVariants(admin.page, 'stewardship-room-appoint');
    await appoint.click();
    await admin.page
      .getByRole('status')
      .filter({ hasText: `${mina.displayName} now looks after ${room.name}.` })
      .waitFor();
    await admin.page
      .getByRole('region', { name: 'Volunteer moderators' })
      .getByRole('button', { name: `Remove ${mina.displayName} as a moderator` })
      .waitFor();
    expect(admin.errors).toEqual([]);

    // Setup not under test here: Noor is the room's second moderator, on duty, and leaves a handover note.
    await send(admin, 'PUT', `/api/rooms/${room.slug}/moderators/${noor.id}`);
    await send(noor, 'PUT', `/api/rooms/${room.slug}/duty`, {});
    const note = `Someone new here is finding the evenings hard. A gentle welcome helps. ${tag}`;
    await send(noor, 'POST', `/api/rooms/${room.slug}/handover`, { body: note });

    // 2. Mina writes in her room, in a tab of her own browser; Wren sees the mark beside her name only.
    const minaRoom = await mina.page.context().newPage();
    const minaRoomErrors = await collectConsoleErrors(minaRoom);
    await visit(minaRoom, `/rooms/${room.slug}`, minaRoomErrors);
    const welcome = `Welcome, all of you. Take your time here ${tag}`;
    await write(minaRoom, welcome);
    await expectNoAxeViolations(minaRoom);
    await visit(wren.page, `/rooms/${room.slug}`, wren.errors);
    const thanks = `Thank you for this room ${tag}`;
    await write(wren.page, thanks);
    await chatMessage(wren.page, welcome).getByText('Moderator', { exact: true }).waitFor();
    await wren.page.getByRole('article', { name: new RegExp(`^${mina.displayName}\\W*Moderator`) }).waitFor();
    expect(await chatMessage(wren.page, thanks).getByText('Moderator', { exact: true }).count()).toBe(0);
    await checkVariants(wren.page, 'stewardship-badge');

    // 3. Ash writes words of risk where no one is on duty: told honestly who will see them, with numbers
    // to tap, then the country chosen in the panel and that country's numbers in place.
    await visit(ash.page, `/rooms/${quietRoom}`, ash.errors);
    await composer(ash.page).fill("I have the tablets saved up and I don't want to be here anymore");
    await composer(ash.page).press('Enter');
    const panel = crisisPanel(ash.page);
    await panel.waitFor();
    await expect
      .poll(() => words(panel))
      .toContain('The people who look after Kindred will see your message when they are next here');
    expect(await words(panel)).not.toContain('may reach out');
    expect(await words(panel)).not.toMatch(/tonight/i);
    expect(await panel.getByRole('link', { name: '112', exact: true }).getAttribute('href')).toBe('tel:112');
    await checkVariants(ash.page, 'stewardship-crisis-panel');
    await panel.getByLabel('Country').selectOption({ label: 'United Kingdom' });
    await panel.getByRole('button', { name: 'Save country' }).click();
    await expect.poll(() => panel.getByRole('link', { name: '116 123' }).getAttribute('href')).toBe('tel:116123');
    expect(await panel.getByRole('link', { name: '999', exact: true }).getAttribute('href')).toBe('tel:999');
    expect(await panel.getByRole('link', { name: '911', exact: true }).count()).toBe(0);
    await expectNoAxeViolations(ash.page);
    expect(ash.errors).toEqual([]);

    // 4. Both moderators have the queue open. Mina writes words of risk in her own room: Noor, on duty,
    // sees the urgent count rise and the item arrive without reloading; Mina never does.
    await visit(noor.page, '/moderation', noor.errors);
    await noor.page.getByText('Nothing is waiting right now.').waitFor();
    expect(await words(moderationLink(noor.page))).toBe('Moderation');
    await visit(mina.page, '/moderation', mina.errors);
    await mina.page.getByText('Nothing is waiting right now.').waitFor();
    expect(await words(moderationLink(mina.page))).toBe('Moderation');

    await composer(minaRoom).fill('since the scan i just want to die, i cant do this');
    await composer(minaRoom).press('Enter');
    await crisisPanel(minaRoom).waitFor();
    await expect.poll(() => words(crisisPanel(minaRoom))).toContain('A moderator of this room may reach out gently.');
    const aboutMina = `A message from ${mina.displayName} in ${room.name}`;
    await queueItem(noor.page, aboutMina).waitFor();
    await expect
      .poll(() => words(moderationLink(noor.page)), { timeout: 15_000 })
      .toBe('Moderation 1 waiting, 1 urgent');

    // Wren's words of risk come after Mina's: once they reach Mina's queue, Mina's own would have too.
    await composer(wren.page).fill('i keep thinking there is no point in me being alive');
    await composer(wren.page).press('Enter');
    const aboutWren = `A message from ${wren.displayName} in ${room.name}`;
    await queueItem(mina.page, aboutWren).waitFor();
    await expect
      .poll(() => words(moderationLink(mina.page)), { timeout: 15_000 })
      .toBe('Moderation 1 waiting, 1 urgent');
    expect(await queueItem(mina.page, aboutMina).count()).toBe(0);
    expect(await mina.page.getByText(mina.displayName, { exact: false }).count()).toBe(0);
    await queueItem(noor.page, aboutWren).waitFor();
    await expect
      .poll(() => words(moderationLink(noor.page)), { timeout: 15_000 })
      .toBe('Moderation 2 waiting, 2 urgent');
    await checkVariants(noor.page, 'stewardship-live-queue');
    await expectNoAxeViolations(mina.page);
    await screenshot(mina.page, 'stewardship-own-words-unseen');
    expect(noor.errors).toEqual([]);
    expect(minaRoomErrors).toEqual([]);
    expect(wren.errors).toEqual([]);

    // 5. A member who lost their password signs in with a recovery code, on a device that is signed out.
    const { page: device, errors: deviceErrors } = await openPage({ colorScheme: 'light', viewport: desktop });
    await visit(device, '/signin', deviceErrors);
    await expectNoAxeViolations(device);
    await device.getByRole('link', { name: 'Forgot your password?' }).click();
    await device.getByRole('heading', { level: 1, name: 'Forgot your password?' }).waitFor();
    await checkVariants(device, 'stewardship-forgot');
    await device.getByLabel('Username', { exact: true }).fill(ash.username);
    await device.getByLabel('Recovery code', { exact: true }).fill(ash.recoveryCodes[0]!);
    await device.getByLabel('New password', { exact: true }).fill('a lighthouse after rain');
    await device.getByRole('button', { name: 'Set my new password and sign in' }).click();
    await device.getByRole('status').filter({ hasText: 'Your new password is set and you are signed in' }).waitFor();
    await device.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Your account' }).waitFor();
    await expectNoAxeViolations(device);
    expect(deviceErrors).toEqual([]);

    // 6. Mina goes on duty with a clock the test can move, reads Noor's note, is nudged after the
    // operator's minutes (never stopped), and steps away; the urgent item goes to Noor, still on duty.
    const page = mina.page;
    await page.clock.install();
    await visit(page, '/moderation/rooms', mina.errors);
    const tools = page.getByRole('region', { name: room.name });
    await tools.getByRole('button', { name: `Go on duty in ${room.name}` }).click();
    await tools.getByRole('status').filter({ hasText: "You're on duty." }).waitFor();
    const notes = tools.getByRole('region', { name: `Handover notes for ${room.name}` });
    await notes.getByText(note).waitFor();
    await notes.getByText(`${noor.displayName},`, { exact: false }).waitFor();
    expect(await tools.getByText("You've been here for", { exact: false }).count()).toBe(0);
    await page.clock.fastForward(`0${nudgeMinutes + 1}:00`);
    const nudge = tools.getByRole('status').filter({ hasText: "You've been here for five minutes. Thank you." });
    await nudge.waitFor();
    await nudge.getByText("It's fine to rest; others can take it from here", { exact: false }).waitFor();
    await tools.getByRole('button', { name: `Go off duty in ${room.name}` }).waitFor();
    await checkVariants(page, 'stewardship-duty-nudged');
    await tools.getByRole('button', { name: `Step away from ${room.name}` }).click();
    // Only the items she may see are counted: Wren's, never Mina's own (which only Noor sees).
    await tools
      .getByRole('status')
      .filter({
        hasText: /You're off duty\. We passed one urgent item to the moderator still on duty\./,
      })
      .waitFor();
    await tools.getByRole('button', { name: `Go on duty in ${room.name}` }).waitFor();
    const duty = await page.request.get(`${platform().url}/api/rooms/${room.slug}/duty`);
    expect(((await duty.json()) as { onDuty: boolean }).onDuty).toBe(false);
    expect(mina.errors).toEqual([]);
  });
});
