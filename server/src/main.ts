// Starts Kindred: read the configuration, open and migrate the database, listen, and on SIGTERM or SIGINT
// stop accepting, let in-flight requests finish, close sockets and the database, then exit.
import { fileURLToPath } from 'node:url';
import { buildApp } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';
import { originPolicy } from './plugins/origins.ts';
import { describeStartupError } from './startup-errors.ts';

const defaultWebDir = fileURLToPath(new URL('../../web/build', import.meta.url));

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await buildApp({ ...config, webDir: config.webDir ?? defaultWebDir });
  // One line says where to open Kindred (Fastify would say "Server listening at" each address instead).
  const origins = originPolicy(config, app);
  let said = false;
  await app.listen({
    port: config.port,
    host: config.host,
    listenTextResolver: (address) => {
      if (said) return `Kindred also listens at ${address}`;
      said = true;
      return `Kindred is ready: open ${origins.openAt()} in your browser.`;
    },
  });

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      app.log.error('shutdown took longer than 10 s; exiting anyway');
      process.exit(1);
    }, 10_000);
    force.unref();
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        app.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  const sentence = error instanceof ConfigError ? error.message : describeStartupError(error);
  process.stderr.write(`Kindred could not start: ${sentence}\n`);
  process.exit(1);
});
