import { describe, expect, it } from 'vitest';
import { lookedAfterBy, membersText } from './room-words';

describe('membersText', () => {
  it.each([
    [0, 'No members yet'],
    [1, '1 member'],
    [12, '12 members'],
    [1200, '1,200 members'],
  ])('%i → %s', (count, expected) => {
    expect(membersText(count)).toBe(expected);
  });
});

describe('lookedAfterBy', () => {
  const moderator = (displayName: string) => ({ id: displayName, displayName });

  it('names the moderators in a sentence', () => {
    expect(lookedAfterBy([moderator('Ana')])).toBe('Looked after by Ana');
    expect(lookedAfterBy([moderator('Ana'), moderator('Ben')])).toBe('Looked after by Ana and Ben');
    expect(lookedAfterBy([moderator('Ana'), moderator('Ben'), moderator('Cy')])).toBe(
      'Looked after by Ana, Ben, and Cy',
    );
  });

  it('says nothing while there is no moderator', () => {
    expect(lookedAfterBy([])).toBeUndefined();
  });
});
