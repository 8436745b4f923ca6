import type { AuditEntry, Message, QueueItem } from '@kindred/shared';
import { describe, expect, it } from 'vitest';
import { actionsFor } from './available-actions';

const now = new Date('2025-03-01T12:00:00.000Z');

function message(overrides: Partial<Message> = {}): Message {
  return {
    id: 'm1',
    room: 'mothers',
    seq: 4,
    author: { id: 'u1', displayName: 'Wren', staff: null },
    body: 'Words',
    replyTo: null,
    contentWarnings: [],
    filtered: [],
    authorBlocked: false,
    reactions: {},
    createdAt: '2025-03-01T11:00:00.000Z',
    editedAt: null,
    deleted: false,
    hidden: false,
    ...overrides,
  };
}

function item(overrides: Partial<QueueItem> = {}, context: Partial<QueueItem['context']> = {}): QueueItem {
  return {
    id: 'i1',
    target: { type: 'message', id: 'm1' },
    room: 'mothers',
    urgent: false,
    automaticReason: null,
    createdAt: '2025-03-01T11:05:00.000Z',
    reports: [],
    subject: { id: 'u1', displayName: 'Wren' },
    context: { message: message(), surrounding: [], authorRecent: [], earlierActions: [], ...context },
    ...overrides,
  };
}

function action(overrides: Partial<AuditEntry>): AuditEntry {
  return {
    id: `a-${overrides.action}`,
    actor: { id: 'mod', displayName: 'Mina' },
    action: 'mute',
    target: { type: 'user', id: 'u1' },
    room: 'mothers',
    reason: 'Because',
    durationMinutes: null,
    seconds: null,
    createdAt: '2025-03-01T11:30:00.000Z',
    ...overrides,
  };
}

const values = (choices: { value: string }[]) => choices.map((choice) => choice.value);

describe('actionsFor', () => {
  it('offers a volunteer moderator the content, the author in the room, then resolving; never a ban', () => {
    expect(values(actionsFor(item(), false, now))).toEqual(['hide', 'mute', 'remove_from_room', 'resolve_report']);
  });

  it('offers an admin a ban too, or lifting it when the last word was a ban', () => {
    expect(values(actionsFor(item(), true, now))).toContain('ban');
    const banned = item({}, { earlierActions: [action({ action: 'ban', room: null })] });
    expect(values(actionsFor(banned, true, now))).toContain('unban');
  });

  it('offers to restore a hidden message, and nothing about a deleted one', () => {
    expect(values(actionsFor(item({}, { message: message({ hidden: true }) }), false, now))[0]).toBe('restore');
    expect(values(actionsFor(item({}, { message: message({ deleted: true }) }), false, now))).not.toContain('hide');
  });

  it('knows a mute is running until it ends, and only in its own room', () => {
    const muted = (minutes: number, room = 'mothers') =>
      values(actionsFor(item({}, { earlierActions: [action({ durationMinutes: minutes, room })] }), false, now));
    expect(muted(60)).toContain('unmute');
    expect(muted(15)).toContain('mute');
    expect(muted(60, 'partners')).toContain('mute');
  });

  it('offers approve and decline for a waiting story, and no resolving that would leave it waiting', () => {
    const story = item(
      { target: { type: 'story', id: 's1' }, room: null, automaticReason: 'first_story' },
      {
        message: null,
        story: {
          title: 'For Noor',
          bodyHtml: '<p>Hello</p>',
          status: 'pending',
          contentWarnings: [],
          tags: [],
          anonymous: false,
          filtered: [],
        },
      },
    );
    expect(values(actionsFor(story, false, now))).toEqual(['approve_story', 'reject_story']);
  });

  it('reads whether a published story is hidden from its own last hide or restore', () => {
    const story = (earlierActions: AuditEntry[]) =>
      item(
        { target: { type: 'story', id: 's1' }, room: null },
        {
          message: null,
          story: {
            title: 'For Noor',
            bodyHtml: '',
            status: 'published',
            contentWarnings: [],
            tags: [],
            anonymous: false,
            filtered: [],
          },
          earlierActions,
        },
      );
    expect(values(actionsFor(story([]), false, now))).toEqual(['hide', 'resolve_report']);
    const hidden = action({ action: 'hide', target: { type: 'story', id: 's1' }, room: null });
    expect(values(actionsFor(story([hidden]), false, now))).toEqual(['restore', 'resolve_report']);
  });

  it('offers only what fits when the author is unknown (anonymous, or a report about a member outside a room)', () => {
    expect(values(actionsFor(item({ subject: null }), true, now))).toEqual(['hide', 'resolve_report']);
    const member = item({ target: { type: 'user', id: 'u1' }, room: null }, { message: null });
    expect(values(actionsFor(member, false, now))).toEqual(['resolve_report']);
  });

  it('says what a hide tells the author, by name', () => {
    const hide = actionsFor(item(), false, now)[0]!;
    expect(hide.label).toBe('Hide the message');
    expect(hide.hint).toContain('Wren is told privately, with your reason.');
  });
});
