// How the member directory says things: when someone joined, and the roles they hold, in plain words.
import type { MemberDetail } from '@kindred/shared';

import { dateText } from '$lib/time/format';

/** "Joined 3 June 2026". */
export function joinedText(iso: string): string {
  return `Joined ${dateText(iso)}`;
}

/** Each role the member holds, as a short phrase; empty for a member with none. */
export function roleTexts(roles: MemberDetail['roles']): string[] {
  return [
    ...(roles.admin ? ['Kindred admin'] : []),
    ...(roles.storyModerator ? ['Story moderator'] : []),
    ...roles.roomModerator.map((room) => `Moderator of ${room.name}`),
  ];
}
