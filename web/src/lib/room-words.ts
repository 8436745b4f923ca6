// The words Kindred uses about rooms: who they are for, who a member is here as, how many are in a room
// and who looks after it. In one place, so the rooms list, a room's page, the welcome question and the
// admin's pages all say the same thing.
import type { Audience, Identity, Room } from '@kindred/shared';

/** Headings of the rooms list, and the admin's choice of audience. */
export const audienceTitles: Record<Audience, string> = {
  mothers: 'For mothers',
  partners: 'For partners',
  families: 'For family and friends',
  everyone: 'For everyone',
};

/** The answers to "Who are you here as?", in the order they are offered. */
export const identityChoices: readonly { value: Identity; label: string; hint?: string }[] = [
  { value: 'lost_pregnancy', label: 'Someone who lost a pregnancy', hint: 'At any stage, in any way.' },
  { value: 'partner', label: 'A partner', hint: 'Of someone who lost a pregnancy. Your grief counts too.' },
  { value: 'family_friend', label: 'Family or a friend', hint: 'Grieving yourself, or standing beside someone.' },
  { value: 'prefer_not', label: "I'd rather not say" },
];

/** How "you're here as …" ends, for the identities that bring a group of rooms first. */
export const hereAs: Partial<Record<Identity, string>> = {
  lost_pregnancy: 'someone who lost a pregnancy',
  partner: 'a partner',
  family_friend: 'family or a friend',
};

/** "12 members": a count only, never who. */
export function membersText(count: number): string {
  if (count === 0) return 'No members yet';
  return count === 1 ? '1 member' : `${count.toLocaleString('en')} members`;
}

/** "3 new messages" since the member last read the room; counted up to 1,000 by the server. */
export function unreadText(count: number): string {
  if (count >= 1000) return '999+ new messages';
  return count === 1 ? '1 new message' : `${count.toLocaleString('en')} new messages`;
}

/** "2 here now": members with the room open now, a count only. */
export function hereNowText(count: number): string {
  return `${count.toLocaleString('en')} here now`;
}

/** The rooms list's title, with what waits in all of them: "(3) Rooms — Kindred". */
export function roomsTitle(unread: number): string {
  if (unread <= 0) return 'Rooms — Kindred';
  return `(${unread >= 1000 ? '999+' : unread.toLocaleString('en')}) Rooms — Kindred`;
}

const names = new Intl.ListFormat('en', { style: 'long', type: 'conjunction' });

/** "Looked after by Ana and Ben", or undefined while a room has no moderator. */
export function lookedAfterBy(moderators: Room['moderators']): string | undefined {
  if (moderators.length === 0) return undefined;
  return `Looked after by ${names.format(moderators.map((moderator) => moderator.displayName))}`;
}

const people = (count: number, one: string, many: string) => (count === 1 ? one : `${count} ${many}`);

/**
 * What a room's page says about who looks after it, from what the server let this viewer see. Admins and
 * the room's own moderators (`seesAll`) read every moderator's name; everyone else reads a name only while
 * that moderator is on duty and chose "Let members see my name" (the moderator's choice wins), and
 * otherwise that a moderator is here, or that volunteers look after the room.
 */
export function careLines(room: Pick<Room, 'moderators' | 'moderatorCount' | 'onDuty'>, seesAll: boolean): string[] {
  const lines: string[] = [];
  const { count, names: shown } = room.onDuty;
  if (seesAll) {
    const all = lookedAfterBy(room.moderators);
    if (all) lines.push(all);
  } else if (count === 0 && room.moderatorCount > 0) {
    lines.push(`Looked after by ${people(room.moderatorCount, 'a volunteer moderator', 'volunteer moderators')}`);
  }
  if (count > 0) {
    const unnamed = count - shown.length;
    if (shown.length === 0) lines.push(`${people(count, 'A moderator is', 'moderators are')} on duty here now`);
    else if (unnamed === 0) lines.push(`${names.format(shown)} ${count === 1 ? 'is' : 'are'} on duty here now`);
    else {
      const others = people(unnamed, 'another moderator', 'other moderators');
      lines.push(`${names.format([...shown, others])} are on duty here now`);
    }
  }
  return lines;
}
