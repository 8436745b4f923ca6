import { describe, expect, it } from 'vitest';
import { fullTime, shortTime } from './when';

const now = new Date(2026, 10, 25, 15, 0);

describe('shortTime', () => {
  it('gives only the time for today', () => {
    const iso = new Date(2026, 10, 25, 3, 4).toISOString();
    expect(shortTime(iso, { now })).toMatch(/^\D*0?3:04\D*$/);
  });

  it('adds the day before today, and the year only when it differs', () => {
    const earlier = shortTime(new Date(2026, 2, 12, 3, 4).toISOString(), { now });
    expect(earlier).toContain('12');
    expect(earlier).not.toContain('2026');
    expect(shortTime(new Date(2025, 2, 12, 3, 4).toISOString(), { now })).toContain('2025');
  });
});

describe('fullTime', () => {
  it('names the year', () => {
    expect(fullTime(new Date(2026, 2, 12, 3, 4).toISOString())).toContain('2026');
  });
});
