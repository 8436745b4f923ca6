// Serves the built SvelteKit app (a static SPA) on the same port as the API: files from web/build,
// and index.html for every other page path so client-side routes survive a reload.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** index.html as each encoding the browser may ask for, as adapter-static's `precompress` wrote it. */
export interface IndexHtml {
  identity: Buffer;
  br?: Buffer;
  gzip?: Buffer;
}

export interface WebApp {
  dir: string;
  indexHtml: IndexHtml;
  /** CSP source expressions ('sha256-…') of the inline scripts index.html boots with. */
  scriptHashes: string[];
  /** CSP source expressions of the style attributes the built app writes (index.html and its scripts). */
  styleHashes: string[];
}

export function loadWebApp(dir: string): WebApp {
  const indexPath = path.join(dir, 'index.html');
  if (!existsSync(indexPath)) {
    throw new Error(`The web app is not built: ${indexPath} is missing. Run "npm run build".`);
  }
  const html = readFileSync(indexPath);
  const indexHtml: IndexHtml = {
    identity: html,
    ...(existsSync(`${indexPath}.br`) ? { br: readFileSync(`${indexPath}.br`) } : {}),
    ...(existsSync(`${indexPath}.gz`) ? { gzip: readFileSync(`${indexPath}.gz`) } : {}),
  };
  const indexText = html.toString('utf8');
  // A page with no scripts of its own (the benchmark's stand-in for the web app) has no _app folder.
  const appDir = path.join(dir, '_app');
  const scripts = existsSync(appDir)
    ? readdirSync(appDir, { recursive: true, encoding: 'utf8' })
        .filter((file) => file.endsWith('.js'))
        .map((file) => readFileSync(path.join(appDir, file), 'utf8'))
    : [];
  return {
    dir,
    indexHtml,
    scriptHashes: inlineScriptHashes(indexText),
    styleHashes: styleAttributeHashes([indexText, ...scripts]),
  };
}

/**
 * The SPA boots from an inline <script>. Our CSP allows no inline script except these exact ones,
 * by hash, read from the file actually served, so a rebuild can never leave the header stale.
 */
export function inlineScriptHashes(html: string): string[] {
  const hashes: string[] = [];
  for (const match of html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/gi)) {
    const digest = createHash('sha256')
      .update(match[1] ?? '')
      .digest('base64');
    hashes.push(`'sha256-${digest}'`);
  }
  return hashes;
}

/**
 * SvelteKit writes two style attributes of its own: the root element's `display: contents` in index.html,
 * and its route announcer (the live region that tells screen readers about a move to another page, kept
 * to one invisible pixel by an inline style). The CSP allows these exact values by hash ('unsafe-hashes'
 * lets a hash cover an attribute) instead of 'unsafe-inline', which would let any injected style in.
 * Read from the files actually served, as the script hashes are, so a rebuild never leaves them stale.
 */
export function styleAttributeHashes(sources: string[]): string[] {
  const values = new Set<string>();
  for (const source of sources) for (const match of source.matchAll(/\bstyle="([^"]*)"/g)) values.add(match[1]!);
  return [...values].map((value) => `'sha256-${createHash('sha256').update(value).digest('base64')}'`);
}

export async function registerWebApp(app: FastifyInstance, web: WebApp): Promise<void> {
  await app.register(fastifyStatic, {
    root: web.dir,
    index: false,
    wildcard: false,
    // adapter-static's `precompress` wrote a .br and a .gz beside each text file: sent to browsers that
    // accept them (with Vary: Accept-Encoding), so nothing is compressed per request.
    preCompressed: true,
    // Hashed build output never changes under one name; everything else is revalidated.
    setHeaders: (reply, filePath) => {
      const immutable = filePath.includes(`${path.sep}_app${path.sep}immutable${path.sep}`);
      reply.header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
}

/** The encodings of index.html a request accepts, best first: brotli, then gzip (q=0 refuses one). */
function acceptedEncoding(header: string | string[] | undefined, html: IndexHtml): 'br' | 'gzip' | undefined {
  const accepted = new Set<string>();
  for (const part of String(header ?? '').split(',')) {
    const [name = '', ...params] = part.trim().toLowerCase().split(';');
    const refused = params.some((param) => /^\s*q=0(\.0*)?\s*$/.test(param));
    if (name && !refused) accepted.add(name);
  }
  if (html.br && (accepted.has('br') || accepted.has('*'))) return 'br';
  if (html.gzip && (accepted.has('gzip') || accepted.has('*'))) return 'gzip';
  return undefined;
}

export function sendIndexHtml(request: FastifyRequest, reply: FastifyReply, web: WebApp) {
  const encoding = acceptedEncoding(request.headers['accept-encoding'], web.indexHtml);
  reply.status(200).header('cache-control', 'no-cache').header('vary', 'accept-encoding');
  reply.type('text/html; charset=utf-8');
  if (encoding) reply.header('content-encoding', encoding);
  return reply.send(encoding ? web.indexHtml[encoding] : web.indexHtml.identity);
}
