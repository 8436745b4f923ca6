import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { helplines as shipped } from './moderation/helplines.ts';
import { adminPasswordFromEnv, ConfigError, loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('gives a first run everything it needs with no variables at all', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      databaseUrl: undefined,
      dataDir: './data',
      publicOrigin: 'http://localhost:3000',
      registerLimitPerHour: 20,
      loginLimitPer15Min: 10,
      messageLimitPerMinute: 60,
    });
  });

  it('follows PORT in the default public origin', () => {
    expect(loadConfig({ PORT: '8080' }).publicOrigin).toBe('http://localhost:8080');
  });

  it('reads LOG_FORMAT and METRICS_TOKEN, both off or automatic when unset', () => {
    expect(loadConfig({})).toMatchObject({ logFormat: 'auto', metricsToken: undefined });
    expect(loadConfig({ LOG_FORMAT: 'json' }).logFormat).toBe('json');
    expect(loadConfig({ LOG_FORMAT: 'pretty' }).logFormat).toBe('pretty');
    const token = 'f'.repeat(64);
    expect(loadConfig({ METRICS_TOKEN: token }).metricsToken).toBe(token);
  });

  it('accepts the loopback spellings of the port only while PUBLIC_ORIGIN is unset', () => {
    expect(loadConfig({}).loopbackOrigins).toBe(true);
    expect(loadConfig({ PUBLIC_ORIGIN: '' }).loopbackOrigins).toBe(true);
    expect(loadConfig({ PUBLIC_ORIGIN: 'https://kindred.example' }).loopbackOrigins).toBe(false);
    expect(loadConfig({ PUBLIC_ORIGIN: 'http://localhost:3000' }).loopbackOrigins).toBe(false);
  });

  it('ignores the retired ADMIN_USERNAMES, with one warning that says how to grant admin now', () => {
    expect(loadConfig({}).startupWarnings).toEqual([]);
    expect(loadConfig({ ADMIN_USERNAMES: ' ' }).startupWarnings).toEqual([]);
    const config = loadConfig({ ADMIN_USERNAMES: ' Maya, sam ,,' });
    expect(config).not.toHaveProperty('adminUsernames');
    expect(config.startupWarnings).toHaveLength(1);
    expect(config.startupWarnings[0]).toMatch(
      /^ADMIN_USERNAMES is retired .*`npm run kindred -- admin grant <username>`/,
    );
    expect(config.startupWarnings[0]).not.toMatch(/maya|sam\b/i);
  });

  it('reads the password for `admin create` from KINDRED_ADMIN_PASSWORD, and nothing when it is empty', () => {
    expect(adminPasswordFromEnv({ KINDRED_ADMIN_PASSWORD: 'lanterns along the harbour' })).toBe(
      'lanterns along the harbour',
    );
    expect(adminPasswordFromEnv({ KINDRED_ADMIN_PASSWORD: '' })).toBeUndefined();
    expect(adminPasswordFromEnv({})).toBeUndefined();
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PORT', '-1'],
    ['PORT', '3000.5'],
    ['DATABASE_URL', 'not a url'],
    ['DATABASE_URL', 'mysql://root@localhost/kindred'],
    ['PUBLIC_ORIGIN', 'kindred.example'],
    ['PUBLIC_ORIGIN', 'https://kindred.example/app'],
    ['PUBLIC_ORIGIN', 'ftp://kindred.example'],
    ['REGISTER_LIMIT_PER_HOUR', '0'],
    ['LOGIN_LIMIT_PER_15MIN', 'ten'],
    ['TRUST_PROXY', 'maybe'],
    ['LOG_FORMAT', 'yaml'],
    ['METRICS_TOKEN', 'short'],
    ['METRICS_TOKEN', `${'x'.repeat(20)} ${'y'.repeat(20)}`],
    ['TRUST_PROXY', 'true'],
    ['TRUST_PROXY', 'proxy.example'],
    ['TRUST_PROXY', '10.0.0.0/33'],
    ['TRUST_PROXY', '10.0.0.1/8/8'],
    ['TRUST_PROXY', '-1'],
    ['REQUEST_TIMEOUT_SECONDS', '0'],
    ['HEADERS_TIMEOUT_SECONDS', '31'],
    ['LOG_LEVEL', 'loud'],
  ])('refuses %s=%s with a sentence that names the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^${name} `));
  });

  it.each(['true', 'TRUE', 'yes'])('refuses TRUST_PROXY=%s, saying what to set instead', (value) => {
    expect(() => loadConfig({ TRUST_PROXY: value })).toThrow(
      /^TRUST_PROXY can no longer be true: .* any client can write\. Set TRUST_PROXY to the number of proxies/,
    );
  });

  it.each<[string, false | number | string[]]>([
    ['', false],
    ['0', false],
    ['false', false],
    ['1', 1],
    ['2', 2],
    ['10.0.0.2', ['10.0.0.2']],
    [' 10.0.0.0/8, 192.168.1.1 ,fd00::/8, ::1 ', ['10.0.0.0/8', '192.168.1.1', 'fd00::/8', '::1']],
  ])('reads TRUST_PROXY="%s" as a hop count or a list of proxies', (value, trusted) => {
    expect(loadConfig({ TRUST_PROXY: value }).trustProxy).toEqual(trusted);
  });

  it('times out slow requests: 30 s for a whole request, 15 s for its headers, unless set', () => {
    expect(loadConfig({})).toMatchObject({ requestTimeoutMs: 30_000, headersTimeoutMs: 15_000 });
    expect(loadConfig({ REQUEST_TIMEOUT_SECONDS: '60', HEADERS_TIMEOUT_SECONDS: '20' })).toMatchObject({
      requestTimeoutMs: 60_000,
      headersTimeoutMs: 20_000,
    });
  });

  it('never repeats a database password in its error', () => {
    expect(() => loadConfig({ DATABASE_URL: 'mysql://u:hunter2secret@h/db' })).not.toThrow(/hunter2secret/);
  });
});

