// How message times read: just the time for today, the day and time before that, the year only when it
// differs. The full date and time go in a title, and the machine-readable one in <time datetime>.

const timeOfDay = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });
const dayThisYear = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short' });
const dayOtherYear = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric' });
const full = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'short' });

export function shortTime(iso: string, now = new Date()): string {
  const date = new Date(iso);
  const time = timeOfDay.format(date);
  if (date.toDateString() === now.toDateString()) return time;
  const day = (date.getFullYear() === now.getFullYear() ? dayThisYear : dayOtherYear).format(date);
  return `${day}, ${time}`;
}

export function fullTime(iso: string): string {
  return full.format(new Date(iso));
}
