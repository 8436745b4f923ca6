// A member's person mark colour as it leaves the server: a key of the shared palette, or null for the one
// the web derives from their id. A stored value the palette no longer holds reads as null.
import { MARK_COLOURS, type MarkColour } from '@kindred/shared';

const palette = new Set<string>(MARK_COLOURS);

export function asMarkColour(value: string | null | undefined): MarkColour | null {
  return value && palette.has(value) ? (value as MarkColour) : null;
}
