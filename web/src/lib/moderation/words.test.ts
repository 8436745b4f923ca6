import type { AuditEntry } from '@kindred/shared';
import { describe, expect, it } from 'vitest';
import { describeAction, durationText, slowModeText } from './words';

function entry(overrides: Partial<AuditEntry>): AuditEntry {
  return {
    id: 'a1',
    actor: { id: 'u1', displayName: 'Ana' },
    action: 'hide',
    target: { type: 'message', id: 'm1' },
    room: 'mothers',
    reason: 'Kindly put',
    durationMinutes: null,
    seconds: null,
    createdAt: '2025-03-01T10:00:00.000Z',
    ...overrides,
  };
}

describe('durationText', () => {
  it.each([
    [15, '15 minutes'],
    [60, '1 hour'],
    [1440, '24 hours'],
    [10080, '7 days'],
    [90, '90 minutes'],
    [120, '2 hours'],
    [2880, '2 days'],
    [1, '1 minute'],
  ])('%i minutes → %s', (minutes, expected) => {
    expect(durationText(minutes)).toBe(expected);
  });
});

describe('slowModeText', () => {
  it.each([
    [0, 'off'],
    [10, 'one message every 10 seconds'],
    [60, 'one message a minute'],
    [300, 'one message every 5 minutes'],
    [90, 'one message every 90 seconds'],
  ])('%i seconds → %s', (seconds, expected) => {
    expect(slowModeText(seconds)).toBe(expected);
  });
});

describe('describeAction', () => {
  it.each<[Partial<AuditEntry>, string]>([
    [{}, 'Ana hid a message'],
    [{ action: 'restore', target: { type: 'story', id: 's1' } }, 'Ana restored a story'],
    [{ action: 'mute', target: { type: 'user', id: 'u2' }, durationMinutes: 60 }, 'Ana muted a member for 1 hour'],
    [
      { action: 'set_slow_mode', target: { type: 'room', id: 'r1' }, seconds: 30 },
      'Ana set slow mode to one message every 30 seconds',
    ],
    [{ action: 'set_slow_mode', target: { type: 'room', id: 'r1' }, seconds: 0 }, 'Ana turned slow mode off'],
    [{ action: 'resolve_report', target: { type: 'report', id: 'i1' } }, 'Ana closed an item in the queue'],
    [{ action: 'reject_story', target: { type: 'story', id: 's1' } }, 'Ana declined a waiting story'],
    [{ actor: { id: 'u9', displayName: null } }, 'A moderator who has left hid a message'],
    [
      { action: 'appoint_moderator', target: { type: 'user', id: 'u3' } },
      'Ana appointed a member as a moderator of the room',
    ],
    [{ action: 'remove_story_moderator', target: { type: 'user', id: 'u3' } }, 'Ana stood a story moderator down'],
    [{ action: 'something_new' }, 'Ana something new'],
  ])('%j → %s', (overrides, expected) => {
    expect(describeAction(entry(overrides))).toBe(expected);
  });
});
