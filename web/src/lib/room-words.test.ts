import { describe, expect, it } from 'vitest';
import { careLines, lookedAfterBy, membersText } from './room-words';

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

describe('careLines', () => {
  const room = (moderatorCount: number, count: number, names: string[], moderators: string[] = []) => ({
    moderators: moderators.map((displayName) => ({ id: displayName, displayName })),
    moderatorCount,
    onDuty: { count, names },
  });

  it('names no one to members unless a moderator on duty chose it', () => {
    expect(careLines(room(0, 0, []), false)).toEqual([]);
    expect(careLines(room(1, 0, []), false)).toEqual(['Looked after by a volunteer moderator']);
    expect(careLines(room(3, 0, []), false)).toEqual(['Looked after by 3 volunteer moderators']);
    expect(careLines(room(2, 1, []), false)).toEqual(['A moderator is on duty here now']);
    expect(careLines(room(2, 2, []), false)).toEqual(['2 moderators are on duty here now']);
    expect(careLines(room(2, 1, ['Mina'], ['Mina']), false)).toEqual(['Mina is on duty here now']);
    expect(careLines(room(3, 2, ['Mina'], ['Mina']), false)).toEqual([
      'Mina and another moderator are on duty here now',
    ]);
  });

  it('names every moderator to the room’s moderators and admins', () => {
    expect(careLines(room(2, 1, [], ['Ana', 'Mina']), true)).toEqual([
      'Looked after by Ana and Mina',
      'A moderator is on duty here now',
    ]);
  });
});
