// The one rule for display names, at registration and on every change. A name is how members know each
// other, so it must look like what it is: characters that are invisible (zero-width spaces and joiners,
// Hangul fillers, tag characters, variation selectors on letters) or that turn the text around them
// (bidi controls) are refused, since with them "sec\u200Badmin" passes for "secadmin" and "\u202Enimda"
// shows as "admin". Refused, not silently removed: the member sees exactly the name that others will.
import { ApiError } from '../errors.ts';

// Controls, format characters (bidi controls, zero-width characters, the soft hyphen, tags), surrogates,
// and the characters that are letters or marks by category yet draw nothing: Hangul fillers, the Braille
// blank, the combining grapheme joiner, Khmer's inherent vowels, Mongolian and other variation selectors.
// (The marks have a class of their own: in one with letters, a mark would read as joined to the letter.)
const HIDDEN =
  /[\p{Cc}\p{Cf}\p{Cs}\u115F\u1160\u3164\uFFA0\u2800]|[\u034F\u17B4\u17B5\u180B-\u180F\uFE00-\uFE0F\u{E0100}-\u{E01EF}]/u;

// The few places where those characters are part of a visible emoji, taken out before HIDDEN looks: a
// zero-width joiner inside an emoji sequence (man, joiner, woman: one family), a presentation selector
// after an emoji (the red heart) or in a keycap (the digit 1 in a box), and the tag sequences of the three subdivision flags in use (England, Scotland, Wales).
const EMOJI_PARTS = new RegExp(
  [
    '(?<=[\\p{Extended_Pictographic}\\p{Emoji_Modifier}\\uFE0F])\\u200D(?=\\p{Extended_Pictographic})',
    '(?<=\\p{Extended_Pictographic})[\\uFE0E\\uFE0F]',
    '(?<=[0-9#*])\\uFE0F(?=\\u20E3)',
    '(?<=\\u{1F3F4})\\u{E0067}\\u{E0062}(?:\\u{E0065}\\u{E006E}\\u{E0067}|\\u{E0073}\\u{E0063}\\u{E0074}|\\u{E0077}\\u{E006C}\\u{E0073})\\u{E007F}',
  ].join('|'),
  'gu',
);

const HIDDEN_MESSAGE =
  'That name has a hidden character in it (one that is invisible, or that turns text around), which could make it look like someone else’s. Please type it again without it.';

/**
 * The name as it will be stored and shown: in one Unicode form (NFC, so the same letters are always the
 * same text), with runs of spaces made one; or a validation error saying what to change.
 */
export function acceptDisplayName(input: string): string {
  const name = input.normalize('NFC');
  if (HIDDEN.test(name.replace(EMOJI_PARTS, ''))) throw new ApiError('validation', HIDDEN_MESSAGE, 'displayName');
  const tidy = name.replace(/\s+/gu, ' ').trim();
  if (!tidy) throw new ApiError('validation', 'Display names are 1 to 48 characters.', 'displayName');
  return tidy;
}
