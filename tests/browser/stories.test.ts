// Story journeys through the started platform in real Chromium: a member writes a story through the
// composer (kept on the device, saved as a draft while they pause, shared anonymously with a content note);
// another member whose personal filter covers that note finds it folded away, opens it, sends support and
// a reply, and reports it; the writer sees the reply. A new account's first story waits for a moderator and
// says so. Every stories page and the settings page pass axe, in light, dark and on a small phone.
import type { BrowserContextOptions, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  expectNoAxeViolations,
  expectNoSidewaysScroll,
  screenshot,
  useBrowserPlatform,
  type BrowserPlatformOptions,
} from '../support/browser.ts';

const password = 'quiet harbour lantern morning';
const pregnancy = 'Pregnancy announcement or update';

/**
 * Chromium and a platform for one describe (the two differ in how long a new member's first story waits),
 * with the API shortcuts its tests take, bound to that platform.
 */
function useStoriesPlatform(options: BrowserPlatformOptions) {
  const { platform, openPage, visit, checkPage, newUsername } = useBrowserPlatform(options);

  /** Joins Kindred through the API in this page's browser context (its cookie jar is the context's). */
  async function join(page: Page, displayName: string): Promise<{ id: string }> {
    const answer = await page.context().request.post(`${platform().url}/api/auth/register`, {
      headers: { origin: platform().url },
      data: { username: newUsername(), password, displayName },
    });
    expect(answer.status(), await answer.text()).toBe(201);
    return ((await answer.json()) as { user: { id: string } }).user;
  }

  /** Shares a story through the API, as this page's member; answers its id and status. */
  async function shareStory(
    page: Page,
    story: { title: string; body: string; contentWarnings?: string[]; anonymous?: boolean; draft?: boolean },
  ): Promise<{ id: string; status: string }> {
    const answer = await page.context().request.post(`${platform().url}/api/stories`, {
      headers: { origin: platform().url },
      data: { tags: [], contentWarnings: [], anonymous: false, ...story },
    });
    expect(answer.status(), await answer.text()).toBe(201);
    return ((await answer.json()) as { story: { id: string; status: string } }).story;
  }

  return { platform, openPage, visit, checkPage, join, shareStory };
}

const main = (page: Page) => page.locator('main');
const status = (page: Page, text: string) => page.getByRole('status').filter({ hasText: text });

