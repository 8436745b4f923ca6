// Smoke journey through the started platform in real Chromium: the pages a first visitor sees load
// cleanly, read well in light and dark and on a small phone, pass axe, and work from the keyboard.
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { collectConsoleErrors, expectNoAxeViolations, launchChromium, screenshot } from '../support/browser.ts';
import { startPlatform, stopAll, type Platform } from '../support/platform.ts';

const footerText = 'Kindred is peer support, not a crisis service';

let platform: Platform;
let browser: Browser | undefined;
const openContexts: BrowserContext[] = [];

beforeAll(async () => {
  platform = await startPlatform();
  browser = await launchChromium();
}, 90_000);

afterEach(async () => {
  await Promise.allSettled(openContexts.splice(0).map((context) => context.close()));
});

afterAll(async () => {
  try {
    await browser?.close();
  } finally {
    await stopAll();
  }
}, 30_000);

async function openPage(options: BrowserContextOptions = {}): Promise<{ page: Page; errors: string[] }> {
  if (!browser) throw new Error('Chromium did not launch');
  const context = await browser.newContext(options);
  openContexts.push(context);
  const page = await context.newPage();
  const errors = await collectConsoleErrors(page);
  return { page, errors };
}

/** Opens a path and waits for the app to render its h1; if it never does, says what the browser saw. */
async function visit(page: Page, path: string, errors: string[]): Promise<void> {
  const response = await page.goto(`${platform.url}${path}`, { waitUntil: 'load' });
  expect(response?.status(), `GET ${path}`).toBe(200);
  await waitForHeading(page, errors);
}

async function waitForHeading(page: Page, errors: string[]): Promise<void> {
  try {
    await page.locator('h1').first().waitFor({ state: 'visible', timeout: 15_000 });
  } catch {
    const body = await page.evaluate(() => document.body.innerText.slice(0, 500)).catch(() => '(unreadable)');
    throw new Error(
      `${page.url()} showed no h1 within 15 s.\nBrowser errors: ${JSON.stringify(errors)}\nPage text: ${body}`,
    );
  }
}

describe('home page', () => {
  const variants: { name: string; options: BrowserContextOptions; dark: boolean }[] = [
    { name: 'light', options: { colorScheme: 'light' }, dark: false },
    { name: 'dark', options: { colorScheme: 'dark' }, dark: true },
    { name: '360px', options: { colorScheme: 'light', viewport: { width: 360, height: 780 } }, dark: false },
  ];

  it.each(variants)('loads cleanly and passes axe ($name)', async ({ name, options, dark }) => {
    const { page, errors } = await openPage(options);
    await visit(page, '/', errors);

    expect(await page.locator('h1').count()).toBe(1);
    const footerLink = page.locator('footer').getByRole('link', { name: footerText });
    expect(await footerLink.isVisible()).toBe(true);
    expect(await page.evaluate(() => matchMedia('(prefers-color-scheme: dark)').matches)).toBe(dark);

    // Nothing on the page should make a visitor scroll sideways, least of all on a small phone.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);

    await screenshot(page, `home-${name}`);
    await expectNoAxeViolations(page);
    expect(errors).toEqual([]);
  });
});

describe('deep link', () => {
  it('serves the app for /help when it is loaded and reloaded directly', async () => {
    const { page, errors } = await openPage();
    await visit(page, '/help', errors);
    const response = await page.reload({ waitUntil: 'load' });
    expect(response?.status()).toBe(200);
    await waitForHeading(page, errors);

    expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain(footerText);
    expect(await page.title()).toContain('Help');

    await screenshot(page, 'help');
    await expectNoAxeViolations(page);
    expect(errors).toEqual([]);
  });
});

describe('API', () => {
  it('answers an unknown /api path with 404 and the one error shape', async () => {
    const response = await fetch(`${platform.url}/api/whatever`, { signal: AbortSignal.timeout(10_000) });
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const body: unknown = await response.json();
    expect(body).toEqual({ error: expect.objectContaining({ code: 'not_found', message: expect.any(String) }) });
  });
});

describe('keyboard', () => {
  it('reaches "Skip to content" first, and it moves focus to the main content', async () => {
    const { page, errors } = await openPage();
    await visit(page, '/', errors);

    await page.keyboard.press('Tab');
    const focused = () =>
      page.evaluate(() => {
        const element = document.activeElement;
        return { tag: element?.tagName.toLowerCase(), id: element?.id, text: element?.textContent?.trim() };
      });
    expect(await focused()).toMatchObject({ tag: 'a', text: 'Skip to content' });
    expect(await page.getByRole('link', { name: 'Skip to content' }).isVisible()).toBe(true);
    await screenshot(page, 'skip-link-focused');

    await page.keyboard.press('Enter');
    await expect.poll(focused).toMatchObject({ tag: 'main', id: 'main' });

    // The next Tab continues inside the main content, not back in the header.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.closest('main') !== null)).toBe(true);
    expect(errors).toEqual([]);
  });
});
