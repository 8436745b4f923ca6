// What a notice quotes: a short plain preview of the words that caused it, and the usernames a chat message
// names with @ (the same rule as usernames: 3 to 32 letters, numbers or underscores; case does not matter).

/** The most members one message may notify by naming them; names past it are left as plain words. */
export const MENTIONS_PER_MESSAGE = 5;
const PREVIEW_CHARS = 160;

/** The lower-cased usernames a message names, each once, in the order written. */
export function mentionedUsernames(body: string): string[] {
  const names: string[] = [];
  for (const match of body.matchAll(/(?<![\w@])@([A-Za-z0-9_]{3,32})(?![\w@])/g)) {
    const name = match[1]!.toLowerCase();
    if (!names.includes(name)) names.push(name);
  }
  return names;
}

/** A one-paragraph preview: Markdown marks and runs of space folded, cut at a word near PREVIEW_CHARS. */
export function previewOf(body: string): string {
  const plain = body
    .replace(/^\s*(#+|>+)\s*/gm, '')
    .replace(/\*+|`+|~~/g, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\s+/g, ' ')
    .trim();
  if (plain.length <= PREVIEW_CHARS) return plain;
  const cut = plain.slice(0, PREVIEW_CHARS);
  const space = cut.lastIndexOf(' ');
  return `${(space > PREVIEW_CHARS / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}
