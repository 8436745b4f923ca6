// The story approval card: a held story's queue item carries what the writer chose (content notes,
// themes, and whether it is shared anonymously), so a moderator can check the note; an anonymous one still
// names nobody.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createTestApp, makeAdmin, registerMember, type Member, type TestApp } from './helpers.ts';

let t: TestApp;
let admin: Member;
let storyModerator: Member;
beforeAll(async () => {
  t = await createTestApp();
  admin = await registerMember(t.app, { username: `approval_admin_${process.pid}` });
  await makeAdmin(t, admin);
  storyModerator = await registerMember(t.app);
  await call(t.app, 'PUT', `/api/stories/moderators/${storyModerator.user.id}`, { cookie: admin.cookie });
});
afterAll(() => t.close());

interface Item {
  target: { type: string; id: string };
  subject: { id: string } | null;
  context: { story?: Record<string, unknown> };
}

async function itemFor(viewer: Member, id: string): Promise<Item> {
  const res = await call(t.app, 'GET', '/api/moderation/queue', { cookie: viewer.cookie });
  expect(res.statusCode).toBe(200);
  const item = (res.json().items as Item[]).find((i) => i.target.id === id);
  if (!item) throw new Error(`no queue item for ${id}`);
  return item;
}

/** A new member's first story, which waits for a moderator. */
async function heldStory(anonymous: boolean) {
  const writer = await registerMember(t.app);
  const res = await call(t.app, 'POST', '/api/stories', {
    cookie: writer.cookie,
    body: {
      title: 'The spring we waited',
      body: 'We planted a magnolia for her.',
      tags: ['partners_story', 'rituals_and_remembrance'],
      contentWarnings: ['birth', 'medical_detail'],
      anonymous,
    },
  });
  expect(res.json().story.status).toBe('pending');
  return { writer, id: res.json().story.id as string };
}

describe('a held story in the queue', () => {
  it.each([
    ['a story moderator', () => storyModerator],
    ['an admin', () => admin],
  ])('shows %s its content notes, themes and that it is shared anonymously, naming nobody', async (_who, who) => {
    const { writer, id } = await heldStory(true);
    const item = await itemFor(who(), id);
    expect(item.context.story).toMatchObject({
      contentWarnings: ['birth', 'medical_detail'],
      tags: ['partners_story', 'rituals_and_remembrance'],
      anonymous: true,
    });
    expect(item.subject).toBeNull();
    const text = JSON.stringify(item);
    for (const mark of [writer.user.id, writer.username, writer.user.displayName]) expect(text).not.toContain(mark);
  });

  it('says a story under the writer’s name is not anonymous, and whose it is', async () => {
    const { writer, id } = await heldStory(false);
    const item = await itemFor(storyModerator, id);
    expect(item.context.story).toMatchObject({ tags: ['partners_story', 'rituals_and_remembrance'], anonymous: false });
    expect(item.subject).toMatchObject({ id: writer.user.id });
  });

  it('tells of a reported anonymous reply that it is anonymous, with the reply’s own notes and no themes', async () => {
    const settled = await registerMember(t.app);
    const writer = await registerMember(t.app);
    t.clock.advance(25 * 60 * 60 * 1000);
    const story = (
      await call(t.app, 'POST', '/api/stories', {
        cookie: settled.cookie,
        body: { title: 'Ours', body: 'A story.', tags: ['mothers_story'], contentWarnings: [], anonymous: false },
      })
    ).json().story;
    const reply = (
      await call(t.app, 'POST', `/api/stories/${story.id}/replies`, {
        cookie: writer.cookie,
        body: { body: 'I know this.', anonymous: true, contentWarnings: ['later_loss'] },
      })
    ).json().reply;
    await call(t.app, 'POST', '/api/reports', {
      cookie: settled.cookie,
      body: { target: { type: 'reply', id: reply.id }, reason: 'other' },
    });
    const item = await itemFor(storyModerator, reply.id);
    expect(item.context.story).toMatchObject({ contentWarnings: ['later_loss'], tags: [], anonymous: true });
    expect(JSON.stringify(item)).not.toContain(writer.user.id);
  });
});
