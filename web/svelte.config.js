import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
export default {
  preprocess: vitePreprocess(),
  kit: {
    // A static SPA: Fastify serves these files and answers every page path with index.html. `precompress`
    // writes a .br and a .gz beside each text file, which the server sends to browsers that accept them.
    adapter: adapter({ pages: 'build', assets: 'build', fallback: 'index.html', strict: true, precompress: true }),
  },
};
