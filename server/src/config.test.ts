import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

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

  it('follows PORT in the default public origin and reads admin names case-insensitively', () => {
    const config = loadConfig({ PORT: '8080', ADMIN_USERNAMES: ' Maya, sam ,,' });
    expect(config.publicOrigin).toBe('http://localhost:8080');
    expect([...config.adminUsernames]).toEqual(['maya', 'sam']);
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
    ['LOG_LEVEL', 'loud'],
  ])('refuses %s=%s with a sentence that names the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^${name} `));
  });

  it('never repeats a database password in its error', () => {
    expect(() => loadConfig({ DATABASE_URL: 'mysql://u:hunter2secret@h/db' })).not.toThrow(/hunter2secret/);
  });
});
