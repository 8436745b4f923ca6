// Care tools through the started platform in real Chromium: a journal entry written from today's prompt
// becomes a draft story in one step; a hard date kept for today brings a gentle note on the home page and
// an offer to tell a room, which opens the room with editable words in its message box (nothing sent);
// candles lit with a name and anonymously, counted quietly, and hidden by a moderator; helplines for a
// chosen country. Every care page passes axe, in light, dark and on a small phone.
import type { BrowserContextOptions, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { expectNoAxeViolations, expectNoSidewaysScroll, screenshot, useBrowserPlatform } from '../support/browser.ts';

const password = 'quiet harbour lantern morning';
const adminUsername = 'care_admin';
/** Fourteen hours ahead of UTC: "today" here is often not UTC's today, so the member's own day is what counts. */
const timeZone = 'Pacific/Kiritimati';

const { platform, openPage, visit, checkPage, send, newUsername } = useBrowserPlatform({
  env: { REGISTER_LIMIT_PER_HOUR: '1000' },
  usernamePrefix: 'carer',
  admins: [{ username: adminUsername, password }],
});

async function join(page: Page, displayName: string, username = newUsername()): Promise<void> {
  await send(page, 'POST', '/api/auth/register', { username, password, displayName });
}

const main = (page: Page) => page.locator('main');
const status = (page: Page, text: string) => page.getByRole('status').filter({ hasText: text });

/** Today's month and day where the member is. */
function todayIn(zone: string): { month: number; day: number } {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: zone, month: 'numeric', day: 'numeric' }).formatToParts(
    new Date(),
  );
  const part = (type: string) => Number(parts.find((entry) => entry.type === type)?.value);
  return { month: part('month'), day: part('day') };
}

async function firstRoom(page: Page): Promise<{ slug: string; name: string }> {
  const { rooms } = await send<{ rooms: { slug: string; name: string; archived: boolean }[] }>(
    page,
    'GET',
    '/api/rooms',
  );
  const room = rooms.find((entry) => !entry.archived);
  if (!room) throw new Error('No open room to join');
  return room;
}

/** "3 candles lit" on the wall, or 0 when none are. */
async function candleCount(page: Page): Promise<number> {
  const count = main(page).getByText(/^\d+ candles? lit$/);
  if ((await count.count()) === 0) return 0;
  const text = (await count.textContent()) ?? '';
  return Number(/^(\d+) candles? lit$/.exec(text.trim())?.[1] ?? 0);
}

