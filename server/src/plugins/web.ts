// Serves the built SvelteKit app (a static SPA) on the same port as the API: files from web/build,
// and index.html for every other page path so client-side routes survive a reload.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';

export interface WebApp {
  dir: string;
  indexHtml: string;
  /** CSP source expressions ('sha256-…') of the inline scripts index.html boots with. */
  scriptHashes: string[];
}

export function loadWebApp(dir: string): WebApp {
  const indexPath = path.join(dir, 'index.html');
  if (!existsSync(indexPath)) {
    throw new Error(`The web app is not built: ${indexPath} is missing. Run "npm run build".`);
  }
  const indexHtml = readFileSync(indexPath, 'utf8');
  return { dir, indexHtml, scriptHashes: inlineScriptHashes(indexHtml) };
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

export async function registerWebApp(app: FastifyInstance, web: WebApp): Promise<void> {
  await app.register(fastifyStatic, {
    root: web.dir,
    index: false,
    wildcard: false,
    // Hashed build output never changes under one name; everything else is revalidated.
    setHeaders: (reply, filePath) => {
      const immutable = filePath.includes(`${path.sep}_app${path.sep}immutable${path.sep}`);
      reply.header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
}

export function sendIndexHtml(reply: FastifyReply, web: WebApp) {
  return reply.status(200).header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(web.indexHtml);
}
