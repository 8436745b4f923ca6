// @username in chat: the pieces of a message's text, so a mention shows as one, and the name being typed
// just before the caret, for the composer's picker. Same rule as usernames (3 to 32 letters, numbers or
// underscores), and as the server's (server/src/notices/words.ts).

export type Piece = { text: string; mention: boolean };

const MENTION = /(?<![\w@])@[A-Za-z0-9_]{3,32}(?![\w@])/g;

/** The text cut into plain runs and mentions, in order; joined they are the text again. */
export function mentionPieces(text: string): Piece[] {
  const pieces: Piece[] = [];
  let at = 0;
  for (const match of text.matchAll(MENTION)) {
    if (match.index > at) pieces.push({ text: text.slice(at, match.index), mention: false });
    pieces.push({ text: match[0], mention: true });
    at = match.index + match[0].length;
  }
  if (at < text.length) pieces.push({ text: text.slice(at), mention: false });
  return pieces;
}

/** The @name being typed just before `caret` (its start and what follows the @), or null. */
export function mentionAt(text: string, caret: number): { start: number; query: string } | null {
  const match = /(?:^|[^\w@])@([A-Za-z0-9_]{0,32})$/.exec(text.slice(0, caret));
  if (!match) return null;
  return { start: caret - match[1]!.length - 1, query: match[1]! };
}
