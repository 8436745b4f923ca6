// Reads a room's rules, which admins write in a small piece of Markdown: paragraphs, numbered and bulleted
// lists, **bold**, and [links](/path) to pages on Kindred. The result is data, never HTML: RulesText.svelte
// draws it with Svelte's own escaping, so nothing typed into the rules can become markup or script, and a
// link that would leave Kindred (or run code, like `javascript:`) stays plain text.
// A stand-in: when Kindred takes on a well-kept Markdown library with a sanitizer, this module goes.

export type Inline =
  | { kind: 'text'; text: string }
  | { kind: 'strong'; children: Inline[] }
  | { kind: 'link'; href: string; children: Inline[] };

export type Block =
  { kind: 'paragraph'; content: Inline[] } | { kind: 'list'; ordered: boolean; start: number; items: Inline[][] };

const orderedItem = /^ {0,3}(\d{1,9})[.)][ \t]+(.*)$/;
const bulletItem = /^ {0,3}[-*+][ \t]+(.*)$/;
const indented = /^(?: {2,}|\t)\S/;
// **bold** (not empty, not starting or ending in a space) or [text](target) with no spaces in the target.
const inlinePattern = /\*\*(?=\S)(.*?\S)\*\*|\[([^[\]]+)\]\(([^()\s]+)\)/g;

/** A path on this site: "/help", but not "//host" or "/\host", which browsers read as another site. */
export function isSitePath(href: string): boolean {
  return href.startsWith('/') && !href.startsWith('//') && !href.startsWith('/\\');
}

export function parseRules(markdown: string): Block[] {
  const blocks: { kind: 'paragraph' | 'list'; ordered: boolean; start: number; lines: string[] }[] = [];
  let open: (typeof blocks)[number] | undefined;
  let afterBlank = false;

  for (const line of markdown.replace(/\r\n?/g, '\n').split('\n')) {
    if (line.trim() === '') {
      if (open?.kind === 'paragraph') open = undefined;
      afterBlank = true;
      continue;
    }
    const ordered = orderedItem.exec(line);
    const bullet = ordered ? null : bulletItem.exec(line);
    if (ordered || bullet) {
      const isOrdered = ordered !== null;
      // A list goes on across blank lines while its items keep the same kind, as in CommonMark.
      if (open?.kind !== 'list' || open.ordered !== isOrdered) {
        open = { kind: 'list', ordered: isOrdered, start: ordered ? Number(ordered[1]) : 1, lines: [] };
        blocks.push(open);
      }
      open.lines.push((ordered ? ordered[2] : bullet![1])!.trim());
    } else if (open?.kind === 'list' && (!afterBlank || indented.test(line))) {
      // The item's text carries on: an indented line, or any line straight after it.
      open.lines[open.lines.length - 1] += ` ${line.trim()}`;
    } else if (open?.kind === 'paragraph') {
      open.lines.push(line.trim());
    } else {
      open = { kind: 'paragraph', ordered: false, start: 1, lines: [line.trim()] };
      blocks.push(open);
    }
    afterBlank = false;
  }

  return blocks.map((block) =>
    block.kind === 'paragraph'
      ? { kind: 'paragraph', content: parseInline(block.lines.join(' ')) }
      : { kind: 'list', ordered: block.ordered, start: block.start, items: block.lines.map(parseInline) },
  );
}

export function parseInline(text: string): Inline[] {
  const nodes: Inline[] = [];
  const addText = (value: string) => {
    if (value === '') return;
    const last = nodes[nodes.length - 1];
    if (last?.kind === 'text') last.text += value;
    else nodes.push({ kind: 'text', text: value });
  };
  let from = 0;
  for (const match of text.matchAll(inlinePattern)) {
    addText(text.slice(from, match.index));
    from = match.index + match[0].length;
    const [, strong, label, href] = match;
    if (strong !== undefined) {
      nodes.push({ kind: 'strong', children: parseInline(strong) });
    } else if (isSitePath(href!)) {
      nodes.push({ kind: 'link', href: href!, children: parseInline(label!) });
    } else {
      // Not a page on Kindred: keep the words, drop the link.
      for (const child of parseInline(label!)) {
        if (child.kind === 'text') addText(child.text);
        else nodes.push(child);
      }
    }
  }
  addText(text.slice(from));
  return nodes;
}
