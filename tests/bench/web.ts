// `npm run bench:web`: how fast Kindred's pages are on a phone, as Lighthouse 12.2.3 measures them (its
// default mobile profile and simulated throttling). Builds the web app if needed, starts the platform on
// the embedded database (a temporary data folder, a free loopback port), seeds it through the API
// (web-seed.ts) and runs Lighthouse once per page, one after the other, in Debian's Chromium. Prints a
// table; tests/bench/README.md ("Web pages") has the method and the recorded figures.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import { chromiumPath } from '../support/browser.ts';
import { createAdmin, repoRoot, startPlatform, stopAll, type Platform } from '../support/platform.ts';
import { ADMIN, seed } from './web-seed.ts';

interface Page {
  /** For `--only=` and the report's file name. */
  key: string;
  name: string;
  path: string;
  signedIn: boolean;
}

interface Row {
  page: string;
  performance: number;
  accessibility: number;
  fcpMs: number;
  lcpMs: number;
  tbtMs: number;
  transferredKiB: number;
  /** Scripts fetched before the page's largest paint: as sent (bodies and HTTP/1.1 headers)… */
  jsToRenderKiB: number;
  /** …and their bodies alone, as the build's gzip and brotli files (the plain file where there is none). */
  jsToRenderGzipKiB: number;
  jsToRenderBrKiB: number;
}

interface NetworkItem {
  url: string;
  resourceType?: string;
  transferSize?: number;
  rendererStartTime?: number;
  sessionTargetType?: string;
}

const TIME_LIMIT_MS = 15 * 60_000;

