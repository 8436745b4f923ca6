import { render } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import RulesText from './RulesText.svelte';

describe('RulesText', () => {
  it('shows the rules as a list with bold words and a link to Help now, spaced as written', () => {
    const { container } = render(RulesText, {
      markdown: '1. **Be gentle.** Everyone here is hurting.\n2. If you might be in danger, go to [Help now](/help).',
    });

    const items = [...container.querySelectorAll('ol > li')].map((item) => item.textContent);
    expect(items).toEqual(['Be gentle. Everyone here is hurting.', 'If you might be in danger, go to Help now.']);
    expect(container.querySelector('strong')?.textContent).toBe('Be gentle.');
    expect(container.querySelector('a')?.getAttribute('href')).toBe('/help');
  });

  it('shows markup typed into the rules as text, never as elements', () => {
    const markdown = '<img src=x onerror="alert(1)"> **<script>alert(2)</script>** [x](javascript:alert%283%29)';
    const { container } = render(RulesText, { markdown });

    expect(container.querySelector('img, script, a')).toBeNull();
    expect(container.textContent?.trim()).toBe('<img src=x onerror="alert(1)"> <script>alert(2)</script> x');
  });

  it('starts a numbered list at its first number', () => {
    const { container } = render(RulesText, { markdown: '7. Partners of every gender are welcome.' });
    expect(container.querySelector('ol')?.getAttribute('start')).toBe('7');
  });
});
