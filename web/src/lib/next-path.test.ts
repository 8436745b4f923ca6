import { describe, expect, it } from 'vitest';
import { nextPath, withNext } from './next-path';

const at = (search: string) => new URL(`https://kindred.example/signin${search}`);

describe('nextPath', () => {
  it.each([
    ['', '/'],
    ['?next=/account', '/account'],
    ['?next=%2Faccount%3Ftab%3D1%23sessions', '/account?tab=1#sessions'],
    ['?next=/', '/'],
  ])('follows a path on Kindred (%s)', (search, expected) => {
    expect(nextPath(at(search))).toBe(expected);
  });

  it.each([
    '?next=https://evil.example/',
    '?next=//evil.example/',
    '?next=/\\evil.example/',
    '?next=%2F%09%2Fevil.example',
    '?next=%2F%0A%2Fevil.example',
    '?next=account',
    '?next=javascript:alert(1)',
  ])('goes home instead of leaving Kindred (%s)', (search) => {
    expect(nextPath(at(search))).toBe('/');
  });
});

describe('withNext', () => {
  it('carries a safe next path and drops an unsafe one', () => {
    expect(withNext('/join', at('?next=/account'))).toBe('/join?next=%2Faccount');
    expect(withNext('/join', at('?next=//evil.example'))).toBe('/join');
    expect(withNext('/join', at(''))).toBe('/join');
  });
});
