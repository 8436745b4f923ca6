import { describe, expect, it } from 'vitest';
import { draftKey, forgetDraft, readDraft, sameContent, writeDraft, type StoryContent } from './draft-store';

const content: StoryContent = {
  title: 'The little hat',
  body: 'We had told everyone.',
  tags: ['mothers_story', 'trying_again'],
  contentWarnings: ['pregnancy'],
  anonymous: true,
};

/** A Storage that refuses every write and read, as a full disk or a locked-down browser does. */
const refusing = {
  getItem: () => {
    throw new Error('SecurityError');
  },
  setItem: () => {
    throw new Error('QuotaExceededError');
  },
  removeItem: () => {
    throw new Error('SecurityError');
  },
} as unknown as Storage;

describe('the copy of a story kept on this device', () => {
  it('is one per member and story, "new" until the story has an id', () => {
    expect(draftKey('member-1', null)).toBe('kindred:story-draft:member-1:new');
    expect(draftKey('member-1', 'story-9')).toBe('kindred:story-draft:member-1:story-9');
    expect(draftKey('member-2', null)).not.toBe(draftKey('member-1', null));
  });

  it('comes back as it was written, and goes when forgotten', () => {
    const key = draftKey('member-1', null);
    writeDraft(localStorage, key, content);
    expect(readDraft(localStorage, key)).toEqual(content);
    forgetDraft(localStorage, key);
    expect(readDraft(localStorage, key)).toBeNull();
  });

  it.each([
    ['not JSON', '{"title": "cut off'],
    ['no words', JSON.stringify({ title: 'Only a title' })],
    ['not an object', '42'],
  ])('is ignored when it is %s', (_name, stored) => {
    localStorage.setItem('broken', stored);
    expect(readDraft(localStorage, 'broken')).toBeNull();
  });

  it('keeps only the themes and notes this version of Kindred knows', () => {
    localStorage.setItem(
      'old',
      JSON.stringify({ ...content, tags: ['mothers_story', 'retired_theme', 7], contentWarnings: ['birth', 'gone'] }),
    );
    expect(readDraft(localStorage, 'old')).toMatchObject({ tags: ['mothers_story'], contentWarnings: ['birth'] });
  });

  it('never stops the writing when storage refuses', () => {
    expect(() => writeDraft(refusing, 'key', content)).not.toThrow();
    expect(readDraft(refusing, 'key')).toBeNull();
    expect(() => forgetDraft(refusing, 'key')).not.toThrow();
  });

  it('counts as the same content whatever order the boxes were ticked in', () => {
    const reordered = { ...content, tags: [...content.tags].reverse() };
    expect(sameContent(content, reordered)).toBe(true);
    expect(sameContent(content, { ...content, anonymous: false })).toBe(false);
    expect(sameContent(content, { ...content, body: `${content.body} ` })).toBe(false);
  });
});
