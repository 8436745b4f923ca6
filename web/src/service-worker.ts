/// <reference types="@sveltejs/kit" />
/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/// <reference lib="webworker" />
// Kindred's service worker: what lets the app be installed and still answer gently without a network.
// - It keeps the app's own files (the hashed build and static/), in one cache per build (`version`), so the
//   open app keeps working offline; a new build's worker takes over at once and deletes older caches.
// - Pages are always fetched from the network, so an update shows on the next load and nobody is kept on
//   an old version; only when that fails does it answer with static/offline.html.
// - It never touches /api (every answer there is personal, or live) and caches nothing it did not build.
import { build, files, version } from '$service-worker';

const worker = self as unknown as ServiceWorkerGlobalScope;
const CACHE = `kindred-${version}`;
const OFFLINE_PAGE = '/offline.html';
const APP_FILES = new Set([...build, ...files]);

worker.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      await cache.addAll([...APP_FILES]);
      await worker.skipWaiting();
    })(),
  );
});

worker.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) if (key !== CACHE) await caches.delete(key);
      await worker.clients.claim();
    })(),
  );
});

async function pageOrOfflineNote(request: Request): Promise<Response> {
  try {
    return await fetch(request);
  } catch {
    const offline = await caches.match(OFFLINE_PAGE, { cacheName: CACHE });
    return offline ?? Response.error();
  }
}

async function appFile(request: Request): Promise<Response> {
  const cached = await caches.match(request, { cacheName: CACHE });
  return cached ?? fetch(request);
}

worker.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== worker.location.origin || url.pathname.startsWith('/api/')) return;
  if (request.mode === 'navigate') event.respondWith(pageOrOfflineNote(request));
  else if (APP_FILES.has(url.pathname)) event.respondWith(appFile(request));
});
