// The security baseline every answer gets: strict headers (helmet), a same-origin check on every
// state-changing request (our CSRF defence: browsers always send Origin on such requests, and an
// attacker's page cannot forge ours), and no caching of API answers, which carry personal data.
import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import { sendError } from './errors.ts';
import type { OriginPolicy } from './origins.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface SecurityOptions {
  publicOrigin: string;
  /** Who may send state-changing requests (plugins/origins.ts). */
  origins: OriginPolicy;
  scriptHashes: string[];
  /** The style attributes the built web app writes, by hash (see plugins/web.ts). */
  styleHashes: string[];
}

/**
 * What the pages may ask the browser for: nothing of the camera, microphone, location, payment or other
 * devices, and no interest cohorts. Only features Chromium knows are named, since it reports an unknown
 * one as an error on every page. (Notifications, should Kindred use them, are not governed by this.)
 */
const PERMISSIONS_POLICY = [
  'accelerometer',
  'autoplay',
  'browsing-topics',
  'camera',
  'display-capture',
  'encrypted-media',
  'geolocation',
  'gyroscope',
  'hid',
  'idle-detection',
  'magnetometer',
  'microphone',
  'midi',
  'payment',
  'publickey-credentials-get',
  'screen-wake-lock',
  'serial',
  'usb',
  'xr-spatial-tracking',
]
  .map((feature) => `${feature}=()`)
  .join(', ');

export async function registerSecurity(app: FastifyInstance, options: SecurityOptions): Promise<void> {
  const https = options.publicOrigin.startsWith('https:');
  await app.register(helmet, {
    global: true,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", ...options.scriptHashes],
        // No 'unsafe-inline': the app's styles are files, and the few style attributes SvelteKit writes
        // are allowed by hash alone (plugins/web.ts). Svelte's own style changes go through the CSSOM
        // (element.style), which the CSP does not govern.
        styleSrc: ["'self'", ...(options.styleHashes.length ? ["'unsafe-hashes'", ...options.styleHashes] : [])],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        manifestSrc: ["'self'"],
        workerSrc: ["'self'"],
        ...(https ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: https ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    crossOriginEmbedderPolicy: false,
  });

  app.addHook('onRequest', async (request, reply) => {
    reply.header('permissions-policy', PERMISSIONS_POLICY);
    if (request.url.startsWith('/api')) reply.header('cache-control', 'no-store');
    if (!SAFE_METHODS.has(request.method) && !options.origins.accepts(request.headers.origin)) {
      return sendError(reply, options.origins.refusal('request'));
    }
  });
}
