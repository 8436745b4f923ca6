import { describe, expect, it } from 'vitest';
import { mentionedUsernames, previewOf } from './words.ts';

describe('mentionedUsernames', () => {
  it('names each username once, lower-cased, in order; not emails, short names or @@', () => {
    expect(mentionedUsernames('@Hazel and @rowan_2, @hazel again; me@mail.example @ab @@x_y_z')).toEqual([
      'hazel',
      'rowan_2',
    ]);
  });
});

describe('previewOf', () => {
  it('folds Markdown marks and space, keeps underscores, and cuts long words near 160 characters', () => {
    expect(previewOf('# A title\n\n> *so* sorry, @some_one')).toBe('A title so sorry, @some_one');
    const long = previewOf('word '.repeat(60));
    expect(long.length).toBeLessThanOrEqual(161);
    expect(long.endsWith('word…')).toBe(true);
  });
});
