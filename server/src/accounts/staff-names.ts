// Names that pass for staff. Members tell the people who look after Kindred by their staff mark (computed on
// the server, see chat/staff-marks.ts), and by their names; so a display name may neither claim a role ("Kim
// (admin)", "Kindred team", "M0D") nor, folded for look-alike characters, be a staff member's display name or
// username. Both are checked at sign-up and on every change of name; names chosen before someone became staff
// stay as they are (nobody is renamed), and the mark tells the two apart.
//
// Look-alikes are folded with the UTS #39 confusables data (the `unhomoglyph` package: its mapping generated
// from Unicode's confusables.txt), plus case, compatibility forms (full-width, circled), accents, small capitals
// and separators. The fold is only ever compared, never shown.
import { schema, type Database } from '@kindred/db';
import { eq, or, sql } from 'drizzle-orm';
import unhomoglyph from 'unhomoglyph';
import { ApiError } from '../errors.ts';

const { memberships, users } = schema;

// Small capitals and the few lower-case letters confusables.txt sends to them (Cyrillic к, м, т, н): the
// same letter, smaller.
const SMALL_CAPITALS: Record<string, string> = {
  ᴀ: 'a',
  ʙ: 'b',
  ᴄ: 'c',
  ᴅ: 'd',
  ᴇ: 'e',
  ꜰ: 'f',
  ɢ: 'g',
  ʜ: 'h',
  ɪ: 'i',
  ᴊ: 'j',
  ᴋ: 'k',
  ĸ: 'k',
  ʟ: 'l',
  ᴍ: 'm',
  ʍ: 'm',
  ɴ: 'n',
  ᴏ: 'o',
  ᴘ: 'p',
  ʀ: 'r',
  ꜱ: 's',
  ᴛ: 't',
  ᴜ: 'u',
  ᴠ: 'v',
  ᴡ: 'w',
  ʏ: 'y',
  ᴢ: 'z',
};
const SMALL_CAPITAL = new RegExp(`[${Object.keys(SMALL_CAPITALS).join('')}]`, 'gu');

/** Compatibility forms made plain, accents taken off, and each non-ASCII letter to the ASCII one it passes for. */
function plainLetters(name: string): string {
  const plain = name.normalize('NFKC').normalize('NFD').replace(/\p{M}/gu, '');
  return [...plain]
    .map((ch) => (ch.codePointAt(0)! < 0x80 ? ch : unhomoglyph(ch)))
    .join('')
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(SMALL_CAPITAL, (ch) => SMALL_CAPITALS[ch]!);
}

/**
 * What a name looks like, for comparing: "Kim", "KIM", "K\u0456m" (Cyrillic і), "Ｋｉｍ", "Kím" and "K-i-m" all
 * fold to one key. Letters and digits only, lower case, with I, l, 1 and | made one, and 0 and O.
 */
export function lookalikeKey(name: string): string {
  const folded = unhomoglyph(plainLetters(name).toLowerCase()).toLowerCase();
  const key = folded
    .replace(/[^\p{L}\p{N}]/gu, '')
    .replace(/[l1|]/g, 'i')
    .replace(/0/g, 'o');
  // A name of symbols alone (emoji) is compared as it is.
  return key || name.normalize('NFKC').replace(/\s+/gu, '');
}

// Words that say "I look after Kindred", alone as a word of the name.
const ROLE_WORDS = new Set([
  'admin',
  'admins',
  'administrator',
  'administrators',
  'sysadmin',
  'sysop',
  'superuser',
  'mod',
  'mods',
  'moderator',
  'moderators',
  'moderation',
  'modteam',
  'moderateur',
  'moderatrice',
  'moderador',
  'moderadora',
  'moderatorin',
  'staff',
  'staffer',
  'kindred',
  'official',
  'officials',
  'helpdesk',
]);
// Words that claim a role only together ("Support team", "Trust & Safety"), or as the whole name ("Team").
const ROLE_PHRASES = [
  ['support', 'team'],
  ['support', 'staff'],
  ['safety', 'team'],
  ['trust', 'safety'],
  ['care', 'team'],
  ['help', 'team'],
  ['help', 'desk'],
  ['the', 'team'],
];
const WHOLE_NAMES = new Set(['team', 'support', 'system', 'security', 'safety']);
// Role words that end a longer word claim the role too ("KimAdmin" written "kimadmin"); a single letter
// before them does not ("Madmin").
const ROLE_ENDINGS = ['admin', 'administrator', 'moderator'];

const LEET: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', $: 's' };

/** The words of a name, as someone reading it would take them. */
function wordsOf(name: string): string[] {
  const plain = plainLetters(name)
    // "KimAdmin": a capital after a small letter starts a word.
    .replace(/(\p{Ll})(\p{Lu})/gu, '$1 $2')
    .toLowerCase()
    .replace(/[0-9@$]/g, (ch) => LEET[ch] ?? ' ');
  const tokens = plain.split(/[^a-z]+/).filter(Boolean);
  // Letters spelt out one at a time ("A.D.M.I.N", "a d m i n") are one word.
  const words: string[] = [];
  let run = '';
  for (const token of tokens) {
    if (token.length === 1) {
      run += token;
      continue;
    }
    if (run) words.push(run);
    run = '';
    words.push(token);
  }
  if (run) words.push(run);
  return words;
}

/** True when a display name claims to be staff (admin, moderator, the Kindred team...). */
export function claimsRole(name: string): boolean {
  const words = wordsOf(name);
  if (words.some((word) => ROLE_WORDS.has(word))) return true;
  if (WHOLE_NAMES.has(words.join(' '))) return true;
  const joined = ` ${words.join(' ')} `;
  if (ROLE_PHRASES.some((phrase) => joined.includes(` ${phrase.join(' ')} `))) return true;
  return words.some((word) => ROLE_ENDINGS.some((ending) => word.endsWith(ending) && word.length - ending.length >= 2));
}

/** The names staff are known by now: admins, story moderators and room moderators (display names and usernames). */
async function staffNames(db: Database, exceptUserId: string | undefined): Promise<string[]> {
  const moderatesARoom = sql`EXISTS (SELECT 1 FROM ${memberships} WHERE ${memberships.userId} = ${users.id}
    AND ${memberships.role} = 'moderator')`;
  const rows = await db
    .select({ id: users.id, username: users.username, displayName: users.displayName })
    .from(users)
    .where(or(eq(users.isAdmin, true), eq(users.storyModerator, true), moderatesARoom));
  return rows.filter((row) => row.id !== exceptUserId).flatMap((row) => [row.displayName, row.username]);
}

/**
 * Refuses a display name that claims a role, or that looks like a staff member's name (anyone's but the
 * member's own, so staff may keep or re-type theirs).
 */
export async function assertNotPassingForStaff(
  db: Database,
  name: string,
  userId: string | undefined,
  field = 'displayName',
): Promise<void> {
  if (claimsRole(name)) {
    throw new ApiError(
      'display_name_claims_role',
      'Names that sound like someone who looks after Kindred (such as “admin”, “moderator” or “Kindred team”) are kept for them, so members always know who is who. Please choose another name — the people who look after Kindred have a mark beside their name instead.',
      field,
    );
  }
  const key = lookalikeKey(name);
  const staff = await staffNames(db, userId);
  if (staff.some((other) => lookalikeKey(other) === key)) {
    throw new ApiError(
      'display_name_like_staff',
      'That name looks very like the name of someone who looks after Kindred, so others could mistake one of you for the other. Please make it a little more your own — adding an initial or a word is enough.',
      field,
    );
  }
}
