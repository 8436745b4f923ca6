// A first start as a new person meets it: PUBLIC_ORIGIN unset, the platform says in one line where to open
// it, and signing in works at http://127.0.0.1:PORT and at http://localhost:PORT alike (over the real port,
// with a real HTTP client and in Chromium). A page opened at another address is told which one to use.
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chromiumPath,
  collectConsoleErrors,
  expectNoAxeViolations,
  expectNoSidewaysScroll,
  httpError,
  screenshot,
  useBrowserPlatform,
} from '../support/browser.ts';

const password = 'a lantern by the window';
const { platform, openPage, newUsername } = useBrowserPlatform({
  env: { PUBLIC_ORIGIN: '', LOG_LEVEL: 'info' },
  usernamePrefix: 'first',
});

const at = (host: string) => `http://${host}:${platform().port}`;

async function post(base: string, path: string, body: unknown): Promise<Response> {
  return fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: base },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
}

describe('a first start with PUBLIC_ORIGIN unset', () => {
  it('says once where to open Kindred, and nothing of "Server listening"', () => {
    const lines = platform().logs().split('\n');
    const ready = lines.filter((line) => line.includes('Kindred is ready'));
    expect(ready).toHaveLength(1);
    expect(ready[0]).toContain(`open ${at('localhost')} in your browser`);
    expect(platform().logs()).not.toContain('Server listening');
  });

  it('signs in over HTTP at 127.0.0.1 and at localhost, on the real port', async () => {
    const account = { username: newUsername(), password };
    const joined = await post(at('127.0.0.1'), '/api/auth/register', account);
    expect(joined.status, await joined.clone().text()).toBe(201);
    for (const host of ['127.0.0.1', 'localhost']) {
      const res = await post(at(host), '/api/auth/login', account);
      expect(res.status, `${host}: ${await res.clone().text()}`).toBe(200);
      const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
      const me = await fetch(`${at(host)}/api/me`, { headers: { cookie }, signal: AbortSignal.timeout(10_000) });
      expect(me.status).toBe(200);
      expect(((await me.json()) as { user: { username: string } }).user.username).toBe(account.username);
    }
  });

  it.each(['127.0.0.1', 'localhost'])('signs in through the form in Chromium at %s', async (host) => {
    const username = newUsername();
    expect((await post(at('127.0.0.1'), '/api/auth/register', { username, password })).status).toBe(201);
    const { page, errors } = await openPage();
    await page.goto(`${at(host)}/signin`, { waitUntil: 'load' });
    await page.getByLabel('Username', { exact: true }).fill(username);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL((url) => !url.pathname.startsWith('/signin'), { timeout: 15_000 });
    const me = await page.context().request.get(`${at(host)}/api/me`);
    expect(me.status()).toBe(200);
    expect(errors).toEqual([]);
  });
});

describe('a page opened at an address Kindred does not answer forms from', () => {
  // Another name for this machine, as a LAN address or a typo'd host would be: Chromium resolves it to
  // 127.0.0.1, where Kindred listens, but it is not one of Kindred's addresses.
  const wrongHost = 'kindred-elsewhere.test';
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--no-sandbox', '--headless', '--disable-gpu', `--host-resolver-rules=MAP ${wrongHost} 127.0.0.1`],
      timeout: 30_000,
    });
  });
  afterAll(() => browser?.close());

  it.each([
    ['light', { colorScheme: 'light' as const }],
    ['dark, on a 390 px phone', { colorScheme: 'dark' as const, viewport: { width: 390, height: 844 } }],
  ])('tells the person which address to open (%s)', async (name, options) => {
    const username = newUsername();
    expect((await post(at('127.0.0.1'), '/api/auth/register', { username, password })).status).toBe(201);
    const context = await browser.newContext(options);
    try {
      const page = await context.newPage();
      const errors = await collectConsoleErrors(page);
      await page.goto(`http://${wrongHost}:${platform().port}/signin`, { waitUntil: 'load' });
      await page.getByLabel('Username', { exact: true }).fill(username);
      await page.getByLabel('Password', { exact: true }).fill(password);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      const alert = page.getByRole('alert').filter({ hasText: 'Please open Kindred at' });
      await alert.waitFor({ timeout: 15_000 });
      expect(await alert.textContent()).toContain(`Please open Kindred at ${at('localhost')}`);
      expect(new URL(page.url()).pathname).toBe('/signin');
      await expectNoSidewaysScroll(page);
      await screenshot(page, `first-start-wrong-address-${name.replace(/\W+/g, '-')}`);
      await expectNoAxeViolations(page);
      // Chromium says it ignores the Cross-Origin-Opener-Policy header on any plain-http origin that is not
      // loopback: true of this address (and of a LAN one), and no fault of the page.
      const coop = 'The Cross-Origin-Opener-Policy header has been ignored';
      expect(errors.filter((error) => !error.includes(coop))).toEqual([httpError(403)]);
    } finally {
      await context.close();
    }
  });
});
