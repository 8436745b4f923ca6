// The server's production build: server/src/main.ts and cli.ts, with the workspace code they use
// (@kindred/shared, @kindred/db), bundled by esbuild into server/dist/main.js and cli.js, with source maps.
// Packages from node_modules stay imports (installed by `npm ci`, as before), so native and WebAssembly
// parts (argon2, PGlite) load from where they are. The SQL migrations stay in db/migrations; the db code
// finds them through its package (db/src/migrate.ts). Types are not checked here: `npm run check` does.
//
// Why esbuild rather than tsc's emit: the workspaces export their TypeScript sources (that is what tsx,
// Vitest and svelte-check read), so an emit would have to change every package's exports or ship
// TypeScript to Node; one bundle leaves them as they are, takes well under a second, and is already
// installed (Vite and tsx use it).
//
// `--if-needed` builds only when a source is newer than the build (as `npm start` wants); `--quiet` says
// nothing unless something is wrong (for the command line, whose output is the operator's).
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const serverDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const repoDir = path.dirname(serverDir);
const outdir = path.join(serverDir, 'dist');
const entries = ['main', 'cli'];
const sources = [
  'server/src',
  'server/scripts',
  'server/package.json',
  'db/src',
  'db/package.json',
  'shared/src',
  'shared/data',
  'shared/package.json',
];

function newestMtime(target) {
  if (!existsSync(target)) return 0;
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(target)) newest = Math.max(newest, newestMtime(path.join(target, entry)));
  return newest;
}

function upToDate() {
  const builtAt = Math.min(
    ...entries.map((name) => {
      const file = path.join(outdir, `${name}.js`);
      return existsSync(file) ? statSync(file).mtimeMs : 0;
    }),
  );
  const sourcesAt = Math.max(...sources.map((source) => newestMtime(path.join(repoDir, source))));
  return builtAt >= sourcesAt;
}

/** Bundles our own workspaces; leaves every other package an import. */
const externalPackages = {
  name: 'external-packages',
  setup(esbuild) {
    esbuild.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('@kindred/')) return undefined;
      return { path: args.path, external: true };
    });
  },
};

const say = process.argv.includes('--quiet') ? () => {} : (line) => console.log(line);

if (process.argv.includes('--if-needed') && upToDate()) {
  say('Server is up to date.');
} else {
  const result = await build({
    absWorkingDir: repoDir,
    entryPoints: Object.fromEntries(entries.map((name) => [name, `server/src/${name}.ts`])),
    outdir,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20.19',
    sourcemap: true,
    // Stack traces point into server/src etc. with `node --enable-source-maps`.
    sourcesContent: false,
    plugins: [externalPackages],
    logLevel: 'warning',
  });
  if (result.errors.length > 0) process.exit(1);
  say('Server built.');
}