function buildIfNeeded(): void {
  const build = spawnSync('npm', ['run', 'build:if-needed', '-w', 'web'], { cwd: repoRoot, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('building the web app failed');
}

const webBuild = join(repoRoot, 'web', 'build');

/** The size of a built file as the server would send it with `encoding` (its plain size without one). */
function builtSize(url: string, encoding: '.gz' | '.br'): number {
  const file = join(webBuild, decodeURIComponent(new URL(url).pathname));
  return existsSync(file + encoding) ? statSync(file + encoding).size : statSync(file).size;
}

/** Each page's full Lighthouse report, to look into a figure (git-ignored). */
const reportsDir = join(repoRoot, 'tests', 'artifacts', 'lighthouse');

async function measure(
  chromePort: number,
  name: string,
  url: string,
  cookie: string | undefined,
): Promise<Omit<Row, 'page'>> {
  const result = await lighthouse(url, {
    port: chromePort,
    output: 'json',
    logLevel: 'error',
    onlyCategories: ['performance', 'accessibility'],
    ...(cookie ? { extraHeaders: { Cookie: cookie } } : {}),
  });
  if (!result) throw new Error(`Lighthouse gave no result for ${url}`);
  const { lhr } = result;
  await mkdir(reportsDir, { recursive: true });
  await writeFile(join(reportsDir, `${name}.json`), JSON.stringify(lhr));
  if (lhr.runtimeError) throw new Error(`Lighthouse on ${url}: ${lhr.runtimeError.message}`);
  const audit = (id: string) => lhr.audits[id]?.numericValue ?? Number.NaN;
  const observed = (lhr.audits.metrics?.details as { items?: Record<string, number>[] } | undefined)?.items?.[0];
  const renderedAt = observed?.observedLargestContentfulPaint ?? Number.POSITIVE_INFINITY;
  const requests = ((lhr.audits['network-requests']?.details as { items?: NetworkItem[] } | undefined)?.items ??
    []) as NetworkItem[];
  const scripts = requests
    .filter((item) => item.resourceType === 'Script' && item.sessionTargetType === 'page')
    .filter((item) => (item.rendererStartTime ?? Number.POSITIVE_INFINITY) <= renderedAt);
  const sum = (sizes: number[]) => sizes.reduce((total, size) => total + size, 0) / 1024;
  return {
    performance: Math.round((lhr.categories.performance?.score ?? Number.NaN) * 100),
    accessibility: Math.round((lhr.categories.accessibility?.score ?? Number.NaN) * 100),
    fcpMs: audit('first-contentful-paint'),
    lcpMs: audit('largest-contentful-paint'),
    tbtMs: audit('total-blocking-time'),
    transferredKiB: audit('total-byte-weight') / 1024,
    jsToRenderKiB: sum(scripts.map((item) => item.transferSize ?? 0)),
    jsToRenderGzipKiB: sum(scripts.map((item) => builtSize(item.url, '.gz'))),
    jsToRenderBrKiB: sum(scripts.map((item) => builtSize(item.url, '.br'))),
  };
}

function table(rows: Row[]): string {
  const header = [
    'page',
    'performance',
    'accessibility',
    'FCP s',
    'LCP s',
    'TBT ms',
    'transferred KiB',
    'JS to render KiB: sent',
    'gzip',
    'br',
  ];
  const lines = rows.map((row) => [
    row.page,
    String(row.performance),
    String(row.accessibility),
    (row.fcpMs / 1000).toFixed(2),
    (row.lcpMs / 1000).toFixed(2),
    row.tbtMs.toFixed(0),
    row.transferredKiB.toFixed(1),
    row.jsToRenderKiB.toFixed(1),
    row.jsToRenderGzipKiB.toFixed(1),
    row.jsToRenderBrKiB.toFixed(1),
  ]);
  const widths = header.map((cell, i) => Math.max(cell.length, ...lines.map((line) => line[i]!.length)));
  const format = (cells: string[]) =>
    `| ${cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join(' | ')} |`;
  const rule = `| ${widths.map((width, i) => (i === 0 ? '-'.repeat(width) : `${'-'.repeat(width - 1)}:`)).join(' | ')} |`;
  return [format(header), rule, ...lines.map(format)].join('\n');
}

async function main(): Promise<void> {
  const started = Date.now();
  buildIfNeeded();
  const dataDir = await mkdtemp(join(tmpdir(), 'kindred-bench-web-'));
  let platform: Platform | undefined;
  let chrome: chromeLauncher.LaunchedChrome | undefined;
  try {
    await createAdmin({ dataDir }, ADMIN);
    // Seeding sends 200 messages in a minute or so: more than a member's everyday limit.
    platform = await startPlatform({ dataDir, env: { MESSAGE_LIMIT_PER_MINUTE: '1000' } });
    const seeded = await seed(platform.url);
    const pages: Page[] = [
      { key: 'home-visitor', name: 'home (visitor)', path: '/', signedIn: false },
      { key: 'home-member', name: 'home (member)', path: '/', signedIn: true },
      { key: 'rooms', name: 'rooms', path: '/rooms', signedIn: true },
      { key: 'room', name: 'room, 200 messages', path: `/rooms/${seeded.roomSlug}`, signedIn: true },
      { key: 'story', name: 'story', path: `/stories/${seeded.storyId}`, signedIn: true },
      { key: 'signin', name: 'sign-in', path: '/signin', signedIn: false },
    ];
    // `--only=room,story` measures only those pages (keys above).
    const only = process.argv
      .find((arg) => arg.startsWith('--only='))
      ?.slice('--only='.length)
      .split(',');
    const chosen = only ? pages.filter((page) => only.includes(page.key)) : pages;
    chrome = await chromeLauncher.launch({
      chromePath: chromiumPath,
      chromeFlags: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run'],
    });
    const loadBefore = loadavg();
    const rows: Row[] = [];
    for (const page of chosen) {
      if (Date.now() - started > TIME_LIMIT_MS) throw new Error('bench:web ran past its time limit');
      process.stderr.write(`Lighthouse: ${page.name} (${page.path})…\n`);
      const row = await measure(
        chrome.port,
        page.key,
        `${platform.url}${page.path}`,
        page.signedIn ? seeded.member.cookie : undefined,
      );
      rows.push({ page: page.name, ...row });
    }
    const loadAfter = loadavg();
    const git = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' });
    process.stdout.write(
      `\nLighthouse 12.2.3, mobile profile (simulated throttling); commit ${git.stdout.trim()}` +
        `${spawnSync('git', ['diff', '--quiet'], { cwd: repoRoot }).status ? ' (with uncommitted changes)' : ''}; ` +
        `${new Date().toISOString()}\n` +
        `Load average (1, 5, 15 min) before: ${loadBefore.map((n) => n.toFixed(2)).join(', ')}; ` +
        `after: ${loadAfter.map((n) => n.toFixed(2)).join(', ')} (2 cores)\n\n${table(rows)}\n`,
    );
  } finally {
    chrome?.kill();
    await stopAll();
    await rm(dataDir, { recursive: true, force: true, maxRetries: 3 });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});
