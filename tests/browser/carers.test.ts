// Care for the carers, in real Chromium: a moderator goes on duty and reads the handover note another
// moderator left; once they have been there as long as the operator set (DUTY_NUDGE_MINUTES, 30 here; the
// page's clock is moved forward, not waited for) they are nudged gently to rest, leave a note and step away,
// and the urgent item waiting in the room is passed to the moderator still on duty. Then their own month,
// and the private moderators' room, which a member cannot open. Each page passes axe in light at desktop
// size, then in dark at 390 px on the same load.
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { expectNoAxeViolations, expectNoSidewaysScroll, screenshot, useBrowserPlatform } from '../support/browser.ts';
import { ChatSocket, joinRoom, registerMember, runTag, api as nodeApi } from '../support/chat.ts';

const password = 'quiet harbour lantern morning';
const adminUsername = `admin_${Date.now().toString(36)}`;
const slug = 'faith-and-meaning';
const roomName = 'Faith, spirit and meaning';

const { platform, openPage, visit, newUsername, send } = useBrowserPlatform({
  env: { REGISTER_LIMIT_PER_HOUR: '1000', LOGIN_LIMIT_PER_15MIN: '1000', DUTY_NUDGE_MINUTES: '30' },
  usernamePrefix: 'carer',
  admins: [{ username: adminUsername, password }],
});
const openSockets: ChatSocket[] = [];
afterEach(() => {
  for (const socket of openSockets.splice(0)) socket.close();
});

async function signedIn(how: 'register' | 'login', username: string, displayName?: string) {
  const { page, errors } = await openPage({ colorScheme: 'light', viewport: { width: 1280, height: 900 } });
  const answer = await page.request.post(`${platform().url}/api/auth/${how}`, {
    headers: { origin: platform().url },
    data: { username, password, ...(displayName ? { displayName } : {}) },
  });
  expect(answer.status(), await answer.text()).toBeLessThan(300);
  const { user } = (await answer.json()) as { user: { id: string } };
  return { page, errors, id: user.id };
}

/** The same page load, checked again in dark and at 390 px wide. */
async function darkAndNarrow(page: Page, name: string): Promise<void> {
  await expectNoAxeViolations(page);
  await screenshot(page, `${name}-light`);
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.setViewportSize({ width: 390, height: 844 });
  await expectNoSidewaysScroll(page);
  await expectNoAxeViolations(page);
  await screenshot(page, `${name}-dark-390`);
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize({ width: 1280, height: 900 });
}

