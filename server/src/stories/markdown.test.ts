import { describe, expect, it } from 'vitest';
import { plainText, renderMarkdown } from './markdown.ts';

describe('renderMarkdown', () => {
  it('keeps the gentle formatting people use', () => {
    const html = renderMarkdown('# Our story\n\nWe called her **Hope**.\n\n- a candle\n- a tree\n\n> it gets softer');
    expect(html).toContain('<h2>Our story</h2>');
    expect(html).toContain('<strong>Hope</strong>');
    expect(html).toContain('<li>a candle</li>');
    expect(html).toContain('<blockquote>');
  });

  it('marks links nofollow noopener and keeps only safe schemes', () => {
    expect(renderMarkdown('[Sands](https://www.sands.org.uk)')).toBe(
      '<p><a href="https://www.sands.org.uk" rel="nofollow noopener noreferrer">Sands</a></p>\n',
    );
    // Refused links stay as plain text: harmless words, never an href.
    expect(renderMarkdown('[x](javascript:alert(1))')).not.toContain('href');
    expect(renderMarkdown('[x](data:text/html;base64,PHNjcmlwdD4=)')).not.toContain('href');
    expect(renderMarkdown('[x](//evil.example/x)')).not.toContain('href');
  });

  it.each([
    '<script>alert(1)</script>',
    '<img src=x onerror=alert(1)>',
    '<svg onload=alert(1)>',
    '<a href="javascript:alert(1)">x</a>',
    '<iframe src="https://evil.example"></iframe>',
    '![x](https://evil.example/track.png)',
    '<div style="background:url(javascript:alert(1))">x</div>',
  ])('never lets %s through as markup', (payload) => {
    const html = renderMarkdown(payload);
    expect(html).not.toMatch(/<(script|img|svg|iframe|div)\b/i);
    expect(html).not.toMatch(/<[^>]*\son\w+=/i);
    expect(html).not.toContain('href="javascript');
  });
});

describe('plainText', () => {
  it('strips markup and cuts at a character budget, counting code points', () => {
    expect(plainText('**Hope** & <b>love</b>', 100)).toBe('Hope & <b>love</b>');
    expect(plainText('🕯'.repeat(10), 5)).toBe('🕯🕯🕯🕯…');
  });

  it('keeps list items and paragraphs apart, so a list never runs together', () => {
    expect(plainText('What helped:\n\n- a candle\n- a tree\n- her name said aloud\n\nIt gets softer.', 200)).toBe(
      'What helped: a candle · a tree · her name said aloud · It gets softer.',
    );
    expect(plainText('1. We told no one.\n2. Then we told everyone.', 200)).toBe(
      'We told no one. Then we told everyone.',
    );
    expect(plainText('# Our story\n\nWe called her **Hope**.', 200)).toBe('Our story · We called her Hope.');
    // A line break inside a paragraph is a space, as before.
    expect(plainText('I hold you\nin my heart', 200)).toBe('I hold you in my heart');
    // Loose and nested lists alike.
    expect(plainText('- one\n\n- two\n  - two and a half\n- three', 200)).toBe('one · two · two and a half · three');
  });
});
