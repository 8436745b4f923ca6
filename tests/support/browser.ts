// Real Chromium for browser journeys, and the checks every page gets: no console errors or CSP
// violations, no axe (WCAG 2.1 A/AA) violations, no sideways scrolling, and a screenshot a person can look
// at afterwards. `useBrowserPlatform` is the scaffolding every journey file shares: one started platform and
// one Chromium per file (or per describe), a fresh browser context for each page, and a visit that says what
// the browser saw when a page never renders. Debian's Chromium is used because browser downloads do not
// work on this machine.
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, inject } from 'vitest';
import { createAdmin, startPlatform, stopAll, type Platform, type PlatformOptions } from './platform.ts';

export const chromiumPath = '/usr/bin/chromium';
const artifactsDir = fileURLToPath(new URL('../artifacts', import.meta.url));
const launchTimeoutMs = 30_000;
const wcagTags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const readyTimeoutMs = 15_000;

/** Chromium as root needs --no-sandbox; the rest keep a closed network quiet. Playwright adds its own user-data-dir. */
const chromiumArgs = [
  '--no-sandbox',
  '--headless',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

function expectChromium(): void {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `Chromium is not installed at ${chromiumPath}. Install Debian's package with: ` +
        'apt-get update && apt-get install -y chromium',
    );
  }
}

export async function launchChromium(): Promise<Browser> {
  expectChromium();
  return chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, timeout: launchTimeoutMs });
}

/**
 * Chromium with a profile of its own in `userDataDir`, as a person's browser is: what installing an app
 * needs (Chromium will not install from the incognito contexts `browser.newContext()` opens).
 */
export async function launchChromiumProfile(
  userDataDir: string,
  options: BrowserContextOptions = {},
): Promise<BrowserContext> {
  expectChromium();
  return chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath,
    args: chromiumArgs,
    timeout: launchTimeoutMs,
    ...options,
  });
}

/**
 * Records what a visitor's console would show as broken: console errors, uncaught page errors and
 * Content-Security-Policy violations. Call it before the first navigation; the array fills as the page runs.
 */
export async function collectConsoleErrors(page: Page): Promise<string[]> {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console error: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  // Chromium reports most CSP blocks on the console too, but not all (e.g. a report-only policy, or one
  // from an iframe); the event catches every one and says which directive blocked what.
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      console.error(
        `CSP violation: ${event.effectiveDirective} blocked ${event.blockedURI || 'inline code'}` +
          (event.sourceFile ? ` (${event.sourceFile}:${event.lineNumber})` : ''),
      );
    });
  });
  return errors;
}

export async function expectNoAxeViolations(page: Page): Promise<void> {
  // Legacy mode runs axe in the page itself. The default gathers each frame's results in a blank page it
  // opens for every check, which doubled the cost of each (1.33 s against 0.71 s a page here, the same
  // results on five pages); Kindred's pages have no frames, so nothing is lost.
  // (`resultTypes: ['violations']` was tried: it made heading-order report a violation that is not there.)
  // Colours are checked as they settle, not half-way through a button's colour transition (the app turns
  // transitions off for reduced motion; seen as a flaky color-contrast on a busy machine).
  await page.emulateMedia({ reducedMotion: 'reduce' });
  const results = await new AxeBuilder({ page }).withTags(wcagTags).setLegacyMode(true).analyze();
  if (results.violations.length === 0) return;
  const list = results.violations.map((violation) => {
    const targets = violation.nodes.map((node) => `    - ${node.target.join(' ')}`).join('\n');
    return `- ${violation.id} (${violation.impact ?? 'unknown impact'}): ${violation.help}\n${targets}`;
  });
  throw new Error(
    `axe found ${results.violations.length} accessibility violation(s) on ${page.url()}:\n${list.join('\n')}`,
  );
}

/**
 * Writes tests/artifacts/<name>.png (git-ignored) of the whole page (or of what is in the window, for a
 * screen sized to the window), for a person to look at; CI (`CI` set),
 * where nobody does, skips them: rendering whole pages was a good part of Chromium's work there.
 */
export async function screenshot(page: Page, name: string, fullPage = true): Promise<string | undefined> {
  if (process.env.CI) return undefined;
  await mkdir(artifactsDir, { recursive: true });
  const path = join(artifactsDir, `${name}.png`);
  await page.screenshot({ path, fullPage });
  return path;
}

export async function expectNoSidewaysScroll(page: Page): Promise<void> {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow, `sideways scroll on ${page.url()}`).toBeLessThanOrEqual(0);
}

const httpReasons = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 409: 'Conflict' };

/**
 * What Chromium logs for an HTTP error answer. A refused sign-in is a 401 the page expects and explains,
 * but the browser still reports it on the console; tests list exactly the ones they cause.
 */
export function httpError(status: keyof typeof httpReasons): string {
  return `console error: Failed to load resource: the server responded with a status of ${status} (${httpReasons[status]})`;
}

export interface BrowserPlatformOptions {
  /** Extra environment for the server, e.g. raised rate limits or admin usernames. */
  env?: PlatformOptions['env'];
  /** Starts every username from newUsername() (`member` unless told), so a file's members stand out in the logs. */
  usernamePrefix?: string;
  /** Admin accounts made before the platform starts, as an operator makes them (the CLI's `admin create`). */
  admins?: { username: string; password: string }[];
}

