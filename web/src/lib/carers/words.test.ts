import { describe, expect, it } from 'vitest';
import { durationText, nudgeText, stepAwayText } from './words';

describe('carers’ words', () => {
  it('says how long in plain words', () => {
    expect(durationText(120)).toBe('two hours');
    expect(durationText(45)).toBe('45 minutes');
    expect(durationText(60)).toBe('an hour');
    expect(durationText(90)).toBe('an hour and a half');
    expect(durationText(125)).toBe('two hours and five minutes');
    expect(nudgeText(120)).toMatch(/^You've been here for two hours\. Thank you\. It's fine to rest/);
  });

  it('tells the moderator honestly where their urgent items went', () => {
    expect(stepAwayText({ urgentItems: 0, handedTo: 'none', recipients: 0 })).toMatch(/nothing urgent was waiting/);
    expect(stepAwayText({ urgentItems: 1, handedTo: 'moderators', recipients: 1 })).toMatch(
      /one urgent item to the moderator still on duty/,
    );
    expect(stepAwayText({ urgentItems: 2, handedTo: 'admins', recipients: 3 })).toMatch(
      /two urgent items to the admins/,
    );
  });
});
