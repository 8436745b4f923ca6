import { MARK_COLOURS } from '@kindred/shared';
import { describe, expect, it } from 'vitest';
import { derivedColour, initialsOf, markColourOf } from './person-mark';

describe('person marks', () => {
  it.each([
    ['Willow', 'W'],
    ['sam quietly', 'SQ'],
    ['  Anna  Maria  Lee ', 'AL'],
    ['émile', 'É'],
    ['', '·'],
  ])('draws the initials of %j as %j', (name, initials) => {
    expect(initialsOf(name)).toBe(initials);
  });

  it('derives the same palette colour from the same id, and spreads ids over the palette', () => {
    expect(derivedColour('a1b2')).toBe(derivedColour('a1b2'));
    const seen = new Set(Array.from({ length: 200 }, (_, i) => derivedColour(`member-${i}`)));
    expect(seen.size).toBe(MARK_COLOURS.length);
  });

  it('prefers the chosen colour, and gives words with no author the neutral mark', () => {
    expect(markColourOf({ id: 'x', colour: 'plum' })).toBe('plum');
    expect(markColourOf({ id: null, colour: null })).toBe('neutral');
    expect(markColourOf({})).toBe('neutral');
  });
});