describe('HELPLINES_FILE', () => {
  const folder = mkdtempSync(join(tmpdir(), 'kindred-helplines-'));
  const file = (name: string, text: string) => {
    const path = join(folder, name);
    writeFileSync(path, text);
    return path;
  };
  const own = {
    updated: '2026-11-01',
    international: [{ name: 'Our line', phone: '0800 000', description: 'Listening, day and night.' }],
    countries: {
      NZ: {
        name: 'New Zealand',
        emergency: '111',
        lines: [{ name: 'Need to talk?', phone: '1737', description: 'Free call or text.' }],
      },
    },
  };

  it('uses the shipped list when unset', () => {
    expect(loadConfig({}).helplines).toBe(shipped);
  });

  it('replaces the list with a valid file', () => {
    expect(loadConfig({ HELPLINES_FILE: file('good.json', JSON.stringify(own)) }).helplines).toEqual(own);
  });

  it.each([
    ['a missing file', () => join(folder, 'absent.json'), /HELPLINES_FILE must name .* there is no file there/],
    ['text that is not JSON', () => file('bad.json', '{ not json'), /HELPLINES_FILE must name .* it is not JSON/],
    [
      'JSON of another shape',
      () => file('shape.json', JSON.stringify({ lines: [] })),
      /HELPLINES_FILE names .* not a helplines list/,
    ],
    [
      'a line without a description',
      () => file('line.json', JSON.stringify({ ...own, international: [{ name: 'No words' }] })),
      /HELPLINES_FILE names/,
    ],
  ])('refuses %s, naming the variable', (_case, path, sentence) => {
    expect(() => loadConfig({ HELPLINES_FILE: path() })).toThrow(ConfigError);
    expect(() => loadConfig({ HELPLINES_FILE: path() })).toThrow(sentence);
  });
});

describe('DUTY_NUDGE_MINUTES', () => {
  it('is two hours unless the operator says otherwise, and refuses what is not a sensible number of minutes', () => {
    expect(loadConfig({}).dutyNudgeMinutes).toBe(120);
    expect(loadConfig({ DUTY_NUDGE_MINUTES: '90' }).dutyNudgeMinutes).toBe(90);
    for (const bad of ['0', '-5', 'two hours', '1.5', '1441']) {
      expect(() => loadConfig({ DUTY_NUDGE_MINUTES: bad }), bad).toThrow(/DUTY_NUDGE_MINUTES/);
    }
  });
});
