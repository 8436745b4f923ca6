// Markdown to safe HTML, on the server, once per save. Two layers: markdown-it with raw HTML off (so any
// tag someone types is text), then sanitize-html with an allow-list, so even a parser bug cannot let a
// script, an event handler, a style or an image from another host through. Links open nothing of ours to
// the other side: rel="nofollow noopener noreferrer", and only http(s), mailto and same-site paths.
import MarkdownIt from 'markdown-it';
import sanitizeHtml from 'sanitize-html';

const markdown = new MarkdownIt({ html: false, linkify: true, typographer: true, breaks: true });

const allowList: sanitizeHtml.IOptions = {
  allowedTags: [
    'p',
    'br',
    'strong',
    'em',
    'del',
    's',
    'blockquote',
    'ul',
    'ol',
    'li',
    'h2',
    'h3',
    'h4',
    'hr',
    'code',
    'pre',
    'a',
  ],
  allowedAttributes: { a: ['href', 'rel'], ol: ['start'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesAppliedToAttributes: ['href'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'escape',
  transformTags: {
    // Headings start at h2: the story's title is the page's h1.
    h1: 'h2',
    a: (tagName, attribs) => ({
      tagName,
      attribs: { ...(attribs.href ? { href: attribs.href } : {}), rel: 'nofollow noopener noreferrer' },
    }),
  },
};

export function renderMarkdown(source: string): string {
  return sanitizeHtml(markdown.render(source), allowList);
}

// Where one block of a story ends and the next begins. Stripped of its markup, "- a candle\n- a tree"
// would read "a candle a tree"; each block stays a piece of its own instead.
const blockEdge = /<\/?(?:p|li|ul|ol|h[1-6]|blockquote|pre|hr|table|tr)\b[^>]*>/g;
const endsASentence = /[.!?…:;,]["'”’)]*$/;

/**
 * Plain text for excerpts and search snippets: no markup at all. Blocks (paragraphs, headings, list items)
 * are joined with a space after a sentence's end and with " · " otherwise, so a list reads as a list.
 */
export function plainText(source: string, maxChars: number): string {
  // Raw HTML is off, so every "<" a member typed is already "&lt;": the tags here are markdown-it's own.
  const html = markdown.render(source).replace(/\s+/g, ' ').replace(blockEdge, '\n');
  const text = sanitizeHtml(html, { allowedTags: [], allowedAttributes: {} })
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .split('\n')
    .map((block) => block.replace(/\s+/g, ' ').trim())
    .filter(Boolean)
    .reduce((joined, block) => (joined ? `${joined}${endsASentence.test(joined) ? ' ' : ' · '}${block}` : block), '');
  const chars = [...text];
  return chars.length > maxChars
    ? `${chars
        .slice(0, maxChars - 1)
        .join('')
        .trimEnd()}…`
    : text;
}
