import { describe, expect, it } from 'vitest';
import { mentionAt, mentionPieces } from './mentions';

describe('mentionPieces', () => {
  it('cuts out each @username and joins back to the text', () => {
    const text = 'Thank you @Hazel_2 and @rowan, not me@mail.example or @ab or @@twice';
    const pieces = mentionPieces(text);
    expect(pieces.filter((p) => p.mention).map((p) => p.text)).toEqual(['@Hazel_2', '@rowan']);
    expect(pieces.map((p) => p.text).join('')).toBe(text);
  });
});

describe('mentionAt', () => {
  it('finds the name being typed before the caret, and nothing once it is done', () => {
    expect(mentionAt('Hello @ha', 9)).toEqual({ start: 6, query: 'ha' });
    expect(mentionAt('@', 1)).toEqual({ start: 0, query: '' });
    expect(mentionAt('Hello @hazel and', 16)).toBeNull();
    expect(mentionAt('mail@ha', 7)).toBeNull();
  });
});
