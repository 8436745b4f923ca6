// What a person mark shows: up to two initials, and a palette colour, the member's own choice or else one
// derived from their id (so it stays the same wherever they appear). Anonymous words get the neutral mark,
// never a colour derived from anyone's id, since that would tell readers who wrote them.
import { MARK_COLOURS, type MarkColour } from '@kindred/shared';

export function initialsOf(name: string): string {
  const words = name.trim().split(/\s+/u).filter(Boolean);
  const first = (word: string | undefined) => (word ? (Array.from(word)[0] ?? '') : '');
  const letters = words.length > 1 ? first(words[0]) + first(words.at(-1)) : first(words[0]);
  return letters.toLocaleUpperCase() || '·';
}

/** A small, stable hash of the id (FNV-1a), so one id always draws the same colour. */
export function derivedColour(id: string): MarkColour {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i += 1) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return MARK_COLOURS[(hash >>> 0) % MARK_COLOURS.length]!;
}

export function markColourOf(person: { id?: string | null; colour?: MarkColour | null }): MarkColour | 'neutral' {
  if (person.colour) return person.colour;
  return person.id ? derivedColour(person.id) : 'neutral';
}
