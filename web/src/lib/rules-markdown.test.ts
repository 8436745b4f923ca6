import { describe, expect, it } from 'vitest';
import { isSitePath, parseInline, parseRules } from './rules-markdown';

const text = (value: string) => ({ kind: 'text', text: value });

describe('parseRules', () => {
  it('reads the default rooms’ rules: a numbered list with bold and a link to Help now', () => {
    const rules = [
      '1. **Be gentle.** Everyone here is hurting.',
      '2. **Kindred is peer support, not a crisis service.** If you might be in danger, please go to [Help now](/help).',
    ].join('\n');

    expect(parseRules(rules)).toEqual([
      {
        kind: 'list',
        ordered: true,
        start: 1,
        items: [
          [{ kind: 'strong', children: [text('Be gentle.')] }, text(' Everyone here is hurting.')],
          [
            { kind: 'strong', children: [text('Kindred is peer support, not a crisis service.')] },
            text(' If you might be in danger, please go to '),
            { kind: 'link', href: '/help', children: [text('Help now')] },
            text('.'),
          ],
        ],
      },
    ]);
  });

  it('joins the lines of a paragraph and of a list item, and starts a list where its first number says', () => {
    const rules =
      'Welcome to the room.\nPlease read on.\n\n3. First rule\n   carried on\n4. Second rule\n\n- A note\n\nThe end.';

    expect(parseRules(rules)).toEqual([
      { kind: 'paragraph', content: [text('Welcome to the room. Please read on.')] },
      { kind: 'list', ordered: true, start: 3, items: [[text('First rule carried on')], [text('Second rule')]] },
      { kind: 'list', ordered: false, start: 1, items: [[text('A note')]] },
      { kind: 'paragraph', content: [text('The end.')] },
    ]);
  });

  it('keeps a list going across blank lines, and reads Windows line endings', () => {
    expect(parseRules('1. One\r\n\r\n2. Two\r\n')).toEqual([
      { kind: 'list', ordered: true, start: 1, items: [[text('One')], [text('Two')]] },
    ]);
  });

  it('has nothing to show for empty rules', () => {
    expect(parseRules('')).toEqual([]);
    expect(parseRules('\n  \n')).toEqual([]);
  });
});

describe('parseInline', () => {
  it('keeps markup as the plain text it is, for Svelte to escape', () => {
    const typed = '<script>alert(1)</script> <img src=x onerror=alert(1)> &amp; "quotes"';
    expect(parseInline(typed)).toEqual([text(typed)]);
  });

  it.each([
    ['javascript:alert%281%29'],
    ['https://example.com/'],
    ['//example.com/'],
    ['/\\example.com/'],
    ['data:text/html,hi'],
    ['help'],
  ])('keeps only the words of a link that would leave Kindred (%s)', (href) => {
    expect(parseInline(`Go [there](${href}) now`)).toEqual([text('Go there now')]);
  });

  it('never links a target it cannot read as a link at all', () => {
    expect(parseInline('Go [there](javascript:alert(1)) now')).toEqual([text('Go [there](javascript:alert(1)) now')]);
  });

  it('links to pages on Kindred, bold inside and out', () => {
    expect(parseInline('**See [the help page](/help)** or [**Rooms**](/rooms?x=1#top)')).toEqual([
      { kind: 'strong', children: [text('See '), { kind: 'link', href: '/help', children: [text('the help page')] }] },
      text(' or '),
      { kind: 'link', href: '/rooms?x=1#top', children: [{ kind: 'strong', children: [text('Rooms')] }] },
    ]);
  });

  it('leaves stray or empty markers as they were typed', () => {
    expect(parseInline('2 ** 3 and ****, [x]( /help) and [](/help)')).toEqual([
      text('2 ** 3 and ****, [x]( /help) and [](/help)'),
    ]);
  });
});

describe('isSitePath', () => {
  it.each([
    ['/help', true],
    ['/', true],
    ['//evil.example', false],
    ['/\\evil.example', false],
    ['https://kindred.example/help', false],
    ['', false],
  ])('%s → %s', (href, expected) => {
    expect(isSitePath(href)).toBe(expected);
  });
});
