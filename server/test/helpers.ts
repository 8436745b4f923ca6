// Builds the real app on a real database for one test file: PGlite or PostgreSQL, chosen by the
// Vitest project (KINDRED_TEST_DB). The clock is the test's to move.
import { openTestDatabase, type TestDatabase } from '@kindred/db/testing';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { inject } from 'vitest';
import { buildApp } from '../src/app.ts';
import { loadConfig, type Config } from '../src/config.ts';

export const ORIGIN = 'http://kindred.test';

export class TestClock {
  #now = Date.parse('2026-06-01T12:00:00Z');
  now = (): Date => new Date(this.#now);
  advance(ms: number): void {
    this.#now += ms;
  }
}

export interface TestApp {
  app: FastifyInstance;
  database: TestDatabase;
  clock: TestClock;
  config: Config;
  close(): Promise<void>;
}

export async function openDatabaseForTests(): Promise<TestDatabase> {
  if (process.env.KINDRED_TEST_DB === 'postgres') {
    const serverUrl = process.env.TEST_DATABASE_URL;
    if (!serverUrl) throw new Error('KINDRED_TEST_DB=postgres needs TEST_DATABASE_URL');
    return openTestDatabase({ kind: 'postgres', serverUrl });
  }
  return openTestDatabase({ kind: 'pglite', snapshotFile: inject('pgliteSnapshot') });
}

export async function createTestApp(overrides: Partial<Config> = {}): Promise<TestApp> {
  const database = await openDatabaseForTests();
  const clock = new TestClock();
  const config: Config = { ...loadConfig({}), logLevel: 'silent', publicOrigin: ORIGIN, ...overrides };
  const app = await buildApp(config, { database, now: clock.now });
  await app.ready();
  return {
    app,
    database,
    clock,
    config,
    close: async () => {
      await app.close();
      await database.close();
    },
  };
}

/** A request as the web app sends it: JSON, from our own origin, with the given cookie. */
export function call(
  app: FastifyInstance,
  method: InjectOptions['method'],
  url: string,
  options: { body?: unknown; cookie?: string; headers?: Record<string, string> } = {},
): Promise<LightMyRequestResponse> {
  const headers: Record<string, string> = { origin: ORIGIN, ...options.headers };
  if (options.cookie) headers.cookie = options.cookie;
  return app.inject({
    method,
    url,
    headers,
    ...(options.body === undefined ? {} : { payload: options.body as object }),
  });
}
