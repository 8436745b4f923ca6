// The helpline list is read by someone who may be in danger: every entry must be usable as written.
import { describe, expect, it } from 'vitest';
import { crisisResources, helplines, supportedCountries, type HelplineLine } from './helplines.ts';

const dialable = /^\d+(?: \d+)*$/;
const countries = Object.entries(helplines.countries);
const allLines: [string, HelplineLine][] = [
  ...helplines.international.map((line): [string, HelplineLine] => ['international', line]),
  ...countries.flatMap(([code, country]) => country.lines.map((line): [string, HelplineLine] => [code, line])),
];

describe('helpline data', () => {
  it('says when it was last checked', () => {
    expect(helplines.updated).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it.each(countries)('%s has a name, an emergency number and at least one line', (code, country) => {
    expect(code).toMatch(/^[A-Z]{2}$/);
    expect(country.name.trim()).not.toBe('');
    expect(country.emergency).toMatch(dialable);
    expect(country.lines.length).toBeGreaterThan(0);
  });

  it.each(allLines)('%s: %o can be reached as written', (_where, line) => {
    expect(line.name.trim()).not.toBe('');
    expect(line.description.trim()).not.toBe('');
    if (line.phone !== undefined) expect(line.phone).toMatch(dialable);
    if (line.text !== undefined) expect(line.text).toMatch(dialable);
    if (line.url !== undefined) expect(new URL(line.url).protocol).toBe('https:');
  });

  it('gives every country line a way to reach it', () => {
    const unreachable = countries.flatMap(([code, country]) =>
      country.lines.filter((line) => !line.phone && !line.text && !line.url).map((line) => `${code}: ${line.name}`),
    );
    expect(unreachable).toEqual([]);
  });

  it('points to a directory for everyone else', () => {
    expect(helplines.international.some((line) => line.url === 'https://findahelpline.com')).toBe(true);
  });
});

describe('crisisResources', () => {
  it("gives a known country's emergency number and lines", () => {
    const resources = crisisResources('GB');
    expect(resources).toMatchObject({ country: 'GB', emergency: '999' });
    expect(resources.lines.map((line) => line.name)).toContain('Samaritans');
    expect(resources.international).toEqual(helplines.international);
  });

  it.each(['gb', ' GB ', 'Gb'])('reads %j as the United Kingdom', (input) => {
    expect(crisisResources(input).country).toBe('GB');
  });

  it.each([null, undefined, '', 'ZZ', 'united kingdom', 'constructor', '__proto__'])(
    'falls back to the international list for %j',
    (input) => {
      expect(crisisResources(input)).toEqual({
        country: null,
        emergency: null,
        lines: helplines.international,
        international: helplines.international,
      });
    },
  );
});

describe('supportedCountries', () => {
  it('lists every country once, by name', () => {
    const list = supportedCountries();
    expect(list.map((country) => country.code).sort()).toEqual(Object.keys(helplines.countries).sort());
    const names = list.map((country) => country.name);
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b, 'en')));
    expect(list).toContainEqual({ code: 'US', name: 'United States' });
  });
});
