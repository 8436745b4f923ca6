// The words of moderation: why an item waits, what each action does in a sentence for the log, and the
// choices a moderator picks from (how long a mute lasts, how slow a room goes). In one place, so the
// queue, the room tools and the log all say the same thing.
import type { AuditEntry, ModerationActionName } from '@kindred/shared';

/** Why Kindred itself put an item in the queue, when no member reported it. */
export const automaticReasonLabels: Record<string, string> = {
  crisis_language: 'Words that may mean someone is at risk',
  first_story: 'A new member’s first story, waiting for approval',
};

/** What a queue item or an action is about, as a noun: "a message", "a member". */
export const targetNouns: Record<string, string> = {
  message: 'a message',
  user: 'a member',
  story: 'a story',
  reply: 'a reply to a story',
  room: 'the room',
  report: 'an item in the queue',
};

/** The mute lengths a moderator chooses from, in minutes. */
export const muteDurations: readonly { value: string; label: string }[] = [
  { value: '15', label: '15 minutes' },
  { value: '60', label: '1 hour' },
  { value: '1440', label: '24 hours' },
  { value: '10080', label: '7 days' },
];

/** Slow mode choices, in seconds; 0 turns it off. */
export const slowModeChoices: readonly { value: string; label: string }[] = [
  { value: '0', label: 'Off' },
  { value: '10', label: 'One message every 10 seconds' },
  { value: '30', label: 'One message every 30 seconds' },
  { value: '60', label: 'One message a minute' },
  { value: '300', label: 'One message every 5 minutes' },
  { value: '900', label: 'One message every 15 minutes' },
];

/** "15 minutes", "1 hour", "3 days": a length of time as the mute choices say it, or in the largest whole unit. */
export function durationText(minutes: number): string {
  const offered = muteDurations.find((choice) => choice.value === String(minutes));
  if (offered) return offered.label;
  const [size, unit] = (
    [
      [1440, 'day'],
      [60, 'hour'],
    ] as const
  ).find(([size]) => minutes % size === 0) ?? [1, 'minute'];
  const count = minutes / size;
  return `${count.toLocaleString('en')} ${unit}${count === 1 ? '' : 's'}`;
}

/** "one message every 30 seconds", for slow mode in a sentence. */
export function slowModeText(seconds: number): string {
  if (seconds === 0) return 'off';
  if (seconds % 60 === 0) {
    const minutes = seconds / 60;
    return minutes === 1 ? 'one message a minute' : `one message every ${minutes} minutes`;
  }
  return `one message every ${seconds} seconds`;
}

const verbs: Record<ModerationActionName, (entry: AuditEntry) => string> = {
  hide: (entry) => `hid ${targetNouns[entry.target.type] ?? 'something'}`,
  restore: (entry) => `restored ${targetNouns[entry.target.type] ?? 'something'}`,
  mute: (entry) => `muted a member${entry.durationMinutes ? ` for ${durationText(entry.durationMinutes)}` : ''}`,
  unmute: () => 'lifted a member’s mute',
  remove_from_room: () => 'removed a member from the room',
  readmit: () => 'let a member back into the room',
  ban: () => 'banned a member from Kindred',
  unban: () => 'lifted a member’s ban',
  set_slow_mode: (entry) =>
    entry.seconds ? `set slow mode to ${slowModeText(entry.seconds)}` : 'turned slow mode off',
  lock_room: () => 'paused the room',
  unlock_room: () => 'opened the room again',
  resolve_report: () => 'closed an item in the queue',
  approve_story: () => 'shared a waiting story',
  reject_story: () => 'declined a waiting story',
};

/** Changes of who looks after what: made by admins, kept in the same log. */
const appointmentVerbs: Record<string, () => string> = {
  appoint_moderator: () => 'appointed a member as a moderator of the room',
  remove_moderator: () => 'stood a moderator of the room down (they stay a member)',
  appoint_story_moderator: () => 'named a member a story moderator',
  remove_story_moderator: () => 'stood a story moderator down',
};

/** Rows of the log that are about an account's way back in, not moderation (admins see them). */
const accountVerbs: Record<string, () => string> = {
  issue_reset_link: () => 'issued a password reset link for a member',
  use_reset_link: () => 'chose a new password with a reset link',
};

/** The actor of a reset link issued at the operator's command line, who is not a member. */
const OPERATOR_ACTOR_ID = '00000000-0000-0000-0000-000000000000';

/** "Ana hid a message": who did what, in one sentence without the reason. */
export function describeAction(entry: AuditEntry): string {
  const actor =
    entry.actor.id === OPERATOR_ACTOR_ID ? 'The operator' : (entry.actor.displayName ?? 'A moderator who has left');
  const verb =
    verbs[entry.action as ModerationActionName] ?? appointmentVerbs[entry.action] ?? accountVerbs[entry.action];
  return `${actor} ${verb ? verb(entry) : entry.action.replaceAll('_', ' ')}`;
}
