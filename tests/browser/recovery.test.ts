// Lost passwords through the started platform in real Chromium (issue 18, finding 8): a member joins and
// keeps the recovery codes shown once (copied, and downloaded, by keyboard), later forgets the password and
// signs in with a code through "Forgot your password?"; an admin issues a one-time reset link and the member
// uses it. Every page visited passes axe in light, in dark and at 390 px on the same page load.
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  expectNoAxeViolations,
  expectNoSidewaysScroll,
  httpError,
  screenshot,
  useBrowserPlatform,
} from '../support/browser.ts';

const password = 'quiet harbour lantern morning';
const adminUsername = `admin_${Date.now().toString(36)}`;

const { platform, openPage, visit, newUsername } = useBrowserPlatform({
  usernamePrefix: 'recover',
  admins: [{ username: adminUsername, password }],
});

/** Axe and the layout as the page is now, then in dark, then on a 390 px phone: one page load, three looks. */
async function checkVariants(page: Page, name: string): Promise<void> {
  const size = page.viewportSize() ?? { width: 1280, height: 720 };
  expect(await page.locator('h1').count()).toBe(1);
  await expectNoAxeViolations(page);
  await screenshot(page, `${name}-light`);
  await page.emulateMedia({ colorScheme: 'dark' });
  await expectNoAxeViolations(page);
  await screenshot(page, `${name}-dark`);
  await page.setViewportSize({ width: 390, height: 844 });
  await expectNoSidewaysScroll(page);
  await expectNoAxeViolations(page);
  await screenshot(page, `${name}-390px`);
  await page.setViewportSize(size);
  await page.emulateMedia({ colorScheme: 'light' });
}

const focusedText = (page: Page) => page.evaluate(() => document.activeElement?.textContent?.trim());

