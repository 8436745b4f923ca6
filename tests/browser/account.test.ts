// Account journeys through the started platform in real Chromium: joining, signing out and in, the
// account page (display name, sessions, data export, deletion), and how forms tell a person what went
// wrong. Every page passes axe, with and without an error shown, in light, dark and on a small phone.
import { readFile } from 'node:fs/promises';
import type { BrowserContextOptions, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  expectNoAxeViolations,
  expectNoSidewaysScroll,
  httpError,
  screenshot,
  useBrowserPlatform,
} from '../support/browser.ts';

const password = 'quiet harbour lantern morning';
const mismatch = 'That username and password do not match. Please check them and try again.';

const { platform, openPage, visit, waitForReady, newUsername } = useBrowserPlatform();

/** Registers through the API, outside any browser, for tests that start with an existing member. */
async function registerMember(username: string): Promise<void> {
  const response = await fetch(`${platform().url}/api/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: platform().url },
    body: JSON.stringify({ username, password }),
    signal: AbortSignal.timeout(10_000),
  });
  expect(response.status, await response.clone().text()).toBe(201);
}

async function signIn(page: Page, username: string, secret = password): Promise<void> {
  await page.getByLabel('Username', { exact: true }).fill(username);
  await page.getByLabel('Password', { exact: true }).fill(secret);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

const nav = (page: Page) => page.getByRole('navigation', { name: 'Main' });
const focused = (page: Page) =>
  page.evaluate(() => {
    const element = document.activeElement;
    return { tag: element?.tagName.toLowerCase(), id: element?.id, name: element?.getAttribute('aria-label') };
  });

/** The error message shown beside an input, once it is there: the input is marked invalid and described by it. */
async function errorBeside(page: Page, inputId: string): Promise<string> {
  const input = page.locator(`#${inputId}[aria-invalid="true"]`);
  await input.waitFor();
  const describedBy = (await input.getAttribute('aria-describedby')) ?? '';
  const errorId = describedBy.split(' ').find((id) => id.endsWith('-error'));
  expect(errorId, `aria-describedby of #${inputId} is "${describedBy}"`).toBeDefined();
  return (await page.locator(`#${errorId}`).textContent())?.trim() ?? '';
}

describe('a member from start to end', () => {
  it('joins by keyboard, signs out and in, renames, downloads their data and deletes the account', async () => {
    const { page, errors } = await openPage({ colorScheme: 'light' });
    const username = newUsername();

    // Join, from the keyboard alone once the cursor is in the first field.
    await visit(page, '/join', errors);
    expect(await page.title()).toBe('Join Kindred');
    expect(await nav(page).getByRole('link', { name: 'Join Kindred' }).getAttribute('aria-current')).toBe('page');
    await page.getByLabel('Username', { exact: true }).focus();
    await page.keyboard.type(username);
    await page.keyboard.press('Tab');
    await page.keyboard.type('Robin');
    await page.keyboard.press('Tab');
    await page.keyboard.type(password);

    // Show/Hide lets a person check what they typed.
    await page.keyboard.press('Tab');
    expect(await focused(page)).toMatchObject({ tag: 'button', name: 'Show password' });
    await page.keyboard.press('Space');
    expect(await page.locator('#password').getAttribute('type')).toBe('text');
    expect(await focused(page)).toMatchObject({ tag: 'button', name: 'Hide password' });
    await page.keyboard.press('Space');
    expect(await page.locator('#password').getAttribute('type')).toBe('password');

    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Join Kindred');
    await page.keyboard.press('Enter');
    // The recovery codes, shown once (recovery.test.ts), then on to the gentle, optional question of who
    // they are here as (see rooms.test.ts).
    await page.getByRole('link', { name: 'I’ve kept my codes safe — continue' }).click();
    await page.waitForURL(`${platform().url}/welcome`);
    await nav(page).getByRole('link', { name: 'Your account' }).waitFor();

    // Sign out, and the nav says so.
    await nav(page).getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('status').filter({ hasText: 'You have signed out' }).waitFor();
    expect(await nav(page).getByRole('link', { name: 'Sign in' }).isVisible()).toBe(true);
    expect(await nav(page).getByRole('link', { name: 'Your account' }).count()).toBe(0);

    // Sign in again; usernames are not case-sensitive.
    await nav(page).getByRole('link', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    await signIn(page, username.toUpperCase());
    await page.waitForURL(`${platform().url}/`);

    // The account page, reloaded from scratch so the session is read back from the server.
    await visit(page, '/account', errors);
    expect(await page.title()).toBe('Your account — Kindred');
    expect(await nav(page).getByRole('link', { name: 'Your account' }).getAttribute('aria-current')).toBe('page');
    expect(await page.locator('.who').textContent()).toContain('Robin');
    await page.getByText('This browser', { exact: true }).waitFor();

    // A new display name, shown at once.
    await page.getByLabel('Display name', { exact: true }).fill('Robin, in the rain');
    await page.getByRole('button', { name: 'Save display name' }).click();
    await page.getByRole('status').filter({ hasText: 'Others now see you as “Robin, in the rain”' }).waitFor();
    expect(await page.locator('.who').textContent()).toContain('Robin, in the rain');

    // The export: a file with their own account in it and nothing secret.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download my data' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^kindred-my-data-\d{4}-\d{2}-\d{2}\.json$/);
    const file = await readFile(await download.path(), 'utf8');
    const exported = JSON.parse(file) as { user?: { username?: string; displayName?: string } };
    expect(exported.user).toMatchObject({ username, displayName: 'Robin, in the rain' });
    expect(file).not.toMatch(/passwordHash|password_hash|\$argon2/i);
    expect(file).not.toContain(password);
    await page.getByRole('status').filter({ hasText: 'Your download has started' }).waitFor();

    // Deleting asks first, says plainly what goes, and wants the password.
    await page.getByRole('button', { name: 'Delete my account…' }).click();
    const confirmation = page.getByRole('heading', { name: 'Before you go' });
    await confirmation.waitFor();
    expect(await focused(page)).toMatchObject({ tag: 'h3' });
    expect(await page.locator('section[aria-labelledby="delete-title"]').textContent()).toMatch(/can't be undone/);
    await screenshot(page, 'account-delete-confirm');

    // "Keep my account" closes the step and hands focus back.
    await page.getByRole('button', { name: 'Keep my account' }).click();
    expect(await confirmation.count()).toBe(0);
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Delete my account…');

    await page.keyboard.press('Enter');
    await page.getByLabel('Your password', { exact: true }).fill('not my password at all');
    await page.getByRole('button', { name: 'Delete my account', exact: true }).click();
    expect(await errorBeside(page, 'delete-password')).toBe('That password is not right. Please try again.');
    expect(await focused(page)).toMatchObject({ id: 'delete-password' });
    await screenshot(page, 'account-delete-wrong-password');
    await expectNoAxeViolations(page);

    await page.getByLabel('Your password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Delete my account', exact: true }).click();
    await page.waitForURL(`${platform().url}/`);
    await page.getByRole('status').filter({ hasText: 'Your account is deleted' }).waitFor();
    await screenshot(page, 'home-after-deleting');
    expect(await nav(page).getByRole('link', { name: 'Sign in' }).isVisible()).toBe(true);

    // The account is gone: signing in with it is refused, kindly.
    await nav(page).getByRole('link', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    await signIn(page, username);
    await page.getByRole('alert').filter({ hasText: mismatch }).waitFor();
    expect(await errorBeside(page, 'password')).toBe(mismatch);
    expect(page.url()).toBe(`${platform().url}/signin`);

    // A known race, left for the next wave: the live socket may try once more with the ended session, and is
    // refused (401) — nothing is shown to the member. Every other error still fails the journey.
    const socketRefused = /^console error: WebSocket connection to .* failed: HTTP Authentication failed/;
    expect(errors.filter((error) => !socketRefused.test(error))).toEqual([httpError(401), httpError(401)]);
  });
});

describe('sign in', () => {
  it('shows a wrong password beside the field, keeps the username and moves focus there', async () => {
    const username = newUsername();
    await registerMember(username);
    const { page, errors } = await openPage();
    await visit(page, '/signin', errors);
    const logins: string[] = [];
    page.on('request', (request) => {
      if (request.url().endsWith('/api/auth/login')) logins.push(request.method());
    });

    // A double click sends the form once.
    await page.getByLabel('Username', { exact: true }).fill(username);
    await page.getByLabel('Password', { exact: true }).fill('not the right one');
    await page.getByRole('button', { name: 'Sign in', exact: true }).dblclick();
    await page.getByRole('alert').filter({ hasText: mismatch }).waitFor();
    expect(logins).toEqual(['POST']);
    expect(await errorBeside(page, 'password')).toBe(mismatch);
    expect(await focused(page)).toMatchObject({ id: 'password' });
    expect(await page.getByLabel('Username', { exact: true }).inputValue()).toBe(username);
    expect(await page.locator('#username').getAttribute('aria-invalid')).toBeNull();
    // The button is ready again for another try.
    expect(await page.getByRole('button', { name: 'Sign in', exact: true }).getAttribute('aria-disabled')).toBe(
      'false',
    );
    await screenshot(page, 'signin-wrong-password');
    await expectNoAxeViolations(page);

    // Setting it right signs in and goes home.
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.keyboard.press('Enter');
    await page.waitForURL(`${platform().url}/`);
    expect(errors).toEqual([httpError(401)]);
  });

  it('asks for empty fields without a trip to the server, and focuses the first', async () => {
    const { page, errors } = await openPage();
    await visit(page, '/signin', errors);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();

    expect(await errorBeside(page, 'username')).toBe('Please enter your username.');
    expect(await errorBeside(page, 'password')).toBe('Please enter your password.');
    expect(await focused(page)).toMatchObject({ id: 'username' });
    // The summary links to each field.
    await page.getByRole('alert').getByRole('link', { name: 'Please enter your password.' }).click();
    expect(await focused(page)).toMatchObject({ id: 'password' });
    await expectNoAxeViolations(page);
    expect(errors).toEqual([]);
  });

  it('sends /account to sign in first, then back to /account', async () => {
    const username = newUsername();
    await registerMember(username);
    const { page, errors } = await openPage();
    await page.goto(`${platform().url}/account`);
    await page.waitForURL(`${platform().url}/signin?next=%2Faccount`);
    await waitForReady(page, errors);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Sign in');

    await signIn(page, username);
    await page.waitForURL(`${platform().url}/account`);
    await page.getByRole('heading', { level: 1, name: 'Your account' }).waitFor();
    expect(errors).toEqual([]);
  });

  it('does not follow a next= that leaves Kindred', async () => {
    const username = newUsername();
    await registerMember(username);
    const { page, errors } = await openPage();
    await visit(page, `/signin?next=${encodeURIComponent('//example.com/')}`, errors);
    await signIn(page, username);
    await page.waitForURL(`${platform().url}/`);
    expect(errors).toEqual([]);
  });
});

describe('join', () => {
  it('explains a refused password beside the field and keeps everything typed', async () => {
    const { page, errors } = await openPage({ colorScheme: 'dark', viewport: { width: 360, height: 780 } });
    const username = newUsername();
    await visit(page, '/join', errors);

    await page.getByLabel('Username', { exact: true }).fill(username);
    await page.getByLabel('Display name (optional)').fill('Sam');
    await page.getByLabel('Password', { exact: true }).fill('password123');
    await page.getByRole('button', { name: 'Join Kindred' }).click();

    await page.getByRole('alert').filter({ hasText: 'one of the most common' }).waitFor();
    expect(await errorBeside(page, 'password')).toMatch(/one of the most common ones/);
    expect(await focused(page)).toMatchObject({ id: 'password' });
    expect(await page.getByLabel('Username', { exact: true }).inputValue()).toBe(username);
    expect(await page.getByLabel('Display name (optional)').inputValue()).toBe('Sam');
    expect(await page.getByLabel('Password', { exact: true }).inputValue()).toBe('password123');
    await expectNoSidewaysScroll(page);
    await screenshot(page, 'join-error-dark-360px');
    await expectNoAxeViolations(page);
    expect(errors).toEqual([httpError(400)]);
  });

  it('says when a username is taken', async () => {
    const username = newUsername();
    await registerMember(username);
    const { page, errors } = await openPage();
    await visit(page, '/join', errors);
    await page.getByLabel('Username', { exact: true }).fill(username);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Join Kindred' }).click();
    await page.getByRole('alert').filter({ hasText: 'Someone already uses that username' }).waitFor();
    expect(await errorBeside(page, 'username')).toBe('Someone already uses that username. Please choose another.');
    expect(await focused(page)).toMatchObject({ id: 'username' });
    expect(errors).toEqual([
      'console error: Failed to load resource: the server responded with a status of 409 (Conflict)',
    ]);
  });
});

describe('account page', () => {
  it('lists other sessions and signs them out', async () => {
    const username = newUsername();
    await registerMember(username); // that registration is a session elsewhere
    const { page, errors } = await openPage();
    await visit(page, '/signin', errors);
    await signIn(page, username);
    await page.waitForURL(`${platform().url}/`);
    await visit(page, '/account', errors);

    await page.getByText('Another browser or device').waitFor();
    await page.getByRole('button', { name: 'Sign out everywhere else' }).click();
    await page.getByRole('status').filter({ hasText: 'signed out everywhere except here' }).waitFor();
    expect(await page.getByText('Another browser or device').count()).toBe(0);
    expect(await focused(page)).toMatchObject({ id: 'sessions-title' });
    await page.getByText("You aren't signed in anywhere else.").waitFor();

    // A password change is refused beside the field when the current password is wrong.
    await page.getByLabel('Current password', { exact: true }).fill('wrong wrong wrong');
    await page.getByLabel('New password', { exact: true }).fill('a new and quiet password');
    await page.getByRole('button', { name: 'Change password' }).click();
    expect(await errorBeside(page, 'current-password')).toBe('Your current password is not right.');
    expect(await focused(page)).toMatchObject({ id: 'current-password' });
    await page.getByLabel('Current password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('status').filter({ hasText: 'Your password is changed' }).waitFor();
    expect(await page.getByLabel('Current password', { exact: true }).inputValue()).toBe('');
    expect(errors).toEqual([httpError(401)]);
  });

  const variants: { name: string; options: BrowserContextOptions }[] = [
    { name: 'light', options: { colorScheme: 'light' } },
    { name: 'dark', options: { colorScheme: 'dark' } },
    { name: '360px', options: { colorScheme: 'light', viewport: { width: 360, height: 780 } } },
  ];

  it.each(variants)('join, sign in and account read well and pass axe ($name)', async ({ name, options }) => {
    const { page, errors } = await openPage(options);
    const username = newUsername();
    await registerMember(username);

    for (const path of ['/join', '/signin']) {
      await visit(page, path, errors);
      expect(await page.locator('h1').count()).toBe(1);
      await expectNoSidewaysScroll(page);
      await screenshot(page, `${path.slice(1)}-${name}`);
      await expectNoAxeViolations(page);
    }

    await signIn(page, username);
    await page.waitForURL(`${platform().url}/`);
    await visit(page, '/account', errors);
    await page.getByText('This browser', { exact: true }).waitFor();
    expect(await page.locator('h1').count()).toBe(1);
    await expectNoSidewaysScroll(page);
    await screenshot(page, `account-${name}`);
    await expectNoAxeViolations(page);
    expect(errors).toEqual([]);
  });
});
