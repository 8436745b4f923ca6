// What a moderator can do about one queue item, in the order they would think of it: the content first
// (hide or restore it; approve or decline a waiting story), then its author (mute, remove, ban), then
// closing the item. Whether a member is muted or banned now is read from the earlier actions the item
// brings, newest first, since the queue says nothing else about it.
import type { AuditEntry, ModerationActionName, QueueItem } from '@kindred/shared';

export interface ActionChoice {
  value: ModerationActionName;
  label: string;
  hint: string;
}

const nouns: Record<string, string> = { message: 'message', story: 'story', reply: 'reply' };

/** The newest of `actions` about the target with this id (and room, when given). */
function latest(
  entries: AuditEntry[],
  actions: ModerationActionName[],
  targetId: string,
  room?: string | null,
): AuditEntry | undefined {
  return entries.find(
    (entry) =>
      actions.includes(entry.action as ModerationActionName) &&
      entry.target.id === targetId &&
      (room === undefined || entry.room === room),
  );
}

function isHidden(item: QueueItem): boolean {
  if (item.context.message) return item.context.message.hidden;
  return latest(item.context.earlierActions, ['hide', 'restore'], item.target.id)?.action === 'hide';
}

function isMuted(item: QueueItem, userId: string, now: Date): boolean {
  const last = latest(item.context.earlierActions, ['mute', 'unmute'], userId, item.room);
  if (last?.action !== 'mute' || !last.durationMinutes) return false;
  return new Date(last.createdAt).getTime() + last.durationMinutes * 60_000 > now.getTime();
}

export function actionsFor(item: QueueItem, isAdmin: boolean, now = new Date()): ActionChoice[] {
  const name = item.subject?.displayName ?? 'the author';
  /** The same at the start of a sentence: a member's name is never changed, only "the author". */
  const Name = item.subject?.displayName ?? 'The author';
  const noun = nouns[item.target.type];
  const choices: ActionChoice[] = [];
  const pendingStory = item.target.type === 'story' && item.context.story?.status === 'pending';

  if (pendingStory) {
    choices.push(
      { value: 'approve_story', label: 'Approve the story', hint: 'It is shared in Stories for everyone to read.' },
      {
        value: 'reject_story',
        label: 'Decline the story',
        hint: `It isn't shared. ${Name} is told privately, with your reason, and can still read and change it.`,
      },
    );
  } else if (noun && !item.context.message?.deleted && (item.target.type !== 'message' || item.context.message)) {
    choices.push(
      isHidden(item)
        ? { value: 'restore', label: `Restore the ${noun}`, hint: `Everyone can read it again, and ${name} is told.` }
        : {
            value: 'hide',
            label: `Hide the ${noun}`,
            hint: `Others see that a ${noun} was hidden, not what it said. ${Name} is told privately, with your reason.`,
          },
    );
  }

  const subject = item.subject;
  if (subject && item.room) {
    choices.push(
      isMuted(item, subject.id, now)
        ? { value: 'unmute', label: `Unmute ${subject.displayName}`, hint: 'They can write in this room again.' }
        : {
            value: 'mute',
            label: `Mute ${subject.displayName}`,
            hint: 'They can still read this room, but not write in it until the mute ends.',
          },
      {
        value: 'remove_from_room',
        label: `Remove ${subject.displayName} from the room`,
        hint: "They leave the room and can't join it again.",
      },
    );
  }
  if (subject && isAdmin) {
    const banned = latest(item.context.earlierActions, ['ban', 'unban'], subject.id)?.action === 'ban';
    choices.push(
      banned
        ? { value: 'unban', label: `Unban ${subject.displayName}`, hint: 'They can sign in to Kindred again.' }
        : {
            value: 'ban',
            label: `Ban ${subject.displayName} from Kindred`,
            hint: "They are signed out everywhere and can't sign in again. Only admins can do this.",
          },
    );
  }
  // A waiting story is closed by approving or declining it; resolving would leave it waiting unseen.
  if (!pendingStory) {
    choices.push({
      value: 'resolve_report',
      label: 'Resolve: close this item',
      hint: 'When nothing more needs doing, or you have done it. The item stays in the log.',
    });
  }
  return choices;
}
