import type { Audience, Room } from '@kindred/shared';
import { describe, expect, it } from 'vitest';
import { groupRooms } from './group-rooms';

function room(slug: string, audience: Audience, overrides: Partial<Room> = {}): Room {
  return {
    id: slug,
    slug,
    name: slug,
    description: `About ${slug}`,
    audience,
    rules: '1. Be gentle.',
    contentNote: null,
    memberCount: 0,
    joined: false,
    myRole: null,
    slowModeSeconds: 0,
    locked: false,
    archived: false,
    moderators: [],
    moderatorCount: 0,
    onDuty: { count: 0, names: [] },
    ...overrides,
  };
}

const rooms = [
  room('mothers', 'mothers'),
  room('partners', 'partners'),
  room('family', 'families'),
  room('delayed', 'everyone'),
  room('after', 'everyone'),
];
const layoutOf = (groups: { audience: Audience; rooms: Room[] }[]) =>
  groups.map((group) => [group.audience, group.rooms.map((entry) => entry.slug)]);

describe('groupRooms', () => {
  it('keeps the usual order, in the server’s order within a group, when we know nothing about the member', () => {
    for (const identity of [null, undefined, 'prefer_not'] as const) {
      const layout = groupRooms(rooms, identity);
      expect(layoutOf(layout.groups)).toEqual([
        ['mothers', ['mothers']],
        ['partners', ['partners']],
        ['families', ['family']],
        ['everyone', ['delayed', 'after']],
      ]);
      expect(layout.first).toBeUndefined();
    }
  });

  it.each([
    ['partner', 'partners', ['partners', 'mothers', 'families', 'everyone']],
    ['family_friend', 'families', ['families', 'mothers', 'partners', 'everyone']],
    ['lost_pregnancy', 'mothers', ['mothers', 'partners', 'families', 'everyone']],
  ] as const)('puts the group that fits a %s first', (identity, first, order) => {
    const layout = groupRooms(rooms, identity);
    expect(layout.groups.map((group) => group.audience)).toEqual(order);
    expect(layout.first).toBe(first);
  });

  it('sets closed rooms apart and leaves out groups with no open rooms', () => {
    const layout = groupRooms(
      [room('partners', 'partners', { archived: true, joined: true }), room('delayed', 'everyone')],
      'partner',
    );
    expect(layoutOf(layout.groups)).toEqual([['everyone', ['delayed']]]);
    expect(layout.first).toBeUndefined();
    expect(layout.closed.map((entry) => entry.slug)).toEqual(['partners']);
  });
});
