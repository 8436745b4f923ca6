// How the rooms list is laid out: open rooms grouped by who they are for, the group that fits the member
// first (when they have told us who they are here as), then the rest in a fixed order; closed rooms apart.
import { audienceFor, audiences, type Audience, type Identity, type Room } from '@kindred/shared';

export interface RoomGroup {
  audience: Audience;
  rooms: Room[];
}

export interface RoomLayout {
  groups: RoomGroup[];
  /** The audience shown first because it fits the member, if any such group has rooms. */
  first: Audience | undefined;
  closed: Room[];
}

export function groupRooms(rooms: Room[], identity: Identity | null | undefined): RoomLayout {
  const fits = audienceFor(identity);
  const order = fits ? [fits, ...audiences.filter((audience) => audience !== fits)] : [...audiences];
  const open = rooms.filter((room) => !room.archived);
  const groups = order
    .map((audience) => ({ audience, rooms: open.filter((room) => room.audience === audience) }))
    .filter((group) => group.rooms.length > 0);
  return {
    groups,
    first: fits && groups[0]?.audience === fits ? fits : undefined,
    closed: rooms.filter((room) => room.archived),
  };
}