describe('care tools', () => {
  it('a journal entry written from today’s prompt becomes a draft story in one step', async () => {
    const { page, errors } = await openPage();
    await join(page, 'Juniper');
    const { today } = await send<{ today: string }>(page, 'GET', '/api/journal/prompts');

    await visit(page, '/journal', errors);
    // The truth about who could read it, never "only you can read this".
    await page.getByText('Only you can see this here on Kindred.').waitFor();
    await page.getByText('the people who run this Kindred could read it on the server').waitFor();
    await page.getByText('Nothing here yet.').waitFor();
    // The box is labelled by today's prompt.
    await page.getByRole('textbox', { name: today }).fill('That it was real.\nThat I still think of it every day.');
    await page.getByRole('button', { name: 'Save in my journal' }).click();
    await status(page, 'Saved in your journal.').waitFor();
    const entry = page.getByRole('article').filter({ hasText: 'That it was real.' });
    expect(await entry.textContent()).toContain(today);

    // Another, written freely, is listed first; it is changed, then deleted after a kind question.
    await page.getByText('Choose a different prompt, or write freely').click();
    await page.getByLabel('Write freely, without a prompt').check();
    await page.getByLabel('Your words').fill('A quiet morning.');
    await page.getByRole('button', { name: 'Save in my journal' }).click();
    await status(page, 'Saved in your journal.').waitFor();
    const articles = main(page).getByRole('article');
    expect(await articles.first().textContent()).toContain('A quiet morning.');
    // While it is being changed its words are in a box, so it is found by its place: first.
    const free = articles.first();
    await free.getByRole('button', { name: 'Change this entry' }).click();
    await free.getByLabel('Your words').fill('A quiet morning, and rain.');
    await free.getByRole('button', { name: 'Save changes' }).click();
    await free.getByText('A quiet morning, and rain.').waitFor();
    await free.getByRole('button', { name: 'Delete…' }).click();
    await free.getByRole('heading', { name: 'Delete this entry?' }).waitFor();
    await free.getByRole('button', { name: 'Delete the entry' }).click();
    await page.getByText('A quiet morning, and rain.').waitFor({ state: 'detached' });
    expect(await articles.count()).toBe(1);

    await entry.getByRole('button', { name: 'Turn into a draft story' }).click();
    await page.waitForURL(/\/stories\/[0-9a-f-]{36}\/edit$/);
    await page.getByRole('heading', { level: 1, name: 'Keep writing' }).waitFor();
    await status(page, 'Your entry is now a draft story.').waitFor();
    expect(await page.getByLabel('Title').inputValue()).toBe(today);
    expect(await page.getByLabel('Your story').inputValue()).toContain('That it was real.');
    const storyId = page.url().split('/').at(-2)!;
    const { story } = await send<{ story: { status: string } }>(page, 'GET', `/api/stories/${storyId}`);
    expect(story.status).toBe('draft');
    await screenshot(page, 'care-journal-draft-story');
    expect(errors).toEqual([]);
  });

  it('a hard date kept for today brings a gentle note, and an offer to tell a room that sends nothing', async () => {
    const { page, errors } = await openPage({ timezoneId: timeZone });
    await join(page, 'Briar');
    const room = await firstRoom(page);
    await send(page, 'POST', `/api/rooms/${room.slug}/join`, { acceptRules: true });

    // Home says nothing about hard days until there is one.
    await visit(page, '/', errors);
    await page.getByText('A thought for today').waitFor();
    expect(await page.getByText('Today may be a hard day').count()).toBe(0);

    const today = todayIn(timeZone);
    await visit(page, '/settings/dates', errors);
    await page.getByText('Kindred never sends reminders').waitFor();
    await page.getByText('the people who run this Kindred could read them on the server').waitFor();
    expect(await page.getByRole('link', { name: 'your privacy on Kindred' }).getAttribute('href')).toBe('/privacy');
    await page.getByRole('button', { name: 'Keep this date' }).click();
    await page.getByText('Please give the date a name').first().waitFor();
    await page.getByLabel('What would you like to call it?').fill('Her due date');
    await page.getByLabel('A due date').check();
    await page.getByLabel('Month').selectOption(String(today.month));
    await page.getByLabel('Day', { exact: true }).fill(String(today.day));
    await page.getByRole('button', { name: 'Keep this date' }).click();
    await status(page, 'Kept: Her due date').waitFor();
    await main(page).getByText(`Kindred counts your days in your time zone, ${timeZone}.`).waitFor();
    await screenshot(page, 'care-dates');

    await visit(page, '/', errors);
    const note = page.getByRole('region', { name: 'Today may be a hard day' });
    await note.waitFor();
    expect(await note.textContent()).toContain('Today is her due date.');
    await note.getByRole('button', { name: 'Tell one of my rooms…' }).click();
    await note.getByRole('heading', { name: 'Tell one of your rooms' }).waitFor();
    // Their only room is chosen for them; the words are theirs to change.
    expect(await note.getByLabel(room.name).isChecked()).toBe(true);
    const words = 'Today was her due date. I could use some company.';
    await note.getByLabel('What you’d like to say').fill(words);
    await screenshot(page, 'care-home-hard-day');
    await note.getByRole('button', { name: 'Open the room' }).click();

    await page.waitForURL(`${platform().url}/rooms/${room.slug}`);
    const box = page.getByLabel('Write to the room');
    await box.waitFor();
    await expect.poll(() => box.inputValue()).toBe(words);
    await page.getByText('nothing is sent unless you send it').waitFor();
    await screenshot(page, 'care-room-offered');
    // Nothing was sent.
    const { messages } = await send<{ messages: { body: string | null }[] }>(
      page,
      'GET',
      `/api/rooms/${room.slug}/messages`,
    );
    expect(messages.some((message) => message.body === words)).toBe(false);

    // Forgetting the date ends the note.
    await visit(page, '/settings/dates', errors);
    await page.getByRole('button', { name: 'Forget Her due date' }).click();
    await status(page, 'Forgotten: Her due date.').waitFor();
    await visit(page, '/', errors);
    await page.getByText('A thought for today').waitFor();
    expect(await page.getByText('Today may be a hard day').count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it('lights candles with a name and anonymously, counts them quietly, and a moderator can hide one', async () => {
    const { page, errors } = await openPage();
    await join(page, 'Linnea');
    await visit(page, '/remembrance', errors);
    const before = await candleCount(page);

    await page.getByLabel('A name (optional)').fill('Little Bean');
    await page.getByLabel('A few words (optional)').fill('Always loved.');
    await page.getByRole('button', { name: 'Light a candle' }).click();
    await status(page, 'Your candle for Little Bean is lit.').waitFor();
    const named = page.getByRole('article', { name: 'Little Bean' });
    expect(await named.textContent()).toContain('Always loved.');
    expect(await named.textContent()).toContain('Lit by you');

    await page.getByLabel('Light it anonymously').check();
    await page.getByRole('button', { name: 'Light a candle' }).click();
    await status(page, 'Your candle is lit.').waitFor();
    expect(await candleCount(page)).toBe(before + 2);
    expect(await page.getByRole('button', { name: /^Hide/ }).count()).toBe(0);

    // Another member sees the count, the name, and no one behind the anonymous candle.
    const other = await openPage();
    await join(other.page, 'Maren');
    await visit(other.page, '/remembrance', other.errors);
    expect(await candleCount(other.page)).toBe(before + 2);
    expect(await other.page.getByRole('article', { name: 'Little Bean' }).textContent()).toContain('Lit by Linnea');
    const anonymous = other.page.getByRole('article', { name: 'A candle' }).first();
    expect(await anonymous.textContent()).toContain('Lit anonymously');
    expect(await anonymous.textContent()).not.toContain('Linnea');

    // A moderator hides a candle, with a reason; the count goes down.
    const admin = await openPage();
    await send(admin.page, 'POST', '/api/auth/login', { username: adminUsername, password });
    await visit(admin.page, '/remembrance', admin.errors);
    const candle = admin.page.getByRole('article', { name: 'Little Bean' });
    await candle.getByRole('button', { name: 'Hide this candle' }).click();
    await candle.getByLabel('Why hide it?').fill('Checking the wall works.');
    await candle.getByRole('button', { name: 'Hide the candle' }).click();
    await candle.getByText('Hidden from the wall by a moderator.').waitFor();
    expect(await candleCount(admin.page)).toBe(before + 1);
    await screenshot(admin.page, 'care-remembrance-moderator');

    await visit(other.page, '/remembrance', other.errors);
    expect(await other.page.getByRole('article', { name: 'Little Bean' }).count()).toBe(0);
    expect(await candleCount(other.page)).toBe(before + 1);
    expect(errors).toEqual([]);
    expect(other.errors).toEqual([]);
    expect(admin.errors).toEqual([]);
  });

  it('lists the helplines of a chosen country, with the international ones', async () => {
    const { page, errors } = await openPage();
    await visit(page, '/resources', errors);
    await page.getByText('Kindred is peer support, not a crisis service').first().waitFor();
    await page.getByRole('heading', { name: 'Anywhere in the world' }).waitFor();
    await page.getByLabel('Show helplines for').selectOption('GB');
    await page.getByRole('heading', { name: 'In United Kingdom' }).waitFor();
    expect(await main(page).textContent()).toContain('Samaritans');
    await page.getByText('The emergency number in United Kingdom is').waitFor();
    await page.getByLabel('Show helplines for').selectOption('AU');
    await page.getByRole('heading', { name: 'In Australia' }).waitFor();
    expect(await main(page).textContent()).toContain('Lifeline');
    // Linked from Help now and from every footer.
    await visit(page, '/help', errors);
    await main(page).getByRole('link', { name: 'Finding more help' }).waitFor();
    expect(await page.locator('footer').getByRole('link', { name: 'Finding more help' }).count()).toBe(1);
    expect(errors).toEqual([]);
  });

  describe('how the care pages read', () => {
    const variants: { name: string; options: BrowserContextOptions }[] = [
      { name: 'light', options: { colorScheme: 'light', timezoneId: timeZone } },
      { name: 'dark', options: { colorScheme: 'dark', timezoneId: timeZone } },
      // A phone still on another zone than the one the member keeps with Kindred: times follow the member's.
      {
        name: '360px',
        options: { colorScheme: 'light', timezoneId: 'America/Los_Angeles', viewport: { width: 360, height: 780 } },
      },
    ];

    it.each(variants)('pass axe and fit the screen ($name)', async ({ name, options }) => {
      const { page, errors } = await openPage(options);
      await join(page, 'Saoirse');
      await send(page, 'PATCH', '/api/me', { timeZone, country: 'IE' });
      const room = await firstRoom(page);
      await send(page, 'POST', `/api/rooms/${room.slug}/join`, { acceptRules: true });
      await send(page, 'POST', '/api/me/dates', {
        label: 'The day we said goodbye',
        kind: 'loss',
        ...todayIn(timeZone),
      });
      await send(page, 'POST', '/api/journal', {
        body: 'Some days are heavier.',
        prompt: 'What do I want to remember?',
      });
      await send(page, 'POST', '/api/remembrance', { name: 'Rowan', words: 'For you, always.' });

      await checkPage(page, errors, '/', 'Today may be a hard day', `care-home-${name}`);
      // The day's name reads as part of the sentence, though it was kept with a capital.
      const note = page.getByRole('region', { name: 'Today may be a hard day' });
      expect(await note.textContent()).toContain('Today is the day we said goodbye. Go gently');
      await page.getByRole('button', { name: 'Tell one of my rooms…' }).click();
      await page.getByRole('heading', { name: 'Tell one of your rooms' }).waitFor();
      expect(await note.getByLabel('What you’d like to say').inputValue()).toMatch(
        /^Today is the day we said goodbye, and it's a hard day for me\./,
      );
      await screenshot(page, `care-home-offer-${name}`);
      await expectNoAxeViolations(page);
      await checkPage(page, errors, '/care', 'Gentle tools', `care-tools-${name}`);
      await checkPage(page, errors, '/journal', 'Some days are heavier.', `care-journal-${name}`);
      // The entry's time is in the member's own zone, whatever zone the device is in.
      const written = page.getByRole('article').filter({ hasText: 'Some days are heavier.' }).locator('time');
      const iso = (await written.getAttribute('datetime')) ?? '';
      const at = await page.evaluate(
        ([instant, zone]) =>
          new Intl.DateTimeFormat(undefined, { timeStyle: 'short', timeZone: zone }).format(new Date(instant)),
        [iso, timeZone] as const,
      );
      expect(await written.textContent()).toBe(`Today at ${at}`);
      await page.getByRole('button', { name: 'Delete…' }).click();
      await page.getByRole('heading', { name: 'Delete this entry?' }).waitFor();
      await page.getByText('Choose a different prompt, or write freely').click();
      await page.getByRole('button', { name: 'Save in my journal' }).click();
      await page.getByText('Please write something first').first().waitFor();
      await screenshot(page, `care-journal-open-${name}`);
      await expectNoAxeViolations(page);
      // From the journal to the privacy page, which says who could read it.
      await page.getByRole('link', { name: 'your privacy on Kindred' }).click();
      await page.getByRole('heading', { level: 1, name: 'Your privacy on Kindred' }).waitFor();
      await page.getByText('only you can see them here on Kindred, but someone with access to the server').waitFor();
      await expectNoAxeViolations(page);
      await expectNoSidewaysScroll(page);
      await screenshot(page, `care-privacy-${name}`);
      await checkPage(page, errors, '/settings/dates', 'The day we said goodbye', `care-dates-${name}`);
      await checkPage(page, errors, '/remembrance', 'For you, always.', `care-remembrance-${name}`);
      await checkPage(page, errors, '/resources', 'In Ireland', `care-resources-${name}`);
      await checkPage(page, errors, '/words', 'side by side, but worlds apart', `care-words-${name}`);
      await checkPage(page, errors, '/settings', 'Dates that matter', `care-settings-${name}`);
      expect(errors).toEqual([]);
    });

    it('reads the same to a visitor who is not signed in', async () => {
      const { page, errors } = await openPage({ colorScheme: 'dark', viewport: { width: 360, height: 780 } });
      await checkPage(page, errors, '/', 'A thought for today', 'care-home-visitor');
      await checkPage(page, errors, '/remembrance', 'to light a candle', 'care-remembrance-visitor');
      await checkPage(page, errors, '/resources', 'Anywhere in the world', 'care-resources-visitor');
      await checkPage(page, errors, '/care', 'Gentle tools', 'care-tools-visitor');
      expect(errors).toEqual([]);
    });

    it('lead someone about to join to the privacy page, which reads well on a 390 px phone, light and dark', async () => {
      for (const colorScheme of ['light', 'dark'] as const) {
        const { page, errors } = await openPage({ colorScheme, viewport: { width: 390, height: 844 } });
        await checkPage(page, errors, '/join', 'Join Kindred', `care-join-${colorScheme}-390px`);
        await page.getByRole('link', { name: 'What Kindred keeps, and who could read it' }).click();
        await page.getByRole('heading', { level: 1, name: 'Your privacy on Kindred' }).waitFor();
        await page.getByRole('heading', { name: 'Backups and logs' }).waitFor();
        await expectNoAxeViolations(page);
        await expectNoSidewaysScroll(page);
        await screenshot(page, `care-privacy-${colorScheme}-390px`);
        // And from every page's footer.
        expect(
          await page.getByRole('contentinfo').getByRole('link', { name: 'Your privacy' }).getAttribute('href'),
        ).toBe('/privacy');
        expect(errors).toEqual([]);
      }
    });
  });
});