describe('a member who forgets their password', () => {
  it('keeps the codes shown at joining, signs in with one, and is helped back by an admin’s link', async () => {
    const { page, errors } = await openPage({
      colorScheme: 'light',
      permissions: ['clipboard-read', 'clipboard-write'],
    });
    const username = newUsername();

    // Joining shows the codes once, says plainly to keep them safe, and the heading takes focus.
    await visit(page, '/join', errors);
    await page.getByLabel('Username', { exact: true }).fill(username);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Join Kindred' }).click();
    const heading = page.getByRole('heading', { level: 2, name: 'Your recovery codes' });
    await heading.waitFor();
    expect(await focusedText(page)).toBe('Your recovery codes');
    await page.getByText('Please keep these codes somewhere safe').waitFor();
    await page.getByText('We can’t show them again.').waitFor();
    const codes = (
      await page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem').allTextContents()
    ).map((code) => code.trim());
    expect(codes).toHaveLength(10);
    for (const code of codes) expect(code).toMatch(/^[2-9A-HJKMNP-TV-Z]{4}(-[2-9A-HJKMNP-TV-Z]{4}){3}$/);

    // Copy, then download, from the keyboard.
    await page.getByRole('button', { name: 'Copy the codes' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: 'The codes are copied' }).waitFor();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    for (const code of codes) expect(copied).toContain(code);
    // Download by keyboard too.
    await page.keyboard.press('Tab');
    expect(await focusedText(page)).toBe('Download the codes');
    const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
    expect(download.suggestedFilename()).toBe('kindred-recovery-codes.txt');
    const file = await readFile(await download.path(), 'utf8');
    for (const code of codes) expect(file).toContain(code);
    await checkVariants(page, 'recovery-codes-at-join');
    await page.getByRole('link', { name: 'I’ve kept my codes safe — continue' }).click();
    await page.waitForURL(`${platform().url}/welcome`);

    // Signed out, the password forgotten: "Forgot your password?" on the sign-in page.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('status').filter({ hasText: 'You have signed out' }).waitFor();
    await visit(page, '/signin', errors);
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.getByRole('heading', { level: 1, name: 'Forgot your password?' }).waitFor();

    // A wrong code first: told gently beside the code, nothing changed.
    await page.getByLabel('Username', { exact: true }).fill(username);
    await page.getByLabel('Recovery code', { exact: true }).fill('ABCD-EFGH-JKMN-PQRS');
    await page.getByLabel('New password', { exact: true }).fill('a lighthouse after rain');
    await page.getByRole('button', { name: 'Set my new password and sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'recovery code don’t match' }).waitFor();
    await checkVariants(page, 'recovery-forgot-error');

    await page.getByLabel('Recovery code', { exact: true }).fill(codes[2]!.toLowerCase());
    await page.getByRole('button', { name: 'Set my new password and sign in' }).click();
    await page.getByRole('status').filter({ hasText: 'Your new password is set and you are signed in' }).waitFor();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Your account' }).waitFor();

    // The account says how many codes are left, and can make a new set.
    await visit(page, '/account', errors);
    await page.getByText('You have 9 unused codes').waitFor();
    await checkVariants(page, 'recovery-account');

    // Later the codes are lost too: an admin issues a link from the member's admin view.
    const { page: adminPage, errors: adminErrors } = await openPage({ colorScheme: 'light' });
    await visit(adminPage, '/signin', adminErrors);
    await adminPage.getByLabel('Username', { exact: true }).fill(adminUsername);
    await adminPage.getByLabel('Password', { exact: true }).fill(password);
    await adminPage.getByRole('button', { name: 'Sign in', exact: true }).click();
    await adminPage.waitForURL(`${platform().url}/`);
    await visit(adminPage, `/admin/members/${username}`, adminErrors);
    await adminPage.getByRole('heading', { name: 'Help them back into their account' }).waitFor();
    await adminPage.getByRole('button', { name: /^Make a reset link for / }).click();
    const linkBox = adminPage.getByRole('textbox', { name: /^Reset link for / });
    await linkBox.waitFor();
    const url = await linkBox.inputValue();
    expect(url).toMatch(new RegExp(`^${platform().url}/reset/[a-z2-7]{32}$`));
    await adminPage.getByText('A link was issued').waitFor();
    await adminPage.getByText('it has not been used yet').waitFor();
    await checkVariants(adminPage, 'recovery-admin-link');

    // The member opens the link, on a device where they are signed out.
    const { page: phone, errors: phoneErrors } = await openPage({ colorScheme: 'light' });
    await visit(phone, new URL(url).pathname, phoneErrors);
    await phone.getByText(`This link is for ${username}`).waitFor();
    await checkVariants(phone, 'recovery-reset-link');
    await phone.getByLabel('New password', { exact: true }).fill('the long way home again');
    await phone.getByRole('button', { name: 'Set my new password' }).click();
    await phone.waitForURL(`${platform().url}/account`);
    await phone.getByRole('status').filter({ hasText: 'The link is used up now' }).waitFor();

    // Every other session ended: the first browser is signed out.
    const before = await page.request.get(`${platform().url}/api/me`);
    expect(before.status()).toBe(401);

    // The admin sees that the link was used, never the password.
    await visit(adminPage, `/admin/members/${username}`, adminErrors);
    await adminPage.getByRole('heading', { name: 'Help them back into their account' }).waitFor();
    await adminPage.getByText('it was used').waitFor();
    expect(await adminPage.content()).not.toContain('the long way home again');

    // A used link says so gently.
    await visit(phone, new URL(url).pathname, phoneErrors);
    await phone.getByText('This link has already been used, or it has expired').waitFor();
    await checkVariants(phone, 'recovery-reset-link-used');

    expect(errors).toEqual([httpError(401)]);
    expect(adminErrors).toEqual([]);
    expect(phoneErrors).toEqual([
      'console error: Failed to load resource: the server responded with a status of 404 (Not Found)',
    ]);
  });
});
