// The installable app in real Chromium: Chromium finds the manifest and the service worker and has nothing
// against installing Kindred; the worker keeps only the app's own files (never an API answer or a page);
// with the network cut, opening a page shows the gentle offline page (light, dark, a 390 px phone, axe),
// and once the network is back, "Try again" opens the app itself, fetched fresh.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  collectConsoleErrors,
  expectNoAxeViolations,
  expectNoSidewaysScroll,
  launchChromiumProfile,
  screenshot,
  useBrowserPlatform,
} from '../support/browser.ts';

const { platform, visit, waitForReady } = useBrowserPlatform({ usernamePrefix: 'install' });

const phone = { width: 390, height: 844 };

/** Waits (in the page) until a service worker is active and controls the page, and answers its script's URL. */
function serviceWorkerInControl(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const registration = await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((resolve) =>
        navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }),
      );
    }
    return registration.active?.scriptURL ?? '';
  });
}

describe('the installable app', () => {
  // A profile of its own (Chromium installs nothing from an incognito context), removed after the test.
  let profile: { dir: string; context: BrowserContext } | undefined;
  afterEach(async () => {
    await profile?.context.close();
    if (profile) await rm(profile.dir, { recursive: true, force: true, maxRetries: 3 });
    profile = undefined;
  });

  it('is installable, keeps only its own files, and shows the offline page when the network is cut', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kindred-install-'));
    const context = await launchChromiumProfile(dir, { colorScheme: 'light', viewport: phone });
    profile = { dir, context };
    const page = context.pages()[0] ?? (await context.newPage());
    const errors = await collectConsoleErrors(page);
    await visit(page, '/rooms', errors);

    expect(await serviceWorkerInControl(page)).toBe(`${platform().url}/service-worker.js`);
    const cdp = await page.context().newCDPSession(page);
    const manifest = (await cdp.send('Page.getAppManifest')) as {
      url: string;
      errors: { message: string }[];
      data?: string;
    };
    expect(manifest.url).toBe(`${platform().url}/manifest.webmanifest`);
    expect(manifest.errors).toEqual([]);
    expect(JSON.parse(manifest.data ?? '{}')).toMatchObject({ short_name: 'Kindred', display: 'standalone' });
    const installability = await cdp.send('Page.getInstallabilityErrors');
    expect(installability.installabilityErrors).toEqual([]);

    // The rooms page asked the API for the rooms and the session: none of that, nor any page, is kept.
    const kept = await page.evaluate(async () => {
      const urls: string[] = [];
      for (const name of await caches.keys()) {
        for (const request of await (await caches.open(name)).keys()) urls.push(new URL(request.url).pathname);
      }
      return urls;
    });
    expect(kept).toContain('/offline.html');
    expect(kept.some((path) => path.startsWith('/_app/immutable/'))).toBe(true);
    expect(kept.filter((path) => path.startsWith('/api') || path === '/' || path === '/rooms')).toEqual([]);

    await page.context().setOffline(true);
    const offline = await page.goto(`${platform().url}/stories`, { waitUntil: 'load' });
    expect(offline?.status()).toBe(200);
    await waitForReady(page, errors);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe("You're offline just now");
    expect(await page.getByText('Nothing you wrote is lost.').isVisible()).toBe(true);
    expect(await page.getByRole('link', { name: 'Try again' }).isVisible()).toBe(true);
    expect(await page.title()).toBe('Offline · Kindred');
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe(
        scheme === 'light' ? 'rgb(250, 247, 243)' : 'rgb(27, 25, 32)',
      );
      await expectNoSidewaysScroll(page);
      await screenshot(page, `offline-${scheme}-390px`);
      await expectNoAxeViolations(page);
    }

    // Back online, "Try again" asks the network for the same page: the app itself, not a kept copy.
    await page.context().setOffline(false);
    await page.getByRole('link', { name: 'Try again' }).click();
    await page.waitForURL('**/stories');
    await waitForReady(page, errors);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).not.toBe("You're offline just now");
    expect(errors).toEqual([]);
  });
});
