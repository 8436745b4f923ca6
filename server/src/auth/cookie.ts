// The session cookie: HttpOnly (no script reads it), SameSite=Lax, Path=/, and on https also Secure
// with the __Host- prefix, which browsers only accept from this exact host over https.
import type { FastifyReply, FastifyRequest } from 'fastify';

export interface SessionCookie {
  name: string;
  secure: boolean;
}

export function sessionCookie(publicOrigin: string): SessionCookie {
  const secure = publicOrigin.startsWith('https:');
  return { name: secure ? '__Host-kindred_session' : 'kindred_session', secure };
}

export function readSessionToken(request: FastifyRequest, cookie: SessionCookie): string | undefined {
  return request.cookies[cookie.name];
}

export function setSessionCookie(
  reply: FastifyReply,
  cookie: SessionCookie,
  token: string,
  expiresAt: Date,
  now: Date,
): void {
  reply.setCookie(cookie.name, token, {
    httpOnly: true,
    sameSite: 'lax',
    path: '/',
    secure: cookie.secure,
    maxAge: Math.max(0, Math.floor((expiresAt.getTime() - now.getTime()) / 1000)),
  });
}

export function clearSessionCookie(reply: FastifyReply, cookie: SessionCookie): void {
  reply.clearCookie(cookie.name, { httpOnly: true, sameSite: 'lax', path: '/', secure: cookie.secure });
}
