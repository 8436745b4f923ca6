// The built web app as the server hands it out: an installable app (a manifest with the right type and
// real PNG icons, a service worker), assets sent compressed when the browser asks (brotli or gzip, the
// same bytes once decompressed, Vary: Accept-Encoding), hashed assets cached for good and pages never.
// Needs the built app (web/build, `npm run build`), as `npm start` does.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './helpers.ts';

const webDir = fileURLToPath(new URL('../../web/build', import.meta.url));

let t: TestApp;
beforeAll(async () => {
  if (!existsSync(path.join(webDir, 'index.html'))) {
    throw new Error(`The web app is not built (${webDir}): run "npm run build" first.`);
  }
  t = await createTestApp({ webDir });
});
afterAll(() => t?.close());

function get(url: string, headers: Record<string, string> = {}) {
  return t.app.inject({ method: 'GET', url, headers });
}

/** Width and height from a PNG's IHDR chunk, or undefined when the bytes are not a PNG. */
function pngSize(bytes: Buffer): { width: number; height: number } | undefined {
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (bytes.length < 24 || !bytes.subarray(0, 8).equals(signature)) return undefined;
  if (bytes.toString('latin1', 12, 16) !== 'IHDR') return undefined;
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** The largest JavaScript file of the build's hashed assets (the one that gains most from compression). */
function largestImmutableScript(): string {
  const dir = path.join(webDir, '_app', 'immutable');
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.js'));
  const sizes = files.map((file) => ({ file, size: readFileSync(path.join(dir, file)).length }));
  const largest = sizes.sort((a, b) => b.size - a.size)[0];
  if (!largest) throw new Error('the build has no scripts');
  return `/_app/immutable/${largest.file.split(path.sep).join('/')}`;
}

describe('the installable app', () => {
  it('serves /manifest.webmanifest as a manifest, with a start, a scope, standalone display and colours', async () => {
    const res = await get('/manifest.webmanifest');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/manifest\+json/);
    const manifest = res.json();
    expect(manifest).toMatchObject({
      name: expect.stringContaining('Kindred'),
      short_name: 'Kindred',
      start_url: '/',
      scope: '/',
      display: 'standalone',
      theme_color: expect.stringMatching(/^#[0-9a-f]{6}$/i),
      background_color: expect.stringMatching(/^#[0-9a-f]{6}$/i),
    });
  });

  it('lists icons that are PNGs of the sizes it states, a maskable one among them', async () => {
    const manifest = (await get('/manifest.webmanifest')).json() as {
      icons: { src: string; sizes: string; type: string; purpose?: string }[];
    };
    const sizes = manifest.icons.map((icon) => icon.sizes);
    expect(sizes).toEqual(expect.arrayContaining(['192x192', '512x512']));
    expect(manifest.icons.some((icon) => icon.purpose?.split(' ').includes('maskable'))).toBe(true);
    for (const icon of manifest.icons) {
      const res = await get(icon.src);
      expect(res.statusCode, icon.src).toBe(200);
      expect(res.headers['content-type']).toBe('image/png');
      expect(icon.type).toBe('image/png');
      const [width, height] = icon.sizes.split('x').map(Number);
      expect(pngSize(res.rawPayload), icon.src).toEqual({ width, height });
    }
  });

  it('serves the service worker as JavaScript that is always revalidated', async () => {
    const res = await get('/service-worker.js');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^(text|application)\/javascript/);
    expect(res.headers['cache-control']).toBe('no-cache');
  });

  it('lets pages use the manifest and the worker under the content security policy', async () => {
    const csp = String((await get('/')).headers['content-security-policy']);
    expect(csp).toContain("manifest-src 'self'");
    expect(csp).toContain("worker-src 'self'");
  });
});

describe('compression and caching', () => {
  it.each([
    ['br', brotliDecompressSync],
    ['gzip', gunzipSync],
  ] as const)('sends a script as %s when asked, the same bytes once decompressed', async (encoding, decompress) => {
    const url = largestImmutableScript();
    const original = readFileSync(path.join(webDir, url));
    const res = await get(url, { 'accept-encoding': encoding });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-encoding']).toBe(encoding);
    expect(res.headers['content-type']).toMatch(/javascript/);
    expect(String(res.headers.vary).toLowerCase()).toContain('accept-encoding');
    expect(res.rawPayload.length).toBeLessThan(original.length);
    expect(decompress(res.rawPayload).equals(original)).toBe(true);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it('sends the same script plain to a client that asks for no encoding', async () => {
    const url = largestImmutableScript();
    const res = await get(url, { 'accept-encoding': 'identity' });
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(res.rawPayload.equals(readFileSync(path.join(webDir, url)))).toBe(true);
  });

  it.each([
    ['br', brotliDecompressSync],
    ['gzip', gunzipSync],
  ] as const)(
    'sends a page (the app, for any page path) as %s, never cached for good',
    async (encoding, decompress) => {
      const original = readFileSync(path.join(webDir, 'index.html'));
      for (const url of ['/', '/rooms/somewhere']) {
        const res = await get(url, { 'accept-encoding': `${encoding}, identity` });
        expect(res.statusCode, url).toBe(200);
        expect(res.headers['content-type']).toMatch(/^text\/html/);
        expect(res.headers['content-encoding'], url).toBe(encoding);
        expect(String(res.headers.vary).toLowerCase()).toContain('accept-encoding');
        expect(res.headers['cache-control'], url).toBe('no-cache');
        expect(decompress(res.rawPayload).equals(original), url).toBe(true);
      }
      const plain = await get('/rooms/somewhere');
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(plain.rawPayload.equals(original)).toBe(true);
    },
  );
});
