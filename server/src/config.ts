// The only reader of the environment. Every variable is documented here and in .env.example; a bad value
// stops start-up with a sentence that names the variable, before anything listens or opens a database.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { HelplineDataSchema, type HelplineData } from '@kindred/shared';
import type { CreationLimitName } from './limits/table.ts';
import { helplines as shippedHelplines } from './moderation/helplines.ts';
import { compileStrict } from './plugins/validation.ts';

export interface Config {
  port: number;
  host: string;
  /** Unset: the embedded PGlite database in dataDir. */
  databaseUrl: string | undefined;
  dataDir: string;
  /** The origin browsers reach Kindred at; non-GET requests and WebSocket upgrades must come from it. */
  publicOrigin: string;
  /**
   * PUBLIC_ORIGIN is unset (a first start on one machine): http://localhost, 127.0.0.1 and [::1] on Kindred's
   * own port are all its address. Set, only PUBLIC_ORIGIN is.
   */
  loopbackOrigins: boolean;
  /** Sentences for the operator, logged once at start (a retired variable that is still set). */
  startupWarnings: string[];
  registerLimitPerHour: number;
  loginLimitPer15Min: number;
  messageLimitPerMinute: number;
  /** Requests one session (or, signed out, one address) may make per minute, all routes together. */
  requestLimitPerMinute: number;
  /** Hours after joining during which a member may not post links (0: no sandbox). */
  newMemberLinkWaitHours: number;
  /** Minutes on duty after which a moderator is gently told they may rest (never stopped). */
  dutyNudgeMinutes: number;
  /** How often each instance renews its presence (reads/presence.ts); one not heard from for 3× this stops counting. */
  presenceHeartbeatSeconds: number;
  /**
   * The reverse proxies in front of Kindred whose X-Forwarded-For is believed: how many hops, or their
   * addresses and ranges. Never "all": the left-most address in that header is whatever the client wrote.
   */
  trustProxy: false | number | string[];
  /** The longest a request may take to arrive whole, headers and body (then 408 and the connection closes). */
  requestTimeoutMs: number;
  /** The longest a request's headers may take to arrive. */
  headersTimeoutMs: number;
  /** Lower limits for tests (no variable: an operator has no need to change what a person is allowed). */
  limitOverrides?: Partial<Record<CreationLimitName, number>>;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** `auto`: readable lines when stdout is a terminal, JSON otherwise (a file, a pipe, journald). */
  logFormat: 'auto' | 'json' | 'pretty';
  /** The bearer token that reads /api/metrics; unset, metrics are off (404). */
  metricsToken: string | undefined;
  /** The built web app; unset in tests that need only the API. */
  webDir: string | undefined;
  /** Crisis lines: the shipped list, or the file HELPLINES_FILE names (checked here, at start-up). */
  helplines: HelplineData;
}

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

export function loadConfig(env: Env = process.env): Config {
  const port = integer(env, 'PORT', 3000, 0, 65_535);
  const publicOrigin = origin(env, 'PUBLIC_ORIGIN', `http://localhost:${port}`);
  const databaseUrl = optionalUrl(env, 'DATABASE_URL', ['postgres:', 'postgresql:']);
  return {
    port,
    host: text(env, 'HOST', '127.0.0.1'),
    databaseUrl,
    dataDir: text(env, 'DATA_DIR', './data'),
    publicOrigin,
    loopbackOrigins: !env.PUBLIC_ORIGIN,
    startupWarnings: retiredAdminUsernames(env),
    registerLimitPerHour: integer(env, 'REGISTER_LIMIT_PER_HOUR', 20, 1, 1_000_000),
    loginLimitPer15Min: integer(env, 'LOGIN_LIMIT_PER_15MIN', 10, 1, 1_000_000),
    messageLimitPerMinute: integer(env, 'MESSAGE_LIMIT_PER_MINUTE', 60, 1, 1_000_000),
    requestLimitPerMinute: integer(env, 'REQUEST_LIMIT_PER_MINUTE', 600, 1, 1_000_000),
    newMemberLinkWaitHours: integer(env, 'NEW_MEMBER_LINK_WAIT_HOURS', 24, 0, 24 * 365),
    dutyNudgeMinutes: integer(env, 'DUTY_NUDGE_MINUTES', 120, 1, 24 * 60),
    presenceHeartbeatSeconds: integer(env, 'PRESENCE_HEARTBEAT_SECONDS', 15, 1, 300),
    trustProxy: proxies(env, 'TRUST_PROXY'),
    ...timeouts(env),
    logLevel: oneOf(env, 'LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
    logFormat: oneOf(env, 'LOG_FORMAT', ['auto', 'json', 'pretty'], 'auto'),
    metricsToken: secretToken(env, 'METRICS_TOKEN'),
    webDir: env.WEB_DIR || undefined,
    helplines: helplinesFile(env, 'HELPLINES_FILE'),
  };
}

// Admin was once granted by naming a username here, which handed the rights to whoever registered that
// name first (or after the admin left). Admin is now only what the operator's CLI stores in the database.
function retiredAdminUsernames(env: Env): string[] {
  if (!env.ADMIN_USERNAMES?.trim()) return [];
  return [
    'ADMIN_USERNAMES is retired and was ignored: nobody is an admin because of it. ' +
      'Grant admin with `npm run kindred -- admin grant <username>` (or `admin create <username>` for a new ' +
      'account), and remove ADMIN_USERNAMES from the environment.',
  ];
}

/** The CLI's `admin create` reads the new admin's password here, for scripted set-up; unset, it asks. */
export function adminPasswordFromEnv(env: Env = process.env): string | undefined {
  return env.KINDRED_ADMIN_PASSWORD || undefined;
}

const validHelplines = compileStrict(HelplineDataSchema);

function helplinesFile(env: Env, name: string): HelplineData {
  const path = env[name];
  if (path === undefined || path === '') return shippedHelplines;
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'there is no file there' : 'it is not JSON';
    throw new ConfigError(`${name} must name a helplines JSON file, but "${path}" could not be read: ${reason}.`);
  }
  if (!validHelplines(data)) {
    const first = validHelplines.errors?.[0];
    throw new ConfigError(
      `${name} names "${path}", which is not a helplines list like shared/data/helplines.json (${first?.instancePath || '/'} ${first?.message ?? 'is not valid'}).`,
    );
  }
  return data as HelplineData;
}