describe('stories, for members past their first days', () => {
  const { platform, openPage, visit, checkPage, join, shareStory } = useStoriesPlatform({
    // NEW_MEMBER_LINK_WAIT_HOURS=0: a new member's first story is shared at once, as an older member's is.
    env: { REGISTER_LIMIT_PER_HOUR: '1000', NEW_MEMBER_LINK_WAIT_HOURS: '0' },
  });

  it('one writes anonymously with a content note; another, who filters that note, opens it and replies', async () => {
    const title = `The day the room went quiet ${Date.now().toString(36)}`;
    const body = 'We had told everyone.\nThen the scan showed no heartbeat.\n\nI still have the little hat.';

    // The writer: what they type is kept on the device straight away, so a reload loses nothing.
    const writer = await openPage({ colorScheme: 'light' });
    await join(writer.page, 'Wren');
    await visit(writer.page, '/stories', writer.errors);
    await main(writer.page).getByRole('link', { name: 'Write a story' }).click();
    await writer.page.getByRole('heading', { level: 1, name: 'Write a story' }).waitFor();
    await writer.page.getByLabel('Title').fill(title);
    await writer.page.getByLabel('Your story').fill(body);
    await writer.page.reload();
    await writer.page.getByRole('heading', { level: 1, name: 'Write a story' }).waitFor();
    await status(writer.page, 'We brought back what you were writing on this device.').waitFor();
    expect(await writer.page.getByLabel('Title').inputValue()).toBe(title);
    expect(await writer.page.getByLabel('Your story').inputValue()).toBe(body);

    // The preview shows the words as paragraphs while they are written.
    await writer.page.getByText('Preview your story').click();
    const preview = writer.page.locator('.preview-text p');
    expect(await preview.allTextContents()).toEqual(expect.arrayContaining([title, 'I still have the little hat.']));

    await writer.page.getByRole('group', { name: 'Content notes' }).getByLabel(pregnancy).check();
    await writer.page.getByRole('group', { name: 'Themes (optional)' }).getByLabel('A mother’s story').check();
    await writer.page.getByLabel('Share anonymously').check();
    expect(await writer.page.getByText('Other members won’t see your name on this story.').count()).toBe(1);

    // A pause saves the draft to the account, quietly, and the draft gets its own address.
    await status(writer.page, 'Draft saved').waitFor({ timeout: 15_000 });
    await writer.page.waitForURL(/\/stories\/[0-9a-f-]{36}\/edit$/);
    const storyId = writer.page.url().split('/').at(-2)!;
    expect(await writer.page.evaluate(() => Object.keys(localStorage).length)).toBe(0);

    await writer.page.getByRole('button', { name: 'Share your story' }).click();
    await writer.page.waitForURL(`${platform().url}/stories/${storyId}`);
    await status(writer.page, 'Your story is shared.').waitFor();
    await writer.page.getByRole('heading', { level: 1, name: title }).waitFor();
    await writer.page.getByText('Shared anonymously: other members don’t see your name.').waitFor();
    expect(await main(writer.page).textContent()).toContain('Shared anonymously by you');
    await screenshot(writer.page, 'story-shared');

    // The reader chooses never to see pregnancy announcements unasked.
    const reader = await openPage({ colorScheme: 'dark' });
    await join(reader.page, 'Rowan');
    await visit(reader.page, '/account', reader.errors);
    await main(reader.page)
      .getByRole('link', { name: /^Settings/ })
      .click();
    await reader.page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
    await reader.page.getByRole('group', { name: 'Fold away anything that contains:' }).getByLabel(pregnancy).check();
    await reader.page.getByRole('button', { name: 'Save my choices' }).click();
    await status(reader.page, 'Saved. From now on, anything with these notes is folded away for you').waitFor();

    // In the list the story is folded away behind what it contains: not even its title shows.
    await visit(reader.page, '/stories', reader.errors);
    const show = main(reader.page).getByRole('button', { name: 'Show this story' });
    await show.waitFor();
    expect(await show.getAttribute('aria-expanded')).toBe('false');
    expect(await main(reader.page).textContent()).toContain(`Contains: ${pregnancy}`);
    expect(await reader.page.getByText(title).count()).toBe(0);
    await screenshot(reader.page, 'stories-folded');

    await show.click();
    expect(
      await main(reader.page).getByRole('button', { name: 'Fold away this story' }).getAttribute('aria-expanded'),
    ).toBe('true');
    const card = reader.page.getByRole('article', { name: title });
    expect(await card.textContent()).toContain('Shared anonymously');
    expect(await card.textContent()).toContain(`Content note: ${pregnancy}`);
    expect(await card.textContent()).toContain('A mother’s story');
    expect(await card.textContent()).not.toContain('Wren');

    // Opened in the list, it stays open on its own page.
    await card.getByRole('link', { name: title }).click();
    await reader.page.waitForURL(`${platform().url}/stories/${storyId}`);
    await reader.page.getByRole('heading', { level: 1, name: title }).waitFor();
    expect(await main(reader.page).textContent()).toContain('I still have the little hat.');
    expect(await main(reader.page).textContent()).not.toContain('Wren');

    // Support is a toggle with a quiet count.
    const meToo = reader.page.getByRole('button', { name: /^Me too/ });
    expect(await meToo.getAttribute('aria-pressed')).toBe('false');
    await meToo.click();
    await reader.page.getByRole('button', { name: 'Me too 1' }).waitFor();
    expect(await meToo.getAttribute('aria-pressed')).toBe('true');

    // A reply, with the reader's name on it.
    await reader.page.getByLabel('Your reply').fill('Thank you for writing this. The little hat made me cry.');
    await reader.page.getByRole('button', { name: 'Send reply' }).click();
    await status(reader.page, 'Your reply is posted.').waitFor();
    await reader.page.getByRole('article', { name: 'Reply from You' }).waitFor();
    expect(await reader.page.getByLabel('Your reply').inputValue()).toBe('');

    // Reporting asks what is wrong, and thanks the reader.
    await reader.page.getByRole('button', { name: 'Report this story' }).click();
    await reader.page.getByRole('heading', { name: 'Report this story' }).waitFor();
    await reader.page.getByRole('button', { name: 'Send report' }).click();
    await reader.page.getByText('Please choose what is wrong.').first().waitFor();
    await reader.page.getByRole('group', { name: 'What is wrong?' }).getByLabel('Something else').check();
    await reader.page.getByLabel('Anything a moderator should know? (optional)').fill('Just checking this is okay.');
    await reader.page.getByRole('button', { name: 'Send report' }).click();
    await status(reader.page, 'Thank you — a moderator will look at it.').waitFor();
    await screenshot(reader.page, 'story-replied-dark');

    // The writer sees the reply, from the reader by name.
    await writer.page.reload();
    const reply = writer.page.getByRole('article', { name: 'Reply from Rowan' });
    await reply.waitFor();
    expect(await reply.textContent()).toContain('The little hat made me cry.');
    expect(await writer.page.getByText('Me too: 1').count()).toBe(1);

    // My stories: where the story stands.
    await visit(writer.page, '/stories/mine', writer.errors);
    const mine = writer.page.getByRole('article', { name: title });
    expect(await mine.textContent()).toContain('Shared');
    expect(await mine.textContent()).toContain('1 reply');

    expect(writer.errors).toEqual([]);
    // The report form sent once without a reason is answered beside it, without a trip to the server.
    expect(reader.errors).toEqual([]);
  });

  it('lets the writer change a shared story and delete it, asking first', async () => {
    const { page, errors } = await openPage();
    await join(page, 'Ash');
    const story = await shareStory(page, { title: 'Small things', body: 'The first words.' });
    expect(story.status).toBe('published');

    await visit(page, `/stories/${story.id}`, errors);
    await page.getByRole('link', { name: 'Change your story' }).click();
    await page.getByRole('heading', { level: 1, name: 'Change your story' }).waitFor();
    // A shared story changes only when saved: no draft button, no autosave.
    expect(await page.getByRole('button', { name: 'Save draft' }).count()).toBe(0);
    await page.getByLabel('Your story').fill('The first words, and some more.');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.waitForURL(`${platform().url}/stories/${story.id}`);
    await status(page, 'Your changes are saved.').waitFor();
    await page.getByText('The first words, and some more.').waitFor();

    await page.getByRole('button', { name: 'Delete this story…' }).click();
    await page.getByRole('heading', { name: 'Delete this story?' }).waitFor();
    await page.getByRole('button', { name: 'Keep it' }).click();
    await page.getByRole('button', { name: 'Delete this story…' }).click();
    await page.getByRole('button', { name: 'Delete the story' }).click();
    await page.waitForURL(`${platform().url}/stories/mine`);
    await status(page, 'Your story “Small things” is deleted.').waitFor();
    await page.getByText('You haven’t written a story yet.').waitFor();
    expect(errors).toEqual([]);
  });

  describe('how the stories pages read', () => {
    const options: BrowserContextOptions = { colorScheme: 'light' };
    const name = 'light';

    /**
     * The page as it is now (already checked in light at desktop size), seen again in dark and then on a 360 px
     * phone, on the same page load: axe, nothing to scroll sideways, a screenshot of each. Then put back.
     */
    async function darkAndPhone(page: Page, shot: string): Promise<void> {
      const size = page.viewportSize() ?? { width: 1280, height: 720 };
      await page.emulateMedia({ colorScheme: 'dark' });
      await expectNoSidewaysScroll(page);
      await screenshot(page, `${shot}-dark`);
      await expectNoAxeViolations(page);
      await page.emulateMedia({ colorScheme: 'light' });
      await page.setViewportSize({ width: 360, height: 780 });
      await expectNoSidewaysScroll(page);
      await screenshot(page, `${shot}-360px`);
      await expectNoAxeViolations(page);
      await page.setViewportSize(size);
    }

    it('pass axe and fit the screen (light, dark and 360 px, on the same page loads)', async () => {
      // A story with a reply, and one the member's filter folds away.
      const other = await openPage(options);
      await join(other.page, 'Linden');
      const story = await shareStory(other.page, {
        title: 'What helped, in the first weeks',
        body: 'Walking.\n\n- Lighting a candle\n- **Saying her name** out loud',
        contentWarnings: ['medical_detail'],
      });
      await shareStory(other.page, {
        title: 'Our news, and our fear',
        body: 'We are expecting again.',
        contentWarnings: ['pregnancy', 'rainbow_baby'],
      });

      const { page, errors } = await openPage(options);
      await join(page, 'Sorrel');
      const put = await page.context().request.put(`${platform().url}/api/me/filters`, {
        headers: { origin: platform().url },
        data: { hiddenWarnings: ['pregnancy'] },
      });
      expect(put.status()).toBe(200);
      const reply = await page.context().request.post(`${platform().url}/api/stories/${story.id}/replies`, {
        headers: { origin: platform().url },
        data: { body: 'Saying the name out loud helped me too.' },
      });
      expect(reply.status()).toBe(201);

      await checkPage(page, errors, '/stories', 'Contains: Pregnancy announcement', `stories-${name}`);
      await darkAndPhone(page, 'stories');
      // A story with a content note this member does not filter: its title and note show, its opening words
      // wait behind the note until one tap opens them; the list in them reads as a list.
      const noted = page.getByRole('article', { name: 'What helped, in the first weeks' }).first();
      expect(await noted.textContent()).toContain('Content note: Medical detail');
      expect(await noted.textContent()).not.toContain('Walking.');
      const opening = noted.getByRole('button', { name: 'Show the opening of “What helped, in the first weeks”' });
      expect(await opening.getAttribute('aria-expanded')).toBe('false');
      await opening.click();
      await noted.getByText('Walking. Lighting a candle · Saying her name out loud').waitFor();
      const foldAway = noted.getByRole('button', {
        name: 'Fold away the opening of “What helped, in the first weeks”',
      });
      expect(await foldAway.getAttribute('aria-expanded')).toBe('true');
      await page.getByRole('button', { name: 'Show this story' }).first().click();
      await screenshot(page, `stories-opened-${name}`);
      await expectNoAxeViolations(page);
      await darkAndPhone(page, 'stories-opened');
      await checkPage(page, errors, `/stories/${story.id}`, 'Saying the name out loud', `story-${name}`);
      await darkAndPhone(page, 'story');
      await page.getByRole('button', { name: 'Report this story' }).click();
      await page.getByRole('heading', { name: 'Report this story' }).waitFor();
      await expectNoAxeViolations(page);
      await darkAndPhone(page, 'story-report');
      await checkPage(page, errors, '/stories/new', 'Share anonymously', `story-new-${name}`);
      await darkAndPhone(page, 'story-new');
      await page.getByText('Preview your story').click();
      await page.getByRole('button', { name: 'Share your story' }).click();
      await page.getByText('Please give your story a title.').first().waitFor();
      await screenshot(page, `story-new-errors-${name}`);
      await expectNoAxeViolations(page);
      await darkAndPhone(page, 'story-new-errors');
      await shareStory(page, { title: 'Not ready yet', body: 'Some words.', draft: true });
      await checkPage(page, errors, '/stories/mine', 'Draft', `stories-mine-${name}`);
      await darkAndPhone(page, 'stories-mine');
      await checkPage(page, errors, '/settings', 'Fold away anything that contains:', `settings-${name}`);
      await darkAndPhone(page, 'settings');
      expect(errors).toEqual([]);
      expect(other.errors).toEqual([]);
    });
  });
});

