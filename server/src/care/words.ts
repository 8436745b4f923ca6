// Gentle words that rotate by day: the mantra on the home page (the same for everyone on a given day)
// and the journal prompts. Written with care (see CARE.md): never cheerful at someone, never pressing.

export const mantras = [
  'It’s okay to feel what I feel.',
  'My grief is as big as my love.',
  'There is no timeline for this.',
  'I can rest. Healing is slow work too.',
  'Both things can be true: I am sad, and I am still here.',
  'I don’t have to explain my loss to anyone.',
  'Some days are heavier. This may be one of them, and that is allowed.',
  'I am allowed to protect my heart.',
  'What I lost was real, however early.',
  'I can ask for help, and I can say no.',
  'Tears are not weakness; they are love with nowhere to go.',
  'Today I only need to get through today.',
];

export const journalPrompts = [
  'What do I wish others understood about my grief?',
  'What would I like to say to my baby, or to the hope I carried?',
  'What has helped me, even a little, this week?',
  'When did I last feel close to someone who understands?',
  'What do I need right now, and who could I ask for it?',
  'Which date is coming that I am dreading, and how might I take care of myself on it?',
  'What do I want to remember?',
  'What would I say to a friend who was feeling what I feel today?',
  'What am I carrying that I could set down for a while?',
  'Is there something I haven’t said out loud yet?',
];

/** Days since the epoch of a calendar date (YYYY-MM-DD): the same index for everyone on that day. */
export function dayIndex(isoDate: string): number {
  return Math.floor(Date.parse(`${isoDate}T00:00:00Z`) / 86_400_000);
}

export function pick<T>(list: readonly T[], isoDate: string): T {
  return list[((dayIndex(isoDate) % list.length) + list.length) % list.length]!;
}

/** The calendar date (YYYY-MM-DD) at `now` in an IANA time zone; UTC for none or an unknown zone. */
export function localDate(now: Date, timeZone: string | null | undefined): string {
  try {
    return new Intl.DateTimeFormat('en-CA', {
      timeZone: timeZone ?? 'UTC',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    }).format(now);
  } catch {
    return now.toISOString().slice(0, 10);
  }
}

export function isKnownTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone });
    return true;
  } catch {
    return false;
  }
}