describe('caring for the carers', () => {
  it('handover note, nudge, step away, the month and the moderators’ room', async () => {
    const admin = await signedIn('login', adminUsername);
    const mina = await signedIn('register', newUsername(), 'Mina');
    const noor = await signedIn('register', newUsername(), 'Noor');
    for (const moderator of [mina, noor]) {
      await send(moderator.page, 'POST', `/api/rooms/${slug}/join`, { acceptRules: true });
      await send(admin.page, 'PUT', `/api/rooms/${slug}/moderators/${moderator.id}`);
    }
    // Noor is on duty and left a note; something urgent is waiting in the room.
    await send(noor.page, 'PUT', `/api/rooms/${slug}/duty`, {});
    const note = 'Someone new here is finding the evenings hard. A gentle welcome helps.';
    await send(noor.page, 'POST', `/api/rooms/${slug}/handover`, { body: note });
    const writer = await registerMember(platform().url, `w_${runTag()}_${newUsername()}`.slice(0, 32));
    await joinRoom(platform().url, writer, slug);
    const socket = await ChatSocket.connect(platform().url, writer);
    openSockets.push(socket);
    socket.send({ type: 'send', room: slug, clientId: `c-${runTag()}`, body: 'I keep thinking about the date.' });
    const ack = await socket.next((frame) => frame.type === 'ack', 10_000);
    const worried = await registerMember(platform().url, `r_${runTag()}_${newUsername()}`.slice(0, 32));
    await joinRoom(platform().url, worried, slug);
    const report = await nodeApi(platform().url, '/api/reports', {
      member: worried,
      body: { target: { type: 'message', id: (ack.message as { id: string }).id }, reason: 'worried_about_member' },
    });
    expect(report.status, await report.text()).toBe(201);

    // Mina goes on duty, with a clock the test can move.
    const page = mina.page;
    await page.clock.install();
    await visit(page, '/moderation/rooms', mina.errors);
    const room = page.getByRole('region', { name: roomName });
    await room.getByRole('button', { name: `Go on duty in ${roomName}` }).click();
    await room.getByRole('status').filter({ hasText: "You're on duty." }).waitFor();
    const notes = room.getByRole('region', { name: `Handover notes for ${roomName}` });
    await notes.getByText(note).waitFor();
    await notes.getByText('Noor,', { exact: false }).waitFor();
    expect(await room.getByText("You've been here for", { exact: false }).count()).toBe(0);

    // Past the operator's 30 minutes: a gentle nudge, never a stop.
    await page.clock.fastForward('31:00');
    const nudge = room.getByRole('status').filter({ hasText: "You've been here for 30 minutes. Thank you." });
    await nudge.waitFor();
    await nudge.getByText("It's fine to rest; others can take it from here", { exact: false }).waitFor();
    await room.getByRole('button', { name: `Go off duty in ${roomName}` }).waitFor();
    await darkAndNarrow(page, 'carers-on-duty-nudged');

    // A note for whoever comes next, then stepping away.
    await notes.getByLabel('A note for the next moderator').fill('Quiet hour. Nothing else waiting from me.');
    await notes.getByRole('button', { name: 'Leave the note' }).click();
    await notes.getByRole('status').filter({ hasText: 'Your note is left for the next moderator.' }).waitFor();
    await notes.getByText('Quiet hour. Nothing else waiting from me.').waitFor();
    await room.getByRole('button', { name: `Step away from ${roomName}` }).click();
    await room
      .getByRole('status')
      .filter({ hasText: "You're off duty. We passed one urgent item to the moderator still on duty." })
      .waitFor();
    await room.getByRole('button', { name: `Go on duty in ${roomName}` }).waitFor();
    const duty = await send<{ onDuty: boolean }>(page, 'GET', `/api/rooms/${slug}/duty`);
    expect(duty.onDuty).toBe(false);

    // Her own month.
    await page.getByRole('navigation', { name: 'Moderation' }).getByRole('link', { name: 'Your month' }).click();
    await page.getByRole('heading', { name: 'Your month' }).waitFor();
    await page.getByRole('heading', { name: /What you handled in/ }).waitFor();
    await page.getByRole('link', { name: 'Urgent help and crisis lines' }).waitFor();
    await page.getByText('vicarious grief', { exact: false }).waitFor();
    await darkAndNarrow(page, 'carers-my-month');

    // The moderators' room, from the moderation menu.
    await page.getByRole('navigation', { name: 'Moderation' }).getByRole('link', { name: 'Moderators’ room' }).click();
    await page.getByRole('heading', { level: 1, name: 'The moderators’ room' }).waitFor();
    const composer = page.getByLabel('Write to the room', { exact: true });
    await composer.fill('A heavy hour in faith and meaning. Stepping away for a bit.');
    await composer.press('Enter');
    await page.locator('article.message').filter({ hasText: 'Stepping away for a bit.' }).waitFor();
    await darkAndNarrow(page, 'carers-moderators-room');
    expect(mina.errors).toEqual([]);

    // A member finds no such room, and never sees it listed.
    const member = await signedIn('register', newUsername(), 'Ash');
    const staffSlug = new URL(page.url()).pathname.split('/').pop()!;
    await member.page.goto(`${platform().url}/rooms/${staffSlug}`);
    await member.page.getByRole('heading', { level: 1, name: "We couldn't find that page" }).waitFor();
    const listed = await send<{ rooms: { slug: string }[] }>(member.page, 'GET', '/api/rooms');
    expect(listed.rooms.map((r) => r.slug)).not.toContain(staffSlug);
  });
});
