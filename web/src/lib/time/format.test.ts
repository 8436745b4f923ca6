import { afterEach, describe, expect, it } from 'vitest';
import {
  calendarDayText,
  dateText,
  dayLabel,
  fullTime,
  messageTime,
  monthText,
  timeText,
  useMemberTimeZone,
  whenText,
} from './format';

// Tests fix the locale (en-GB: "21:40", "3 March") so they read the same on any machine; the time zone is
// what they are about.
const gb = { locale: 'en-GB' };
const london = { ...gb, timeZone: 'Europe/London' };
const newYork = { ...gb, timeZone: 'America/New_York' };

afterEach(() => useMemberTimeZone(null));

describe('whenText: one instant, two time zones', () => {
  // 02:00 UTC on 1 July is 03:00 that day in London and 22:00 the evening before in New York.
  const iso = '2026-07-01T02:00:00Z';
  const now = new Date('2026-07-01T12:00:00Z');

  it('says Today, in the member’s zone', () => {
    expect(whenText(iso, { ...london, now })).toBe('Today at 03:00');
  });

  it('gives a message only its time today (the conversation heads each day), else the day too', () => {
    expect(messageTime(iso, { ...london, now })).toBe('03:00');
    expect(messageTime(iso, { ...newYork, now })).toBe('Yesterday at 22:00');
  });

  it('says Yesterday where it was yesterday there', () => {
    expect(whenText(iso, { ...newYork, now })).toBe('Yesterday at 22:00');
  });

  it('gives the day and month before that, and the year only when it differs', () => {
    expect(whenText('2026-03-12T09:05:00Z', { ...london, now })).toBe('12 March at 09:05');
    expect(whenText('2025-12-31T23:30:00Z', { ...london, now })).toBe('31 December 2025 at 23:30');
    expect(whenText('2025-12-31T23:30:00Z', { ...newYork, now })).toBe('31 December 2025 at 18:30');
  });

  it('reads mid-sentence without a capital: “Signed in today at 03:00”', () => {
    expect(whenText(iso, { ...london, now, inSentence: true })).toBe('today at 03:00');
    expect(whenText(iso, { ...newYork, now, inSentence: true })).toBe('yesterday at 22:00');
    expect(whenText('2026-03-12T09:05:00Z', { ...london, now, inSentence: true })).toBe('12 March at 09:05');
  });
});

describe('across a daylight-saving change', () => {
  // London moved its clocks forward at 01:00 UTC on Sunday 29 March 2026: that day had 23 hours.
  it('shows each side of the change in its own offset', () => {
    expect(timeText('2026-03-29T00:30:00Z', london)).toBe('00:30');
    expect(timeText('2026-03-29T01:30:00Z', london)).toBe('02:30');
  });

  it('counts calendar days, not 24-hour spans', () => {
    // 00:30 on Monday 30 March in London; exactly 24 hours earlier was 23:30 on Saturday 28 March.
    const now = new Date('2026-03-29T23:30:00Z');
    expect(dayLabel('2026-03-28T23:30:00Z', { ...london, now })).toBe('28 March');
    expect(dayLabel('2026-03-29T00:30:00Z', { ...london, now })).toBe('Yesterday');
    expect(dayLabel('2026-03-29T23:00:00Z', { ...london, now })).toBe('Today');
  });

  it('does the same where the clocks changed on another day (New York, 8 March 2026)', () => {
    // 00:30 on Monday 9 March in New York (EDT, UTC-4); 24 hours earlier was 23:30 on Saturday 7 March (EST).
    const now = new Date('2026-03-09T04:30:00Z');
    expect(dayLabel('2026-03-08T04:30:00Z', { ...newYork, now })).toBe('7 March');
    expect(dayLabel('2026-03-08T05:30:00Z', { ...newYork, now })).toBe('Yesterday');
    expect(dayLabel('2026-03-08T04:30:00Z', { ...london, now })).toBe('Yesterday');
  });
});

describe('dates of records and titles', () => {
  it('names the day with its year, in the member’s zone', () => {
    expect(dateText('2026-06-03T23:30:00Z', london)).toBe('4 June 2026');
    expect(dateText('2026-06-03T23:30:00Z', newYork)).toBe('3 June 2026');
  });

  it('gives the full date and time for a title', () => {
    expect(fullTime('2026-03-29T01:30:00Z', london)).toBe('Sunday, 29 March 2026 at 02:30');
    expect(fullTime('2026-03-29T01:30:00Z', newYork)).toBe('Saturday, 28 March 2026 at 21:30');
  });
});

describe('the member’s own time zone', () => {
  it('is used when it is known, and an unknown one is ignored', () => {
    useMemberTimeZone('Pacific/Auckland');
    expect(dateText('2026-06-03T13:00:00Z', gb)).toBe('4 June 2026');
    useMemberTimeZone('America/Los_Angeles');
    expect(dateText('2026-06-03T13:00:00Z', gb)).toBe('3 June 2026');
    useMemberTimeZone('Not/AZone');
    expect(() => dateText('2026-06-03T13:00:00Z', gb)).not.toThrow();
  });
});

describe('dates without a time (a hard day, a month)', () => {
  it('never moves a day, whatever the zone', () => {
    for (const timeZone of ['Pacific/Auckland', 'America/Los_Angeles', 'Europe/London']) {
      useMemberTimeZone(timeZone);
      expect(calendarDayText({ month: 7, day: 14 }, gb)).toBe('14 July');
      expect(calendarDayText({ month: 1, day: 1, year: 2024 }, gb)).toBe('1 January 2024');
      expect(calendarDayText({ month: 3, day: 29, year: null }, gb)).toBe('29 March');
      expect(monthText('2026-06', gb)).toBe('June 2026');
    }
  });

  it('follows the locale for the order of day and month', () => {
    expect(calendarDayText({ month: 7, day: 14, year: 2024 }, { locale: 'en-US' })).toBe('July 14, 2024');
  });
});
