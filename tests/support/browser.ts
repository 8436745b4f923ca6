// Real Chromium for browser journeys, and the checks every page gets: no console errors or CSP
// violations, no axe (WCAG 2.1 A/AA) violations, and a screenshot a person can look at afterwards.
// Debian's Chromium is used because browser downloads do not work on this machine.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type Page } from 'playwright-core';

export const chromiumPath = '/usr/bin/chromium';
const artifactsDir = fileURLToPath(new URL('../artifacts', import.meta.url));
const launchTimeoutMs = 30_000;
const wcagTags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** Chromium as root needs --no-sandbox; the rest keep a closed network quiet. Playwright adds its own user-data-dir. */
const chromiumArgs = [
  '--no-sandbox',
  '--headless',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `Chromium is not installed at ${chromiumPath}. Install Debian's package with: ` +
        'apt-get update && apt-get install -y chromium',
    );
  }
  return chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, timeout: launchTimeoutMs });
}

/**
 * Records what a visitor's console would show as broken: console errors, uncaught page errors and
 * Content-Security-Policy violations. Call it before the first navigation; the array fills as the page runs.
 */
export async function collectConsoleErrors(page: Page): Promise<string[]> {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console error: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  // Chromium reports most CSP blocks on the console too, but not all (e.g. a report-only policy, or one
  // from an iframe); the event catches every one and says which directive blocked what.
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      console.error(
        `CSP violation: ${event.effectiveDirective} blocked ${event.blockedURI || 'inline code'}` +
          (event.sourceFile ? ` (${event.sourceFile}:${event.lineNumber})` : ''),
      );
    });
  });
  return errors;
}

export async function expectNoAxeViolations(page: Page): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(wcagTags).analyze();
  if (results.violations.length === 0) return;
  const list = results.violations.map((violation) => {
    const targets = violation.nodes.map((node) => `    - ${node.target.join(' ')}`).join('\n');
    return `- ${violation.id} (${violation.impact ?? 'unknown impact'}): ${violation.help}\n${targets}`;
  });
  throw new Error(
    `axe found ${results.violations.length} accessibility violation(s) on ${page.url()}:\n${list.join('\n')}`,
  );
}

/** Writes tests/artifacts/<name>.png (git-ignored) of the whole page. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(artifactsDir, { recursive: true });
  const path = join(artifactsDir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