describe('a first story, from a new account', () => {
  const { openPage, visit, join } = useStoriesPlatform({
    // The default sandbox: for their first 24 hours, a member's first story waits for a moderator.
    env: { REGISTER_LIMIT_PER_HOUR: '1000' },
  });

  it('waits for a moderator, and the writer is told so on its page and in My stories', async () => {
    const title = `For the baby we called Bean ${Date.now().toString(36)}`;
    const { page, errors } = await openPage();
    await join(page, 'Hazel');

    await visit(page, '/stories/new', errors);
    await page.getByLabel('Title').fill(title);
    await page.getByLabel('Your story').fill('Eleven weeks. Long enough to love you.');
    await page.getByRole('button', { name: 'Share your story' }).click();
    await page.waitForURL(/\/stories\/[0-9a-f-]{36}$/);
    await page.getByRole('heading', { level: 1, name: title }).waitFor();
    await page.getByText('Waiting for a moderator — we’ll let you know.').waitFor();
    await status(page, 'A moderator will read it before it is shared.').waitFor();
    // Nothing to react to or reply to yet.
    expect(await page.getByRole('button', { name: /^Me too/ }).count()).toBe(0);
    expect(await page.getByLabel('Your reply').count()).toBe(0);
    await screenshot(page, 'story-waiting');
    await expectNoAxeViolations(page);

    await visit(page, '/stories/mine', errors);
    const mine = page.getByRole('article', { name: title });
    expect(await mine.textContent()).toContain('Waiting for a moderator');

    // The list has no shared story yet; it says hers is waiting, not that no one has shared one.
    await visit(page, '/stories', errors);
    await main(page).getByText('Your story is waiting for a moderator to read it').waitFor();
    expect(await main(page).getByText('No one has shared a story yet').count()).toBe(0);
    await screenshot(page, 'stories-first-waiting');
    await expectNoAxeViolations(page);

    // Others don't see it yet.
    const reader = await openPage();
    await join(reader.page, 'Fern');
    await visit(reader.page, '/stories', reader.errors);
    await reader.page.getByRole('heading', { level: 2, name: 'Newest stories' }).waitFor();
    expect(await reader.page.getByText(title).count()).toBe(0);

    expect(errors).toEqual([]);
    expect(reader.errors).toEqual([]);
  });
});
