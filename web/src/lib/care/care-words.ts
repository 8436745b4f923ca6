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

export function kindText(kind: string): string {
  return hardDateKinds.find((entry) => entry.value === kind)?.label ?? 'A day that matters';
}

/** "1 candle lit", "12 candles lit": the wall's only number, never a comparison. */
export function candlesText(count: number): string {
  return count === 1 ? '1 candle lit' : `${count.toLocaleString('en')} candles lit`;
}
