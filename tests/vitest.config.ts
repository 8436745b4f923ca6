// The black-box tier: the started platform, driven over HTTP and in real Chromium. One file at a time, since
// each starts its own server and browser and the machine has two cores.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'black-box',
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['browser/**/*.test.ts', 'platform/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
