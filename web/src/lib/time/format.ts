// Every date and time Kindred shows, in one format, from Intl: in the member's locale (the browser's) and
// time zone (the one they keep with Kindred for their hard days, else this device's).
//   whenText  "Today at 21:40", "Yesterday at 21:40", "3 March at 21:40", "3 March 2025 at 21:40"
//   messageTime "21:40" today (under the day's heading in a conversation), else as whenText
//   dayLabel  "Today", "Yesterday", "3 March", "3 March 2025" (a day on its own, as a heading)
//   timeText  "21:40"                      dateText  "3 March 2026" (a record: joined, shared, since)
//   fullTime  "Tuesday, 3 March 2026 at 21:40", for a title or tooltip
//   calendarDayText / monthText: days without a time (a hard day, a month), which never move a day.
// "Today" and "Yesterday" are calendar days in the member's zone, never 24-hour spans, so a day with a
// daylight-saving change counts right.

export interface TimeOptions {
  /** Defaults to the browser's. */
  locale?: string;
  /** Defaults to the member's own zone, else this device's. */
  timeZone?: string;
  /** Defaults to the present moment. */
  now?: Date;
  /** Mid-sentence: "today", "yesterday" without a capital ("Signed in today at 21:40"). */
  inSentence?: boolean;
}

let memberTimeZone: string | undefined;

/** The zone the member keeps with Kindred (`user.timeZone`), or null to follow this device. */
export function useMemberTimeZone(timeZone: string | null | undefined): void {
  memberTimeZone = timeZone && isKnownTimeZone(timeZone) ? timeZone : undefined;
}

/** The time zone this device is in. */
export function deviceTimeZone(): string | undefined {
  try {
    return new Intl.DateTimeFormat().resolvedOptions().timeZone || undefined;
  } catch {
    return undefined;
  }
}

function isKnownTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone });
    return true;
  } catch {
    return false;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Intl formatters are slow to build and a list draws hundreds of times: one per locale, zone and shape. */
function formatter(options: TimeOptions, shape: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const timeZone = shape.timeZone ?? options.timeZone ?? memberTimeZone;
  const key = JSON.stringify([options.locale, timeZone, shape]);
  let found = formatters.get(key);
  if (!found) {
    found = new Intl.DateTimeFormat(options.locale, { ...shape, timeZone });
    formatters.set(key, found);
  }
  return found;
}

const dayMonth: Intl.DateTimeFormatOptions = { day: 'numeric', month: 'long' };
const dayMonthYear: Intl.DateTimeFormatOptions = { day: 'numeric', month: 'long', year: 'numeric' };
const clock: Intl.DateTimeFormatOptions = { timeStyle: 'short' };
// en-CA writes YYYY-MM-DD: a calendar day to compare, whatever the member's locale.
const isoDay: Intl.DateTimeFormatOptions = { year: 'numeric', month: '2-digit', day: '2-digit' };

function calendarDay(date: Date, options: TimeOptions): string {
  return formatter({ ...options, locale: 'en-CA' }, isoDay).format(date);
}

/** The calendar day before a YYYY-MM-DD day, counted on the calendar (UTC has no clock changes). */
function dayBefore(day: string): string {
  const [year, month, date] = day.split('-').map(Number);
  return new Date(Date.UTC(year!, month! - 1, date! - 1)).toISOString().slice(0, 10);
}

function relativeDay(date: Date, options: TimeOptions): 'today' | 'yesterday' | undefined {
  const day = calendarDay(date, options);
  const today = calendarDay(options.now ?? new Date(), options);
  if (day === today) return 'today';
  if (day === dayBefore(today)) return 'yesterday';
  return undefined;
}

function sameYear(date: Date, options: TimeOptions): boolean {
  return calendarDay(date, options).slice(0, 4) === calendarDay(options.now ?? new Date(), options).slice(0, 4);
}

function capitalised(word: string, options: TimeOptions): string {
  return options.inSentence ? word : `${word[0]!.toUpperCase()}${word.slice(1)}`;
}

/** "21:40" (or "9:40 PM", as the locale writes it). */
export function timeText(iso: string, options: TimeOptions = {}): string {
  return formatter(options, clock).format(new Date(iso));
}

/** A day on its own: "Today", "Yesterday", "3 March", or "3 March 2025" in another year. */
export function dayLabel(iso: string, options: TimeOptions = {}): string {
  const date = new Date(iso);
  const relative = relativeDay(date, options);
  if (relative) return capitalised(relative, options);
  return formatter(options, sameYear(date, options) ? dayMonth : dayMonthYear).format(date);
}

/** When something happened, the day and the time: "Today at 21:40", mid-sentence "today at 21:40". */
export function whenText(iso: string, options: TimeOptions = {}): string {
  return `${dayLabel(iso, options)} at ${timeText(iso, options)}`;
}

/** A chat message's stamp: its time alone today (the conversation heads each day), else the day too. */
export function messageTime(iso: string, options: TimeOptions = {}): string {
  return relativeDay(new Date(iso), options) === 'today' ? timeText(iso, options) : whenText(iso, options);
}

/** The day of a record, with its year: "3 March 2026". */
export function dateText(iso: string, options: TimeOptions = {}): string {
  return formatter(options, dayMonthYear).format(new Date(iso));
}

/** Everything, for a title or tooltip: "Tuesday, 3 March 2026 at 21:40". */
export function fullTime(iso: string, options: TimeOptions = {}): string {
  return formatter(options, { dateStyle: 'full', timeStyle: 'short' }).format(new Date(iso));
}

/**
 * A day kept without a time or a zone (a hard date: month and day, perhaps a year): "14 July", "14 July
 * 2024". Drawn at noon UTC and formatted in UTC, so no zone can move it to the day before.
 */
export function calendarDayText(
  day: { month: number; day: number; year?: number | null },
  options: Pick<TimeOptions, 'locale'> = {},
): string {
  // A leap year stands in for a day kept without one, so 29 February stays 29 February.
  const date = new Date(Date.UTC(day.year ?? 2000, day.month - 1, day.day, 12));
  return formatter(options, { ...(day.year ? dayMonthYear : dayMonth), timeZone: 'UTC' }).format(date);
}

/** "June 2026" for "2026-06". */
export function monthText(month: string, options: Pick<TimeOptions, 'locale'> = {}): string {
  const [year, m] = month.split('-').map(Number);
  return formatter(options, { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(
    new Date(Date.UTC(year!, m! - 1, 15)),
  );
}
