// The security baseline every answer gets: strict headers (helmet), a same-origin check on every
// state-changing request (our CSRF defence: browsers always send Origin on such requests, and an
// attacker's page cannot forge ours), and no caching of API answers, which carry personal data.
import helmet from '@fastify/helmet';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../errors.ts';
import { sendError } from './errors.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface SecurityOptions {
  publicOrigin: string;
  scriptHashes: string[];
}

export async function registerSecurity(app: FastifyInstance, options: SecurityOptions): Promise<void> {
  const https = options.publicOrigin.startsWith('https:');
  await app.register(helmet, {
    global: true,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", ...options.scriptHashes],
        // Svelte sets style attributes for transitions; inline *scripts* stay forbidden.
        styleSrc: ["'self'", "'unsafe-inline'"],
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
    if (request.url.startsWith('/api')) reply.header('cache-control', 'no-store');
    if (!SAFE_METHODS.has(request.method) && !isSameOrigin(request, options.publicOrigin)) {
      return sendError(reply, new ApiError('csrf', 'This request did not come from Kindred, so it was refused.'));
    }
  });
}

export function isSameOrigin(request: FastifyRequest, publicOrigin: string): boolean {
  return request.headers.origin === publicOrigin;
}
