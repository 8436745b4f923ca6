// What the request log may hold. Logs never carry a password, a token or what someone wrote: bodies and
// headers are left out by Fastify's serializers (the cookie paths are redacted too, in case a log asks for
// them), and a request's address keeps its path but not its query values, which can be member text (the
// words of a story search) as easily as anything else.
//
// In a terminal the lines are made readable (pino-pretty, in this thread: nothing is lost at exit); anywhere
// else, and whenever LOG_FORMAT=json, they stay JSON, one object a line, for machines. Redaction and the
// serializers below run before either, so both hold the same.
import type { FastifyRequest, FastifyServerOptions } from 'fastify';
import pretty from 'pino-pretty';
import type { Config } from '../config.ts';

type LoggerOptions = Exclude<FastifyServerOptions['logger'], boolean | undefined>;

export function loggerOptions(
  config: Pick<Config, 'logLevel' | 'logFormat'>,
  stream?: NodeJS.WritableStream,
): LoggerOptions {
  // A stream given (tests) is not a terminal: `auto` means JSON there.
  const readable = config.logFormat === 'pretty' || (config.logFormat === 'auto' && !stream && process.stdout.isTTY);
  const destination = readable
    ? pretty({
        destination: stream ?? 1,
        sync: true,
        colorize: !stream && process.stdout.isTTY,
        translateTime: 'SYS:HH:MM:ss',
        ignore: 'pid,hostname',
        singleLine: true,
      })
    : stream;
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
    ...(destination ? { stream: destination } : {}),
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
