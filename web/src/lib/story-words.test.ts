import { describe, expect, it } from 'vitest';
import { reactionCounts, repliesText, storyByline, warningsText } from './story-words';

describe('the words about stories', () => {
  it('names content notes by their labels, and keeps a note this version does not know', () => {
    expect(warningsText(['pregnancy', 'later_loss'])).toBe(
      'Pregnancy announcement or update, Later loss or stillbirth',
    );
    expect(warningsText(['something_new'])).toBe('something_new');
  });

  it('never names the writer of an anonymous story, and tells its author it is theirs', () => {
    const author = { id: 'm1', displayName: 'Wren', staff: null };
    expect(storyByline({ anonymous: false, author, mine: false })).toBe('By Wren');
    expect(storyByline({ anonymous: true, author: null, mine: false })).toBe('Shared anonymously');
    expect(storyByline({ anonymous: true, author, mine: true })).toBe('Shared anonymously by you');
  });

  it('counts support quietly, in the vocabulary’s order, leaving out what nobody sent', () => {
    expect(reactionCounts({ candle: 2, love: 1, me_too: 0 })).toEqual([
      { kind: 'love', label: 'Love', count: 1 },
      { kind: 'candle', label: 'Candle', count: 2 },
    ]);
    expect(reactionCounts({})).toEqual([]);
  });

  it('says how many replies', () => {
    expect(repliesText(1)).toBe('1 reply');
    expect(repliesText(3)).toBe('3 replies');
  });
});