function text(env: Env, name: string, fallback: string): string {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  return value;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || value < min || value > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, but it is "${raw}".`);
  }
  return value;
}

/** A token someone must present: long enough not to be guessed, and plain enough to type in a header. */
function secretToken(env: Env, name: string): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  if (raw.length < 32 || !/^[\x21-\x7e]+$/.test(raw)) {
    throw new ConfigError(
      `${name} must be at least 32 characters with no spaces (such as the output of \`openssl rand -hex 32\`).`,
    );
  }
  return raw;
}

function proxies(env: Env, name: string): false | number | string[] {
  const raw = (env[name] ?? '').trim();
  if (raw === '' || raw === '0' || raw.toLowerCase() === 'false') return false;
  const advice = `Set ${name} to the number of proxies in front of Kindred (such as 1), or to their addresses or ranges, comma-separated (such as 10.0.0.2 or 10.0.0.0/8)`;
  if (['true', 'yes'].includes(raw.toLowerCase())) {
    throw new ConfigError(
      `${name} can no longer be true: that believes the left-most X-Forwarded-For address, which any client can write. ${advice}.`,
    );
  }
  if (/^\d+$/.test(raw)) {
    const hops = Number(raw);
    if (hops <= 100) return hops;
  }
  const list = raw
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  const wrong = list.find((entry) => {
    const [address = '', bits, ...rest] = entry.split('/');
    const family = isIP(address);
    if (family === 0 || rest.length > 0) return true;
    if (bits === undefined) return false;
    return !/^\d+$/.test(bits) || Number(bits) > (family === 4 ? 32 : 128);
  });
  if (wrong !== undefined || list.length === 0) {
    throw new ConfigError(`${name} must be a number of proxies or a list of addresses, but it is "${raw}". ${advice}.`);
  }
  return list;
}

function timeouts(env: Env): { requestTimeoutMs: number; headersTimeoutMs: number } {
  const request = integer(env, 'REQUEST_TIMEOUT_SECONDS', 30, 1, 3600);
  const headers = integer(env, 'HEADERS_TIMEOUT_SECONDS', 15, 1, 3600);
  if (headers > request) {
    throw new ConfigError(
      `HEADERS_TIMEOUT_SECONDS must be no more than REQUEST_TIMEOUT_SECONDS (${request}), but it is ${headers}.`,
    );
  }
  return { requestTimeoutMs: request * 1000, headersTimeoutMs: headers * 1000 };
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if ((allowed as readonly string[]).includes(raw)) return raw as T;
  throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, but it is "${raw}".`);
}

function optionalUrl(env: Env, name: string, protocols: string[]): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${name} must be a URL such as postgres://user@host:5432/kindred.`);
  }
  if (!protocols.includes(url.protocol)) {
    throw new ConfigError(`${name} must start with ${protocols.map((p) => `${p}//`).join(' or ')}.`);
  }
  return raw;
}

function origin(env: Env, name: string, fallback: string): string {
  const raw = text(env, name, fallback);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${name} must be an origin such as https://kindred.example, but it is "${raw}".`);
  }
  if (!['http:', 'https:'].includes(url.protocol) || url.origin !== raw.replace(/\/$/, '')) {
    throw new ConfigError(
      `${name} must be a bare origin (scheme, host and port, no path), such as https://kindred.example.`,
    );
  }
  return url.origin;
}
