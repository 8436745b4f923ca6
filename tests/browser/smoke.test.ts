// Smoke journey through the started platform in real Chromium: the pages a first visitor sees load
// cleanly, read well in light and dark and on a small phone, pass axe, and work from the keyboard.
import type { BrowserContextOptions } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { expectNoAxeViolations, screenshot, useBrowserPlatform } from '../support/browser.ts';

const footerText = 'Kindred is peer support, not a crisis service';

const { platform, openPage, visit, waitForReady } = useBrowserPlatform();

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
    await waitForReady(page, errors);

    expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain(footerText);
    expect(await page.title()).toContain('Help');

    await screenshot(page, 'help');
    await expectNoAxeViolations(page);
    expect(errors).toEqual([]);
  });
});

describe('a move within the app', () => {
  it('announces the new page without an inline style the policy refuses, kept off screen', async () => {
    const { page, errors } = await openPage();
    await visit(page, '/', errors);
    await page.locator('footer').getByRole('link', { name: footerText }).click();
    await page.waitForURL('**/help');
    await waitForReady(page, errors);
    expect(await page.title()).toContain('Help');
    // SvelteKit tells screen readers about the move in a live region it styles inline; the CSP allows
    // exactly that style (by hash), so the region stays a 1-pixel box and nothing is refused.
    const announcer = page.locator('#svelte-announcer');
    await expect.poll(() => announcer.count()).toBe(1);
    expect(await announcer.boundingBox()).toMatchObject({ width: 1, height: 1 });
    expect(errors).toEqual([]);
  });
});

describe('API', () => {
  it('answers an unknown /api path with 404 and the one error shape', async () => {
    const response = await fetch(`${platform().url}/api/whatever`, { signal: AbortSignal.timeout(10_000) });
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
