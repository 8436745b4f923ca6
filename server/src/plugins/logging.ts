// What the request log may hold. Logs never carry a password, a token or what someone wrote: bodies and
// headers are left out by Fastify's serializers (the cookie paths are redacted too, in case a log asks for
// them), and a request's address keeps its path but not its query values, which can be member text (the
// words of a story search) as easily as anything else.
import type { FastifyRequest, FastifyServerOptions } from 'fastify';
import type { Config } from '../config.ts';

type LoggerOptions = Exclude<FastifyServerOptions['logger'], boolean | undefined>;

export function loggerOptions(config: Pick<Config, 'logLevel'>, stream?: NodeJS.WritableStream): LoggerOptions {
  return {
    level: config.logLevel,
    redact: ['req.headers.cookie', 'req.headers.authorization', 'res.headers["set-cookie"]'],
    serializers: {
      // Fastify's own fields, the address shortened.
      req: (request: FastifyRequest) => ({
        method: request.method,
        url: withoutQueryValues(request.url),
        host: request.host,
        remoteAddress: request.ip,
        remotePort: request.socket?.remotePort,
      }),
    },
    ...(stream ? { stream } : {}),
  };
}

/** `/api/stories?q=my%20words&tag=x` becomes `/api/stories?q=…&tag=…`: which fields, never what they held. */
export function withoutQueryValues(url: string): string {
  const start = url.indexOf('?');
  if (start === -1) return url;
  const fields = url
    .slice(start + 1)
    .split('&')
    .filter(Boolean)
    .map((pair) => `${pair.split('=', 1)[0]}=…`);
  return `${url.slice(0, start)}?${fields.join('&')}`;
}
