// A member's mark colour: chosen from a fixed palette on PATCH /api/me, answered on GET /api/me and in the
// author of their named words (chat messages, stories, replies), and never on anonymous words, where a
// colour chosen by one member would say who wrote them.
import { MARK_COLOURS } from '@kindred/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createRoom, createTestApp, makeAdmin, registerMember, type Member, type TestApp } from './helpers.ts';
import { connect, listen } from './sockets.ts';

const DAY = 24 * 60 * 60 * 1000;

let t: TestApp;
let base: string;
beforeAll(async () => {
  t = await createTestApp();
  base = await listen(t.app);
});
afterAll(() => t.close());

const me = async (member: Member) => (await call(t.app, 'GET', '/api/me', { cookie: member.cookie })).json().user;

describe('choosing a mark colour', () => {
  it('starts with none (the colour derived from the id) and keeps one chosen from the palette', async () => {
    const member = await registerMember(t.app);
    expect((await me(member)).markColour).toBeNull();
    const res = await call(t.app, 'PATCH', '/api/me', { cookie: member.cookie, body: { markColour: 'sage' } });
    expect(res.statusCode).toBe(200);
    expect(res.json().user.markColour).toBe('sage');
    expect((await me(member)).markColour).toBe('sage');
    const reset = await call(t.app, 'PATCH', '/api/me', { cookie: member.cookie, body: { markColour: null } });
    expect(reset.json().user.markColour).toBeNull();
  });

  it('offers a palette of several colours', () => {
    expect(MARK_COLOURS.length).toBeGreaterThanOrEqual(6);
    expect(MARK_COLOURS).toContain('sage');
  });

  it.each<[string, unknown]>([
    ['not in the palette', 'purple-ish'],
    ['a hex colour', '#ff0000'],
    ['empty', ''],
    ['a number', 7],
    ['a list', ['sage']],
  ])('refuses a colour that is %s with 400 validation and keeps the one stored', async (_case, markColour) => {
    const member = await registerMember(t.app);
    await call(t.app, 'PATCH', '/api/me', { cookie: member.cookie, body: { markColour: 'rose' } });
    const res = await call(t.app, 'PATCH', '/api/me', { cookie: member.cookie, body: { markColour } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('validation');
    expect(res.json().error.message).toMatch(/colour/i);
    expect((await me(member)).markColour).toBe('rose');
  });

  it('is changed only by the member, signed in: 401 signed out, and one member never changes another', async () => {
    const signedOut = await call(t.app, 'PATCH', '/api/me', { body: { markColour: 'sage' } });
    expect(signedOut.statusCode).toBe(401);
    expect(signedOut.json().error.code).toBe('unauthenticated');
    const [one, other] = await Promise.all([registerMember(t.app), registerMember(t.app)]);
    await call(t.app, 'PATCH', '/api/me', { cookie: one.cookie, body: { markColour: 'plum' } });
    expect((await me(other)).markColour).toBeNull();
    expect((await me(one)).markColour).toBe('plum');
  });
});

describe('the mark colour on words', () => {
  it('shows on a member’s chat messages and named stories, and never on anonymous ones', async () => {
    const admin = await registerMember(t.app);
    await makeAdmin(t, admin);
    const writer = await registerMember(t.app, { displayName: 'Marked Writer' });
    const reader = await registerMember(t.app);
    t.clock.advance(DAY + 1000); // settled: their stories are published without waiting for review
    await call(t.app, 'PATCH', '/api/me', { cookie: writer.cookie, body: { markColour: 'teal' } });

    const { slug } = await createRoom(t.app, admin, 'marks');
    for (const member of [writer, reader]) {
      await call(t.app, 'POST', `/api/rooms/${slug}/join`, { cookie: member.cookie, body: { acceptRules: true } });
    }
    const socket = await connect(base, writer);
    await socket.subscribe(slug);
    socket.send({ type: 'send', room: slug, clientId: 'mark-1', body: 'A quiet hello.' });
    // Generous: the first send on a busy machine's embedded database can take a few seconds.
    const ack = await socket.next((frame) => frame.clientId === 'mark-1' || frame.ref === 'mark-1', 20_000);
    expect(ack.type).toBe('ack');
    socket.close();
    const messages = (await call(t.app, 'GET', `/api/rooms/${slug}/messages`, { cookie: reader.cookie })).json();
    const message = messages.messages.find((m: { body: string }) => m.body === 'A quiet hello.');
    expect(message.author).toMatchObject({ id: writer.user.id, markColour: 'teal' });

    const story = (body: string, anonymous: boolean) => ({
      title: body,
      body,
      tags: [],
      contentWarnings: [],
      anonymous,
    });
    const named = (
      await call(t.app, 'POST', '/api/stories', { cookie: writer.cookie, body: story('Named words', false) })
    ).json().story;
    const hidden = (
      await call(t.app, 'POST', '/api/stories', { cookie: writer.cookie, body: story('Unnamed words', true) })
    ).json().story;
    const reply = (
      await call(t.app, 'POST', `/api/stories/${named.id}/replies`, {
        cookie: writer.cookie,
        body: { body: 'An unnamed reply.', anonymous: true },
      })
    ).json().reply;
    expect(reply.id).toBeTruthy();

    const namedAsRead = (await call(t.app, 'GET', `/api/stories/${named.id}`, { cookie: reader.cookie })).json();
    expect(namedAsRead.story.author).toMatchObject({ id: writer.user.id, markColour: 'teal' });
    const anonymousReply = namedAsRead.replies.find((r: { id: string }) => r.id === reply.id);
    expect(anonymousReply.author).toBeNull();
    expect(JSON.stringify(anonymousReply)).not.toContain('teal');

    for (const viewer of [reader, writer]) {
      const answer = await call(t.app, 'GET', `/api/stories/${hidden.id}`, { cookie: viewer.cookie });
      expect(answer.statusCode).toBe(200);
      // The author's own view names them (it is theirs) but carries no colour; others see no author at all.
      expect(JSON.stringify(answer.json().story)).not.toContain('teal');
    }
    const list = (await call(t.app, 'GET', '/api/stories', { cookie: reader.cookie })).json().stories;
    const listed = list.find((s: { id: string }) => s.id === hidden.id);
    expect(listed.author).toBeNull();
    expect(JSON.stringify(listed)).not.toContain('teal');
  });
});
