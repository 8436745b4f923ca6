// The black-box tier: the started platform, driven over HTTP and in real Chromium. Each file starts its own
// server (on free ports, with its own data folder) and browser, so two files run side by side like the
// other tiers' (the root config's two workers): on a slower machine one at a time made the tier most of
// the CI run (its files' durations added up to ~600 s there).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'black-box',
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['browser/**/*.test.ts', 'platform/**/*.test.ts'],
    globalSetup: ['support/global-setup.ts'],
    // A guard against a hang, not a measure: the page walks (eight pages, each checked with axe) took up to
    // 57 s on a busy 2-core machine, so 60 s failed one of them there.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
