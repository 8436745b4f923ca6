// The words and shapes of the gentle tools (journal, hard dates, remembrance wall), in one place so the
// home page, the journal, the dates page and the wall say the same thing.
import type { CreateHardDateBody } from '@kindred/shared';

export type HardDateKind = CreateHardDateBody['kind'];

/** The kinds of date a member can keep, in the order they are offered. */
export const hardDateKinds: readonly { value: HardDateKind; label: string }[] = [
  { value: 'due_date', label: 'A due date' },
  { value: 'loss', label: 'The day of a loss' },
  { value: 'anniversary', label: 'An anniversary' },
  { value: 'other', label: 'Another day that matters' },
];

export const monthNames = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
] as const;

// The form's examples once began with a capital ("The day we said goodbye"), and the home note then read
// "Today is The day we said goodbye". A kept day is shown as the member wrote it on its own line, and inside
// a sentence with a leading common word in lower case; names, acronyms and other words stay as written.
const commonFirstWords = new Set(['the', 'a', 'an', 'my', 'our', 'her', 'his', 'their', 'your', 'its']);

function inSentence(label: string): string {
  const first = label.split(/\s/, 1)[0]!;
  const capitalised = first.length > 1 ? first === `${first[0]!.toUpperCase()}${first.slice(1).toLowerCase()}` : true;
  return commonFirstWords.has(first.toLowerCase()) && capitalised
    ? `${first.toLowerCase()}${label.slice(first.length)}`
    : label;
}

/** The days a member kept, inside a sentence: "Today is the day we said goodbye and her due date." */
export function hardDayNames(labels: readonly string[]): string {
  const names = labels.map(inSentence);
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

/** A kept day on a line of its own: "Her due date", even when written "her due date". */
export function hardDayTitle(label: string): string {
  return label ? `${label[0]!.toUpperCase()}${label.slice(1)}` : label;
}

export function kindText(kind: string): string {
  return hardDateKinds.find((entry) => entry.value === kind)?.label ?? 'A day that matters';
}

/** "1 candle lit", "12 candles lit": the wall's only number, never a comparison. */
export function candlesText(count: number): string {
  return count === 1 ? '1 candle lit' : `${count.toLocaleString('en')} candles lit`;
}
