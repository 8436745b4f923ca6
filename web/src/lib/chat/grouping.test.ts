import type { Message } from '@kindred/shared';
import { describe, expect, it } from 'vitest';
import { conversationRows, dayLabel } from './grouping';

const now = new Date(2026, 2, 12, 15, 0);
let seq = 0;

function message(author: string | null, at: Date, overrides: Partial<Message> = {}): Message {
  seq += 1;
  return {
    id: `m${seq}`,
    room: 'mothers',
    seq,
    author: author ? { id: author, displayName: author, staff: null } : null,
    body: `words ${seq}`,
    replyTo: null,
    contentWarnings: [],
    filtered: [],
    authorBlocked: false,
    reactions: {},
    createdAt: at.toISOString(),
    editedAt: null,
    deleted: false,
    hidden: false,
    ...overrides,
  };
}

const at = (day: number, hour: number, minute: number) => new Date(2026, 2, day, hour, minute);
const shape = (rows: ReturnType<typeof conversationRows>) =>
  rows.map((row) => `${row.day ? `[${row.day}] ` : ''}${row.continues ? '+' : ''}${row.message.author?.id ?? '?'}`);

describe('dayLabel', () => {
  it('says Today and Yesterday', () => {
    expect(dayLabel(at(12, 0, 1), now, 'en-GB')).toBe('Today');
    expect(dayLabel(at(11, 23, 59), now, 'en-GB')).toBe('Yesterday');
  });

  it('gives earlier days as a date in the member’s locale, the year only when it differs', () => {
    expect(dayLabel(at(10, 9, 0), now, 'en-GB')).toBe('Tuesday 10 March');
    expect(dayLabel(at(10, 9, 0), now, 'de-DE')).toBe('Dienstag, 10. März');
    expect(dayLabel(new Date(2025, 11, 31, 9, 0), now, 'en-GB')).toMatch(/^Wednesday,? 31 December 2025$/);
  });
});

describe('conversationRows', () => {
  it('groups one person’s messages within a few minutes under one name', () => {
    const rows = conversationRows(
      [
        message('wren', at(12, 9, 0)),
        message('wren', at(12, 9, 2)),
        message('wren', at(12, 9, 6)),
        message('robin', at(12, 9, 7)),
        message('wren', at(12, 9, 8)),
      ],
      { now, locale: 'en-GB' },
    );
    expect(shape(rows)).toEqual(['[Today] wren', '+wren', '+wren', 'robin', 'wren']);
  });

  it('starts a new group after a pause, and never joins two members who left', () => {
    const rows = conversationRows(
      [
        message('wren', at(12, 9, 0)),
        message('wren', at(12, 9, 20)),
        message(null, at(12, 9, 21)),
        message(null, at(12, 9, 22)),
      ],
      { now, locale: 'en-GB' },
    );
    expect(shape(rows)).toEqual(['[Today] wren', 'wren', '?', '?']);
  });

  it('puts a date separator where the day changes, and a group never crosses it', () => {
    const rows = conversationRows(
      [message('wren', at(10, 23, 58)), message('wren', at(11, 0, 1)), message('wren', at(12, 8, 0))],
      { now, locale: 'en-GB' },
    );
    expect(shape(rows)).toEqual(['[Tuesday 10 March] wren', '[Yesterday] wren', '[Today] wren']);
  });

  it('breaks a group at the "new since you left" divider', () => {
    const first = message('wren', at(12, 9, 0));
    const second = message('wren', at(12, 9, 1));
    const rows = conversationRows([first, second], { now, locale: 'en-GB', dividerSeq: second.seq });
    expect(shape(rows)).toEqual(['[Today] wren', 'wren']);
  });
});
