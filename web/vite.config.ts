import { sveltekit } from '@sveltejs/kit/vite';
import { svelteTesting } from '@testing-library/svelte/vite';
import { defineConfig } from 'vitest/config';

// In development the API runs on its own port (npm run dev starts both); Vite proxies /api to it,
// the WebSocket included, so the browser still sees one origin.
const apiPort = process.env.PORT ?? '3000';

export default defineConfig({
  plugins: [sveltekit(), svelteTesting()],
  // No "[PLUGIN_TIMINGS]" block after each build: it is advice for plugin authors, not for Kindred's users.
  build: { rolldownOptions: { checks: { bundlerTimings: false } } },
  server: {
    port: 5173,
    proxy: {
      '/api': { target: `http://127.0.0.1:${apiPort}`, ws: true, changeOrigin: false },
    },
  },
  test: {
    name: 'web',
    environment: 'jsdom',
    include: ['src/**/*.test.ts'],
  },
});
