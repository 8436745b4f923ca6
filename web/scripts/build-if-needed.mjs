// `npm start` builds the web app only when it is not built yet or a source file is newer than the build,
// so a second start is quick and a fresh clone still gets a complete app. The build's own output (Vite's
// progress, SvelteKit's "run npm run preview" hint, the adapter's lines) is kept back unless it fails:
// `npm start` should end in the one line that says where to open Kindred.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const webDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const built = path.join(webDir, 'build', 'index.html');
const sources = ['src', 'static', 'svelte.config.js', 'vite.config.ts', 'package.json', '../shared/src'];

function newestMtime(target) {
  if (!existsSync(target)) return 0;
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(target)) newest = Math.max(newest, newestMtime(path.join(target, entry)));
  return newest;
}

const builtAt = existsSync(built) ? statSync(built).mtimeMs : 0;
const sourcesAt = Math.max(...sources.map((source) => newestMtime(path.join(webDir, source))));
if (builtAt >= sourcesAt) {
  console.log('Web app is up to date.');
} else {
  console.log('Building the web app (a minute or two the first time)…');
  const build = spawnSync('npm', ['run', 'build', '--', '--logLevel', 'warn'], {
    cwd: webDir,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
  if (build.status !== 0) {
    process.stdout.write(build.stdout ?? '');
    process.stderr.write(build.stderr ?? '');
    console.error(`Building the web app failed${build.error ? `: ${build.error.message}` : ''}.`);
    process.exit(build.status ?? 1);
  }
  // Warnings are worth seeing; Vite writes them to stderr.
  if (build.stderr?.trim()) process.stderr.write(build.stderr);
  console.log('Web app built.');
}
