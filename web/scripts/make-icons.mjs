// Draws the app's icons (web/static/icons/*.png) from one SVG mark, in Debian's Chromium (playwright-core,
// the browser tests' driver): run it once after changing the mark, and commit the PNGs.
//   node web/scripts/make-icons.mjs
// "any" icons are the round mark on a clear background; the maskable one and Apple's touch icon fill the
// square, with the heart inside the middle 80 % that every platform's mask keeps.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const iconsDir = fileURLToPath(new URL('../static/icons', import.meta.url));
const purple = '#6b5b95';
const paper = '#f6efe9';
const heart = 'M16 24c-5-3.5-8-6.4-8-9.6A4.4 4.4 0 0 1 16 12a4.4 4.4 0 0 1 8 2.4c0 3.2-3 6.1-8 9.6z';

const round = `<circle cx="16" cy="16" r="15" fill="${purple}"/><path d="${heart}" fill="${paper}"/>`;
// The heart drawn a little smaller and centred, on a full square: the safe zone is a circle of radius 40 %.
const square = `<rect width="32" height="32" fill="${purple}"/><g transform="translate(16 16) scale(0.8) translate(-16 -17)"><path d="${heart}" fill="${paper}"/></g>`;

const icons = [
  { file: 'icon-192.png', size: 192, shapes: round },
  { file: 'icon-512.png', size: 512, shapes: round },
  { file: 'icon-maskable-512.png', size: 512, shapes: square },
  { file: 'apple-touch-icon-180.png', size: 180, shapes: square },
];

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--headless'] });
try {
  await mkdir(iconsDir, { recursive: true });
  for (const icon of icons) {
    const page = await browser.newPage({ viewport: { width: icon.size, height: icon.size } });
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32" width="${icon.size}" height="${icon.size}">${icon.shapes}</svg>`;
    await page.setContent(
      `<!doctype html><style>html,body{margin:0;background:transparent}svg{display:block}</style>${svg}`,
    );
    const png = await page.screenshot({
      omitBackground: true,
      clip: { x: 0, y: 0, width: icon.size, height: icon.size },
    });
    await writeFile(path.join(iconsDir, icon.file), png);
    await page.close();
    console.log(`${icon.file}: ${icon.size}×${icon.size}, ${png.length} bytes`);
  }
} finally {
  await browser.close();
}
