// How a room's messages read as a conversation: one person's messages close together sit under one name,
// and a separator names each day ("Today", "Yesterday", then the date in the member's locale and time zone).

import type { Message } from '@kindred/shared';

/** Messages from one person this close together read as one turn. */
export const GROUP_GAP_MS = 5 * 60_000;

export interface ConversationRow {
  message: Message;
  /** The separator before this message when it starts a new day, or null. */
  day: string | null;
  /** True when this message carries on the previous one's group (its name is not repeated). */
  continues: boolean;
}

interface Options {
  now?: Date;
  /** A BCP 47 locale; the browser's own when not given. */
  locale?: string;
  /** The first new message since the member was last here: a group never runs across the divider. */
  dividerSeq?: number | null;
}

const dayKey = (date: Date) => `${date.getFullYear()}-${date.getMonth()}-${date.getDate()}`;

export function dayLabel(date: Date, now = new Date(), locale?: string): string {
  if (dayKey(date) === dayKey(now)) return 'Today';
  const yesterday = new Date(now.getFullYear(), now.getMonth(), now.getDate() - 1);
  if (dayKey(date) === dayKey(yesterday)) return 'Yesterday';
  return new Intl.DateTimeFormat(locale, {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: date.getFullYear() === now.getFullYear() ? undefined : 'numeric',
  }).format(date);
}

export function conversationRows(messages: readonly Message[], options: Options = {}): ConversationRow[] {
  const now = options.now ?? new Date();
  let previous: { message: Message; date: Date } | undefined;
  return messages.map((message) => {
    const date = new Date(message.createdAt);
    const newDay = !previous || dayKey(previous.date) !== dayKey(date);
    const continues =
      !newDay &&
      previous !== undefined &&
      message.seq !== options.dividerSeq &&
      message.author !== null &&
      previous.message.author?.id === message.author.id &&
      date.getTime() - previous.date.getTime() <= GROUP_GAP_MS;
    previous = { message, date };
    return { message, day: newDay ? dayLabel(date, now, options.locale) : null, continues };
  });
}
