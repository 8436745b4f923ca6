// The crisis panel keeps its promises, in real Chromium: a member with no country writes words of risk in a
// room with no moderator on duty, is told honestly who will see them (not that someone will reach out),
// sees the emergency numbers as tap-to-call links, chooses a country inside the panel and sees that
// country's numbers in place; in a room with a moderator on duty, the panel says one may reach out. Axe
// on the panel in light, dark and at 390 px on the same page load; no console errors.
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { expectNoAxeViolations, expectNoSidewaysScroll, screenshot, useBrowserPlatform } from '../support/browser.ts';

const password = 'quiet harbour lantern morning';
const adminUsername = `cadmin_${Date.now().toString(36)}`;

const { platform, openPage, visit, newUsername } = useBrowserPlatform({
  env: { REGISTER_LIMIT_PER_HOUR: '1000', LOGIN_LIMIT_PER_15MIN: '1000' },
  usernamePrefix: 'crisis',
  admins: [{ username: adminUsername, password }],
});

interface Person {
  page: Page;
  errors: string[];
  id: string;
}

async function person(how: 'register' | 'login', username = newUsername()): Promise<Person> {
  const { page, errors } = await openPage({ colorScheme: 'light' });
  const path = how === 'register' ? '/api/auth/register' : '/api/auth/login';
  const answer = await page.request.post(`${platform().url}${path}`, {
    headers: { origin: platform().url },
    data: { username, password },
  });
  expect(answer.status(), await answer.text()).toBe(how === 'register' ? 201 : 200);
  const { user } = (await answer.json()) as { user: { id: string } };
  return { page, errors, id: user.id };
}

async function send(who: Person, method: 'POST' | 'PUT', path: string, data?: unknown): Promise<void> {
  const answer = await who.page.request.fetch(`${platform().url}${path}`, {
    method,
    headers: { origin: platform().url },
    ...(data === undefined ? {} : { data }),
  });
  expect(answer.status(), `${method} ${path}: ${await answer.text()}`).toBeLessThan(300);
}

let roomCount = 0;
async function newRoom(admin: Person): Promise<string> {
  const slug = `crisis-${Date.now().toString(36)}-${(roomCount += 1)}`;
  await send(admin, 'POST', '/api/rooms', {
    slug,
    name: `Evening room ${roomCount}`,
    description: 'A room for the crisis panel journey',
    audience: 'everyone',
    rules: 'Be kind.',
  });
  return slug;
}

async function joinAndWrite(who: Person, slug: string, words: string): Promise<void> {
  await visit(who.page, `/rooms/${slug}`, who.errors);
  await who.page.getByLabel('I have read these rules and will keep them').check();
  await who.page.getByRole('button', { name: 'Join this room' }).click();
  const composer = who.page.getByLabel('Write to the room', { exact: true });
  await composer.fill(words);
  await composer.press('Enter');
}

const words = async (aside: Locator) => ((await aside.textContent()) ?? '').replace(/\s+/g, ' ');
const panel = (page: Page) => page.getByRole('complementary', { name: 'You don’t have to carry this alone' });

describe('the crisis panel', () => {
  it('says honestly who will see the words, offers the country choice and tap-to-call numbers', async () => {
    const admin = await person('login', adminUsername);
    const quiet = await newRoom(admin);
    const looked = await newRoom(admin);
    const moderator = await person('register');
    await send(moderator, 'POST', `/api/rooms/${looked}/join`, { acceptRules: true });
    await send(admin, 'PUT', `/api/rooms/${looked}/moderators/${moderator.id}`);
    await send(moderator, 'PUT', `/api/rooms/${looked}/duty`, {});

    // No moderator on duty, no country saved.
    const writer = await person('register');
    await joinAndWrite(writer, quiet, "I have the tablets saved up and I don't want to be here anymore");
    const aside = panel(writer.page);
    await aside.waitFor();
    await expect
      .poll(() => words(aside))
      .toContain('The people who look after Kindred will see your message when they are next here');
    expect(await words(aside)).not.toContain('may reach out');
    expect(await words(aside)).not.toMatch(/tonight/i);
    for (const number of ['112', '911', '999', '000']) {
      expect(await aside.getByRole('link', { name: number, exact: true }).getAttribute('href')).toBe(`tel:${number}`);
    }
    await expectNoAxeViolations(writer.page);
    await screenshot(writer.page, 'crisis-panel-no-country');
    await writer.page.emulateMedia({ colorScheme: 'dark' });
    await expectNoAxeViolations(writer.page);
    await writer.page.setViewportSize({ width: 390, height: 844 });
    await expectNoAxeViolations(writer.page);
    await expectNoSidewaysScroll(writer.page);
    await screenshot(writer.page, 'crisis-panel-no-country-dark-390');

    // The country, chosen inside the panel: saved as the settings save it, the numbers change in place.
    await aside.getByLabel('Country').selectOption({ label: 'United Kingdom' });
    await aside.getByRole('button', { name: 'Save country' }).click();
    await expect.poll(() => aside.getByRole('link', { name: '116 123' }).getAttribute('href')).toBe('tel:116123');
    expect(await aside.getByRole('link', { name: '999', exact: true }).getAttribute('href')).toBe('tel:999');
    expect(await aside.getByRole('link', { name: '911', exact: true }).count()).toBe(0);
    const me = await writer.page.request.get(`${platform().url}/api/me`);
    expect(((await me.json()) as { user: { country: string | null } }).user.country).toBe('GB');
    await expectNoAxeViolations(writer.page);

    // In a room with a moderator on duty, and a country now known.
    await joinAndWrite(writer, looked, 'i keep thinking there is no point in me being alive');
    const again = panel(writer.page);
    await expect.poll(() => words(again)).toContain('A moderator of this room may reach out gently.');
    expect(await again.getByRole('link', { name: '999', exact: true }).getAttribute('href')).toBe('tel:999');
    expect(await again.getByLabel('Country').count()).toBe(0);
    await expectNoAxeViolations(writer.page);
    await writer.page.emulateMedia({ colorScheme: 'light' });
    await writer.page.setViewportSize({ width: 1280, height: 800 });
    await expectNoAxeViolations(writer.page);
    expect(writer.errors).toEqual([]);
  });
});