export interface BrowserPlatform {
  /** The started platform; only there once the tests run, so it is a function rather than a value. */
  platform(): Platform;
  /** A page in a browser context of its own (its own cookies), and the console errors it collects. */
  openPage(options?: BrowserContextOptions): Promise<{ page: Page; errors: string[] }>;
  /**
   * Opens a path, expects a 200, and waits for `ready` (the app's h1 unless told) to show; if it never
   * does, says what the browser saw.
   */
  visit(page: Page, path: string, errors: string[], ready?: string): Promise<void>;
  /**
   * Visits a page, waits for `ready` text, and checks it as a person (and axe) would: one h1, nothing to
   * scroll sideways, and a screenshot named `name`.
   */
  checkPage(page: Page, errors: string[], path: string, ready: string, name: string): Promise<void>;
  /** The wait of visit() alone, for a page that is already there (e.g. after a reload). */
  waitForReady(page: Page, errors: string[], ready?: string): Promise<void>;
  /** Sends a request as this page's member (its cookie jar is the context's) and answers the JSON. */
  send<T = unknown>(page: Page, method: string, path: string, data?: unknown): Promise<T>;
  /** A username no other test uses: 3–32 letters, numbers or underscores. */
  newUsername(): string;
}

/**
 * Starts the platform and Chromium before the tests of the file (or the describe) it is called in, closes
 * each test's browser contexts after it, and stops both at the end. Call it at the top of the file, or in
 * a describe that needs a platform started with its own environment.
 */
export function useBrowserPlatform(options: BrowserPlatformOptions = {}): BrowserPlatform {
  const usernamePrefix = options.usernamePrefix ?? 'member';
  let platform: Platform | undefined;
  let browser: Browser | undefined;
  const openContexts: BrowserContext[] = [];
  let usernameCount = 0;

  let dataDir: string | undefined;

  beforeAll(async () => {
    // On the embedded database, a copy of the run's ready data folder spares each file a first start.
    if (!options.env?.DATABASE_URL) {
      dataDir = await mkdtemp(join(tmpdir(), 'kindred-browser-'));
      await cp(inject('dataTemplate'), dataDir, { recursive: true });
    }
    for (const admin of options.admins ?? []) {
      await createAdmin({ env: options.env ?? {}, ...(dataDir ? { dataDir } : {}) }, admin);
    }
    platform = await startPlatform({ env: options.env, ...(dataDir ? { dataDir } : {}) });
    browser = await launchChromium();
  }, 120_000);

  afterEach(async () => {
    await Promise.allSettled(openContexts.splice(0).map((context) => context.close()));
  });

  afterAll(async () => {
    try {
      await browser?.close();
    } finally {
      await stopAll();
      if (dataDir) await rm(dataDir, { recursive: true, force: true, maxRetries: 3 });
    }
  }, 30_000);

  function startedPlatform(): Platform {
    if (!platform) throw new Error('The platform did not start');
    return platform;
  }

  async function waitForReady(page: Page, errors: string[], ready = 'h1'): Promise<void> {
    try {
      await page.locator(ready).first().waitFor({ state: 'visible', timeout: readyTimeoutMs });
    } catch {
      const body = await page.evaluate(() => document.body.innerText.slice(0, 500)).catch(() => '(unreadable)');
      throw new Error(
        `${page.url()} showed no ${ready} within ${readyTimeoutMs / 1000} s.\n` +
          `Browser errors: ${JSON.stringify(errors)}\nPage text: ${body}`,
      );
    }
  }

  async function visit(page: Page, path: string, errors: string[], ready?: string): Promise<void> {
    const response = await page.goto(`${startedPlatform().url}${path}`, { waitUntil: 'load' });
    expect(response?.status(), `GET ${path}`).toBe(200);
    await waitForReady(page, errors, ready);
  }

  return {
    platform: startedPlatform,
    async openPage(contextOptions = {}) {
      if (!browser) throw new Error('Chromium did not launch');
      const context = await browser.newContext(contextOptions);
      openContexts.push(context);
      const page = await context.newPage();
      const errors = await collectConsoleErrors(page);
      return { page, errors };
    },
    visit,
    async checkPage(page, errors, path, ready, name) {
      await visit(page, path, errors);
      // The first the reader can see: on a phone the navigation's links wait folded behind its menu.
      await page.getByText(ready, { exact: false }).filter({ visible: true }).first().waitFor();
      expect(await page.locator('h1').count()).toBe(1);
      await expectNoSidewaysScroll(page);
      await screenshot(page, name);
      await expectNoAxeViolations(page);
    },
    waitForReady,
    async send<T = unknown>(page: Page, method: string, path: string, data?: unknown): Promise<T> {
      const answer = await page.context().request.fetch(`${startedPlatform().url}${path}`, {
        method,
        headers: { origin: startedPlatform().url },
        ...(data === undefined ? {} : { data }),
      });
      expect(answer.ok(), `${method} ${path}: ${await answer.text()}`).toBe(true);
      return (answer.status() === 204 ? undefined : await answer.json()) as T;
    },
    newUsername() {
      usernameCount += 1;
      return `${usernamePrefix}_${Date.now().toString(36)}_${usernameCount}`;
    },
  };
}
